import nx from '@nx/eslint-plugin';

/** Packages that pure libraries (tag purity:pure) must never import. */
export const bannedInPureLibs = [
  '@nestjs/*',
  '@nats-io/*',
  'ioredis',
  'bullmq',
  'ethers',
  'pino',
  'prom-client',
  '@opentelemetry/*',
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: [
      '**/dist',
      '**/out-tsc',
      '**/test-output',
      '**/node_modules',
      '**/jest.config.cts',
      '**/*.generated.ts',
      '**/gen/**',
      'tmp/**',
    ],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs', '**/*.cts', '**/*.mts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
            // apps/node composes the service apps' createApp() in one process (docs/adr/006).
            { sourceTag: 'type:composer', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            {
              sourceTag: 'purity:pure',
              onlyDependOnLibsWithTags: ['purity:pure'],
              bannedExternalImports: bannedInPureLibs,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.bench.ts', '**/testing/**', '**/*.env.ts', '**/config/**'],
    rules: {
      // Configuration is parsed once, in bootstrap, through libs/platform's loadConfig.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through loadConfig() from @lpts/platform.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a derived union instead of enum.' },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      // Libraries are imported only through their root entry: no deep imports across projects.
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@lpts/*/*'], message: 'Import workspace libraries only through their root entry (@lpts/<name>).' }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
