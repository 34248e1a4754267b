import { ESLint } from 'eslint';
import { join } from 'node:path';

/**
 * The architecture's import rules are enforced by lint; these specs prove the rules bite by
 * linting small bad files placed (virtually) inside real projects.
 */
const root = join(__dirname, '../../../..');

async function lintAs(project: string, file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: join(root, project) });
  const [result] = await eslint.lintText(code, { filePath: join(root, project, file) });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries (ESLint on bad fixtures)', () => {
  jest.setTimeout(60_000);

  it('a pure library importing @nestjs/core fails lint', async () => {
    const errors = await lintAs('libs/pm', 'src/__fixture__.ts', "import { NestFactory } from '@nestjs/core';\nexport const f = NestFactory;\n");
    expect(errors.join('\n')).toMatch(/@nx\/enforce-module-boundaries.*@nestjs\/core/);
  });

  it('a pure library importing ioredis fails lint', async () => {
    const errors = await lintAs('libs/protocol', 'src/__fixture__.ts', "import Redis from 'ioredis';\nexport const r = Redis;\n");
    expect(errors.join('\n')).toMatch(/@nx\/enforce-module-boundaries.*ioredis/);
  });

  it('a deep import across libraries fails lint', async () => {
    const errors = await lintAs('libs/platform', 'src/__fixture__.ts', "import { toHex } from '@lpts/protocol/src/bytes/bytes';\nexport const h = toHex;\n");
    expect(errors.join('\n')).toMatch(/no-restricted-imports: .*root entry/);
  });

  it('a relative import into another project fails lint', async () => {
    const errors = await lintAs('libs/platform', 'src/__fixture__.ts', "import { toHex } from '../../protocol/src/bytes/bytes';\nexport const h = toHex;\n");
    expect(errors.join('\n')).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('a library importing an app fails lint', async () => {
    const errors = await lintAs('libs/platform', 'src/__fixture__.ts', "import { createApp } from '@lpts/ticket-broker';\nexport const c = createApp;\n");
    expect(errors.join('\n')).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('the same file with allowed imports passes', async () => {
    const errors = await lintAs('libs/pm', 'src/__fixture__.ts', "import { toHex } from '@lpts/protocol';\nexport const h = toHex;\n");
    expect(errors).toEqual([]);
  });

  it('an enum in hand-written code fails lint', async () => {
    const errors = await lintAs('libs/protocol', 'src/__fixture__.ts', 'export enum Color { Red }\n');
    expect(errors.join('\n')).toMatch(/no-restricted-syntax/);
  });
});
