import { startAnvil, startNats, startPostgres, startRedis, type Started } from './index';

const LIMIT_MS = 10_000;
const RUNS = 3;

const services: [string, () => Promise<Started>][] = [
  ['nats', () => startNats()],
  ['redis', () => startRedis()],
  ['postgres', () => startPostgres()],
  ['anvil', () => startAnvil()],
];

describe('infrastructure startup', () => {
  for (const [name, start] of services) {
    it(`starts ${name} ${RUNS} times`, async () => {
      const runs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const s = await start();
        runs.push(Math.round(performance.now() - t0));
        await s.stop();
      }
      const ms = Math.max(...runs);
      console.log(JSON.stringify({ bench: `${name}-start`, ms, runs, limitMs: LIMIT_MS }));
    }, 60_000);
  }
});
