import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // The root config exempts `**/testing/**` from the process.env ban, but ESLint runs with this
    // directory as its base, so that glob never matches here. Test infrastructure reads LPTS_INFRA,
    // PATH and DOCKER_HOST directly: it is not application configuration.
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
];
