import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

export type BinaryName = 'ffmpeg' | 'ffprobe' | 'nats-server' | 'redis-server';

const APT_PACKAGE: Record<BinaryName, string> = {
  ffmpeg: 'ffmpeg',
  ffprobe: 'ffmpeg',
  'nats-server': 'nats-server',
  'redis-server': 'redis-server',
};

const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin', '/sbin', '/bin', '/opt/homebrew/bin'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds `name` on PATH (plus the sbin dirs Debian puts servers in); undefined when absent. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export class MissingBinaryError extends Error {
  constructor(name: string, hint: string) {
    super(`${name} not found on PATH. ${hint}`);
    this.name = 'MissingBinaryError';
  }
}

/** Absolute path of a required binary, or a clear error that says how to install it. */
export function requireBinary(name: BinaryName): string {
  const found = findBinary(name);
  if (found) return found;
  const pkg = APT_PACKAGE[name] ?? name;
  throw new MissingBinaryError(
    name,
    `Install it with: sudo apt-get update && sudo apt-get install -y ${pkg}  (or run: bash scripts/infra.sh --no-start)`,
  );
}

/** Directory holding initdb/postgres/pg_ctl (Debian keeps them in /usr/lib/postgresql/<ver>/bin). */
export function postgresBinDir(): string {
  const onPath = findBinary('initdb');
  if (onPath && existsSync(join(dirname(onPath), 'postgres'))) return dirname(onPath);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  throw new MissingBinaryError(
    'PostgreSQL (initdb/postgres)',
    'Install it with: sudo apt-get update && sudo apt-get install -y postgresql  (or run: bash scripts/infra.sh --no-start)',
  );
}

const ANVIL_PLATFORM: Record<string, string> = {
  'linux-x64': 'linux-amd64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-amd64',
  'darwin-arm64': 'darwin-arm64',
  'win32-x64': 'win32-amd64',
};

/** The anvil binary shipped by the @foundry-rs/anvil npm package (its per-platform package), else PATH. */
export function anvilBinary(): string {
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil';
  const platform = ANVIL_PLATFORM[`${process.platform}-${process.arch}`];
  if (platform) {
    try {
      const pkgJson = require.resolve(`@foundry-rs/anvil-${platform}/package.json`);
      const candidate = join(dirname(pkgJson), 'bin', exe);
      if (isExecutable(candidate)) return candidate;
    } catch {
      // not installed; fall through
    }
  }
  try {
    const wrapper = dirname(require.resolve('@foundry-rs/anvil/package.json'));
    const candidate = join(wrapper, '..', 'dist', exe);
    if (isExecutable(candidate)) return candidate;
  } catch {
    // fall through
  }
  const onPath = findBinary(exe);
  if (onPath) return onPath;
  throw new MissingBinaryError('anvil', 'It comes from the @foundry-rs/anvil npm package: run `npm install` at the repo root.');
}
