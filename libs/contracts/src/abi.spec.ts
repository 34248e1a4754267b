import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Interface, type InterfaceAbi } from 'ethers';
import { CONTRACTS_ROOT, CONTRACT_NAMES, loadArtifact, loadManifest, readSources, sourcesHash } from './index';

interface AbiFixture {
  functions: Record<string, string>;
  events: Record<string, string>;
}
const fixture = JSON.parse(readFileSync(join(CONTRACTS_ROOT, 'fixtures', 'livepeer-abi.json'), 'utf8')) as AbiFixture;

function ours(): { functions: Map<string, string>; events: Map<string, string> } {
  const functions = new Map<string, string>();
  const events = new Map<string, string>();
  for (const name of CONTRACT_NAMES) {
    const iface = new Interface(loadArtifact(name).abi as InterfaceAbi);
    iface.forEachFunction((f) => functions.set(f.format('sighash'), f.selector));
    iface.forEachEvent((e) => events.set(e.format('sighash'), e.topicHash));
  }
  return { functions, events };
}

describe('ABI against the Livepeer fixture (CONTRACTS.md)', () => {
  const { functions, events } = ours();

  it('has every listed function with the listed selector', () => {
    const missing = Object.entries(fixture.functions).filter(([sig, sel]) => functions.get(sig) !== sel);
    expect(missing).toEqual([]);
    expect(Object.keys(fixture.functions).length).toBeGreaterThan(100);
  });

  it('has every listed event with the listed topic0', () => {
    const missing = Object.entries(fixture.events).filter(([sig, topic]) => events.get(sig) !== topic);
    expect(missing).toEqual([]);
    expect(Object.keys(fixture.events).length).toBeGreaterThan(25);
  });

  it('keeps the indexed flags of the node-watched events', () => {
    const tb = new Interface(loadArtifact('TicketBroker').abi as InterfaceAbi);
    const indexed = (iface: Interface, ev: string): boolean[] => iface.getEvent(ev)?.inputs.map((i) => i.indexed === true) ?? [];
    expect(indexed(tb, 'WinningTicketRedeemed')).toEqual([true, true, false, false, false, false, false]);
    expect(indexed(tb, 'ReserveClaimed')).toEqual([true, false, false]);
    const bm = new Interface(loadArtifact('BondingManager').abi as InterfaceAbi);
    expect(indexed(bm, 'Bond')).toEqual([true, true, true, false, false]);
    expect(indexed(bm, 'EarningsClaimed')).toEqual([true, true, false, false, false, false]);
    const ctl = new Interface(loadArtifact('Controller').abi as InterfaceAbi);
    expect(indexed(ctl, 'SetContractInfo')).toEqual([false, false, false]);
  });
});

describe('committed artifacts', () => {
  it('were generated from the current sources (run `nx run contracts:compile`)', () => {
    expect(loadManifest().sourcesHash).toBe(sourcesHash(readSources()));
  });
});
