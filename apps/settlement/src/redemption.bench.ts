import type { WinningTicketJson } from '@lpts/protocol';
import { createApp, type SettlementApp } from './bootstrap';
import { ETH, startHarness, waitFor, type Harness } from './spec/harness.test';

jest.setTimeout(120_000);

const N = 30;

describe('bench: winning tickets redeemed per minute on anvil (real queue + worker)', () => {
  let h: Harness;
  let app: SettlementApp;

  beforeAll(async () => {
    // e2e profile (roundLength 50): 30 redemptions (a block each, automine) stay inside the validity window.
    h = await startHarness({ deposit: ETH(100), reserve: ETH(1), profile: 'e2e' });
    app = await createApp(h.env({ SETTLEMENT_POLL_INTERVAL_MS: '100' }));
  });
  afterAll(async () => {
    await app?.close();
    await h?.stop();
  });

  it(`redeems ${N} tickets`, async () => {
    const tickets: WinningTicketJson[] = [];
    for (let i = 0; i < N; i++) tickets.push(await h.ticket({ faceValue: ETH(0.001) * BigInt(i + 1) }));
    const start = Number(await h.blockNumber());
    const t0 = performance.now();
    for (const t of tickets) await h.enqueue(t);
    const enqueueMs = performance.now() - t0;
    await waitFor('all redeemed', async () => (await app.core.ledger.countByState())['redeemed'] === N, 100_000, 50);
    const ms = performance.now() - t0;
    const transfers = await h.transfers(start);
    expect(transfers).toHaveLength(N);
    const result = {
      bench: 'settlement.redemption',
      tickets: N,
      concurrency: app.config.SETTLEMENT_REDEEM_CONCURRENCY,
      chain: 'anvil automine (e2e profile parameters, roundLength 50)',
      enqueueMs: Math.round(enqueueMs),
      totalMs: Math.round(ms),
      ticketsPerMinute: Math.round((N / ms) * 60_000),
      msPerTicket: Math.round(ms / N),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  });
});
