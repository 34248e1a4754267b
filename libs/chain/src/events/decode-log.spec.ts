import { Interface, ZeroHash } from 'ethers';
import { BONDING_MANAGER_ABI, ROUNDS_MANAGER_ABI, SERVICE_REGISTRY_ABI, TICKET_BROKER_ABI } from '../abi/livepeer-abis';
import { decodeLog } from './decode-log';

const TB = '0x00000000000000000000000000000000000000b1';
const O = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const S = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

function log(abi: readonly string[], name: string, args: unknown[], address = TB) {
  const i = new Interface(abi);
  const ev = i.getEvent(name);
  if (!ev) throw new Error(name);
  const { data, topics } = i.encodeEventLog(ev, args);
  return { address, data, topics, blockNumber: '0x10', transactionHash: ZeroHash, logIndex: '0x2' };
}

describe('decodeLog', () => {
  it('decodes ★ events into the typed union', () => {
    const d = decodeLog(log(TICKET_BROKER_ABI, 'WinningTicketTransfer', [S, O, 10n ** 17n]));
    expect(d).toEqual({
      name: 'WinningTicketTransfer',
      contract: 'TicketBroker',
      sender: S,
      recipient: O,
      amount: 10n ** 17n,
      address: '0x00000000000000000000000000000000000000B1',
      blockNumber: 16n,
      transactionHash: ZeroHash,
      logIndex: 2,
    });
    if (d?.name === 'WinningTicketTransfer') expect(d.amount).toBe(10n ** 17n); // narrowing works
    expect(decodeLog(log(ROUNDS_MANAGER_ABI, 'NewRound', [7n, '0x' + 'ab'.repeat(32)]))).toMatchObject({ name: 'NewRound', round: 7n });
    expect(decodeLog(log(BONDING_MANAGER_ABI, 'Unbond', [O, S, 0n, 5n, 9n]))).toMatchObject({
      name: 'Unbond',
      delegate: O,
      delegator: S,
      withdrawRound: 9n,
    });
    expect(decodeLog(log(BONDING_MANAGER_ABI, 'TranscoderActivated', [O, 3n]))).toMatchObject({ activationRound: 3n });
    expect(decodeLog(log(SERVICE_REGISTRY_ABI, 'ServiceURIUpdate', [O, 'https://o:8935']))).toMatchObject({ serviceURI: 'https://o:8935' });
    expect(decodeLog(log(TICKET_BROKER_ABI, 'UnlockCancelled', [S]))).toMatchObject({ name: 'UnlockCancelled', sender: S });
  });

  it('returns undefined for unknown topics and for look-alike logs from another address', () => {
    const transfer = new Interface(['event Transfer(address indexed from, address indexed to, uint256 value)']);
    const ev = transfer.getEvent('Transfer');
    if (!ev) throw new Error('Transfer');
    expect(decodeLog({ address: TB, ...transfer.encodeEventLog(ev, [O, S, 1n]) })).toBeUndefined();
    const l = log(TICKET_BROKER_ABI, 'DepositFunded', [S, 1n], '0x00000000000000000000000000000000000000ff');
    expect(decodeLog(l, { TicketBroker: TB })).toBeUndefined();
    expect(decodeLog(l, { TicketBroker: ['0x00000000000000000000000000000000000000FF'] })).toMatchObject({ name: 'DepositFunded' });
  });
});
