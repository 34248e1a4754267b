import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Interface } from 'ethers';
import { CHAIN_EVENT_TOPICS } from '../events/decode-log';
import { LIVEPEER_ABIS } from './livepeer-abis';

/** Expected selectors and topics from CONTRACTS.md §2: the shared fixture kept by libs/contracts (source named in the file). */
const fixture = JSON.parse(readFileSync(join(__dirname, '../../../contracts/fixtures/livepeer-abi.json'), 'utf8')) as {
  source: string;
  functions: Record<string, string>;
  events: Record<string, string>;
};

const cases = Object.entries(LIVEPEER_ABIS).flatMap(([contract, abi]) => {
  const iface = new Interface(abi);
  const fns: [string, string, string, string][] = [];
  iface.forEachFunction((f) => fns.push([contract, 'function', f.format('sighash'), f.selector]));
  iface.forEachEvent((e) => fns.push([contract, 'event', e.format('sighash'), e.topicHash]));
  return fns;
});

describe('Livepeer ABIs against CONTRACTS.md selectors and topics', () => {
  it('covers every contract the node uses, with a fixture that names its source', () => {
    expect(Object.keys(LIVEPEER_ABIS).sort()).toEqual(
      ['BondingManager', 'Controller', 'LivepeerToken', 'Minter', 'RoundsManager', 'ServiceRegistry', 'TicketBroker'].sort(),
    );
    expect(fixture.source).toMatch(/CONTRACTS\.md/);
    expect(cases.length).toBeGreaterThan(90);
  });

  it.each(cases)('%s %s %s hashes to the recorded value', (_contract, kind, sig, hash) => {
    const table = kind === 'function' ? fixture.functions : fixture.events;
    expect(table[sig]).toBeDefined();
    expect(hash).toBe(table[sig]);
  });

  it('every decoded event topic is a recorded topic', () => {
    const recorded = new Set(Object.values(fixture.events));
    for (const [name, topic] of Object.entries(CHAIN_EVENT_TOPICS)) {
      expect([name, recorded.has(topic)]).toEqual([name, true]);
    }
  });

  it('keeps the indexed layout of the ★ events (topics count)', () => {
    const tb = new Interface(LIVEPEER_ABIS.TicketBroker);
    const bm = new Interface(LIVEPEER_ABIS.BondingManager);
    const indexed = (i: Interface, n: string) => i.getEvent(n)?.inputs.filter((p) => p.indexed).length;
    expect(indexed(tb, 'WinningTicketTransfer')).toBe(2);
    expect(indexed(tb, 'WinningTicketRedeemed')).toBe(2);
    expect(indexed(tb, 'ReserveClaimed')).toBe(1);
    expect(indexed(bm, 'Bond')).toBe(3);
    expect(indexed(bm, 'Unbond')).toBe(2);
    expect(indexed(bm, 'WithdrawStake')).toBe(1);
    expect(indexed(new Interface(LIVEPEER_ABIS.RoundsManager), 'NewRound')).toBe(1);
    expect(indexed(new Interface(LIVEPEER_ABIS.Controller), 'SetContractInfo')).toBe(0);
  });
});
