import { resolve } from 'node:path';
import { cliDefaults } from './config/cli.env';
import { devnetUp } from './devnet/devnet-up';
import { keysNew } from './keys/keys-new';
import { COMMON_OPTIONS, UsageError, findOpsCommand, runOpsCommand, usageOfOps } from './ops/ops-commands';

const USAGE = `usage: lpts <command>

commands:
  devnet up [--once] [--seconds N] [--dir DIR] [--combined]
      start a local network (anvil + contracts, NATS, Redis, two orchestrators, a gateway), stream
      a test video through it and print a summary; --once exits after the summary (default: run
      until Ctrl-C); --combined runs each operator's services in one apps/node process
  keys new --dir DIR
      a fresh ETH key: DIR/keystore.json (encrypted) and DIR/password, for *_KEYSTORE_FILE and
      *_KEYSTORE_PASSWORD_FILE; prints the address
${usageOfOps()}
  help                                            this text

options of the settlement and broker commands:
${Object.entries(COMMON_OPTIONS)
  .map(([k, v]) => `  --${k}  ${v}`)
  .join('\n')}
`;

/** Parses `--flag value` / `--flag=value` / `--switch` options after the command words. */
export function parseOptions(args: readonly string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (args[i + 1] !== undefined && !(args[i + 1] as string).startsWith('--')) out.set(a.slice(2), args[++i] as string);
    else out.set(a.slice(2), true);
  }
  return out;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  if (cmd === 'devnet' && sub === 'up') {
    const o = parseOptions(rest);
    for (const k of o.keys()) if (!['once', 'seconds', 'dir', 'combined'].includes(k)) throw new UsageError(`unknown option --${k}\n\n${USAGE}`);
    const seconds = Number(o.get('seconds') ?? 10);
    if (!Number.isInteger(seconds) || seconds < 2 || seconds > 600) throw new Error(`--seconds must be an integer in 2..600, got ${String(o.get('seconds'))}`);
    const root = resolve(__dirname, '../../..');
    return devnetUp({ once: o.get('once') === true, seconds, dir: String(o.get('dir') ?? resolve(root, '.lpts/devnet')), root, layout: o.get('combined') === true ? 'combined' : 'split' });
  }
  if (cmd === 'keys' && sub === 'new') {
    const o = parseOptions(rest);
    for (const k of o.keys()) if (k !== 'dir') throw new UsageError(`unknown option --${k} for "keys new" (options: --dir)`);
    const dir = o.get('dir');
    if (typeof dir !== 'string') throw new UsageError('--dir is required: the folder for keystore.json and password');
    const key = await keysNew(dir, (l) => process.stderr.write(l + '\n'));
    process.stdout.write(`address ${key.address}\nkeystore ${key.keystoreFile}\npassword ${key.passwordFile}\n`);
    return 0;
  }
  const ops = findOpsCommand(argv);
  if (ops !== undefined) return runOpsCommand(ops, parseOptions(argv.slice(2)), cliDefaults(), { out: (l) => process.stdout.write(l + '\n') });
  if (cmd === undefined || cmd === 'help' || cmd === '--help') {
    process.stdout.write(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  throw new UsageError(`unknown command "${argv.join(' ')}"\n\n${USAGE}`);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`lpts: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(2);
    },
  );
}
