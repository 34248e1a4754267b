import { SettlementCommands, isLptsError } from '@lpts/protocol';
import { connectNats, drainNats } from '@lpts/platform';
import { startNats, uniquePrefix, type StartedNats } from '@lpts/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { findOpsCommand, runOpsCommand } from './ops-commands';

const TX = { txHash: '0x' + 'cd'.repeat(32), blockNumber: '42' };

/**
 * The CLI against a real nats-server; the settlement side is a plain NATS responder that records what
 * it was sent (the real settlement answers these commands in apps/e2e's network spec).
 */
describe('lpts settlement … over NATS (real nats-server)', () => {
  let nats: StartedNats;
  let nc: NatsConnection;
  const prefix = uniquePrefix('cli');
  const seen: unknown[] = [];

  beforeAll(async () => {
    nats = await startNats({ jetstream: false });
    nc = await connectNats(nats.url, 'fake-settlement');
    nc.subscribe(SettlementCommands.fund.subject(prefix), {
      callback: (_e, m) => {
        seen.push(JSON.parse(new TextDecoder().decode(m.data)));
        m.respond(new TextEncoder().encode(JSON.stringify(TX)));
      },
    });
    await nc.flush();
  });

  afterAll(async () => {
    await drainNats(nc);
    await nats.stop();
  });

  const run = async (argv: string[]) => {
    const lines: string[] = [];
    const cmd = findOpsCommand(argv);
    if (cmd === undefined) throw new Error('no such command');
    const o = new Map<string, string | true>();
    for (let i = 2; i < argv.length; i += 2) o.set((argv[i] as string).slice(2), argv[i + 1] as string);
    const code = await runOpsCommand(cmd, o, { natsUrl: nats.url, prefix }, { out: (l) => lines.push(l) });
    return { code, lines };
  };

  it('fund sends wei amounts and prints the transaction', async () => {
    const { code, lines } = await run(['settlement', 'fund', '--deposit', '2', '--reserve', '0.5']);
    expect(code).toBe(0);
    expect(seen.at(-1)).toEqual({ deposit: '2000000000000000000', reserve: '500000000000000000' });
    expect(JSON.parse(lines.join('\n'))).toEqual(TX);
  });

  it('no settlement on that prefix: a typed, retryable NO_RESPONDERS error naming the subject', async () => {
    const e = await run(['settlement', 'status', '--prefix', 'nobody-here']).catch((err: unknown) => err);
    expect(isLptsError(e)).toBe(true);
    expect((e as Error).message).toBe(`no service answers ${SettlementCommands.state.subject('nobody-here')}`);
  });
});
