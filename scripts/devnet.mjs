// Starts the services that exist against the local infrastructure (scripts/infra.sh started it),
// waits until each answers, prints a summary, and stops them on Ctrl-C (or at once with --once).
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const once = process.argv.includes('--once');
const services = [{ name: 'ticket-broker', main: 'apps/ticket-broker/dist/main.js', opsPort: 9471 }];
const children = [];

async function waitReady(url, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.ok) return true;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  return false;
}

async function stopAll() {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r)))));
}

for (const s of services) {
  const child = spawn(process.execPath, [s.main], {
    env: { ...process.env, OPS_PORT: String(s.opsPort), LPTS_INSTANCE: `devnet-${s.name}` },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  if (!(await waitReady(`http://127.0.0.1:${s.opsPort}/readyz`, 20_000))) {
    console.error(`devnet: ${s.name} did not become ready on ops port ${s.opsPort}`);
    await stopAll();
    process.exit(1);
  }
}

console.log('\nlpts devnet');
console.log('  infrastructure: NATS nats://127.0.0.1:4222, Redis redis://127.0.0.1:6379, PostgreSQL 127.0.0.1:5432');
for (const s of services) {
  console.log(`  ${s.name}: ops http://127.0.0.1:${s.opsPort} (/healthz /readyz /metrics), NATS lp.broker.cmd.service.ping`);
}
if (once) {
  await stopAll();
  process.exit(0);
}
console.log('\nrunning; Ctrl-C stops everything');
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => stopAll().then(() => process.exit(0)));
