import { join } from 'node:path';
import { spawnTs } from '@lpts/testing';

const ROOT = join(__dirname, '../../../..');

/** deploy/env/<app>.env.example are generated from the apps' config schemas: they must not drift. */
it('deploy/env/*.env.example match the services’ config schemas (scripts/env-example.ts --check)', async () => {
  const check = spawnTs(join(ROOT, 'scripts/env-example.ts'), { cwd: ROOT, env: {}, args: ['--check'] });
  const code = await check.exited;
  expect({ code, output: check.output() }).toEqual({ code: 0, output: '' });
}, 60_000);
