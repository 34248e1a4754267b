import { parseModes } from './modes';
import { startModes, stopModes } from './node';

const USAGE = 'usage: lpts-node --modes settlement,ticket-broker,worker,orchestrator,gateway\n' +
  'Each mode reads the usual keys; <MODE>__KEY overrides KEY for one mode (e.g. ORCHESTRATOR__OPS_PORT).\n';

async function main(argv: readonly string[]): Promise<void> {
  const i = argv.findIndex((a) => a === '--modes' || a.startsWith('--modes='));
  const value = i < 0 ? undefined : argv[i]?.includes('=') ? argv[i]?.slice('--modes='.length) : argv[i + 1];
  if (value === undefined) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const modes = parseModes(value);
  // eslint-disable-next-line no-restricted-properties -- each mode validates its own keys from this environment
  const running = await startModes(modes, process.env);
  process.stdout.write(`lpts-node: running ${modes.join(', ')}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    stopModes(running).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`lpts-node: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
