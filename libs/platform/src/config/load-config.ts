import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config.errors';

/** Keys whose values are never printed. */
const SECRET_KEY = /SECRET|PASSWORD|PASSPHRASE|PRIVATE|TOKEN|KEY$|_KEY_/i;

export function maskValue(key: string, value: string | undefined): string {
  if (value === undefined) return '<unset>';
  if (SECRET_KEY.test(key)) return '***';
  return JSON.stringify(value.length > 80 ? value.slice(0, 77) + '...' : value);
}

export interface ConfigProblem {
  key: string;
  value: string;
  problem: string;
}

/**
 * Parses the environment once against a zod object schema composed from fragments.
 * Reports every bad key at once (values of secret-looking keys masked) in a ConfigError.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv): Readonly<z.output<S>> {
  const result = schema.safeParse(env);
  if (result.success) return Object.freeze(result.data);
  const problems: ConfigProblem[] = result.error.issues.map((issue) => {
    const key = issue.path.map(String).join('.') || '<root>';
    return { key, value: maskValue(key, env[key]), problem: issue.message };
  });
  const lines = problems.map((p) => `  ${p.key}=${p.value}: ${p.problem}`).join('\n');
  throw new ConfigError('INVALID_CONFIG', `invalid configuration (${problems.length} bad key${problems.length === 1 ? '' : 's'}):\n${lines}`, {
    details: { badKeys: problems.map((p) => p.key).join(','), count: problems.length },
  });
}

/** Like loadConfig, but prints the problems and exits with status 78 (EX_CONFIG): for main.ts. */
export function loadConfigOrExit<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv,
  service: string,
): Readonly<z.output<S>> {
  try {
    return loadConfig(schema, env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${service}: ${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
}

/** Reads a secret from a file (keys and passwords never come from argv or plain env values). */
export function readSecretFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (cause) {
    throw new ConfigError('SECRET_FILE_UNREADABLE', `cannot read ${what} from ${path}`, { details: { path, what }, cause });
  }
}
