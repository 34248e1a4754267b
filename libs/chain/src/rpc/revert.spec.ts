import { AbiCoder } from 'ethers';
import { isChainError } from '../errors/chain-error';
import { decodeRevertData, toChainError } from './revert';
import { RpcResponseError } from './rpc-client';

const errorString = (s: string) => '0x08c379a0' + AbiCoder.defaultAbiCoder().encode(['string'], [s]).slice(2);

describe('revert decoding', () => {
  it('decodes Error(string), Panic(uint256), a bare revert and custom error data', () => {
    expect(decodeRevertData(errorString('ticket is used')).reason).toBe('ticket is used');
    expect(decodeRevertData('0x4e487b71' + '11'.padStart(64, '0')).panicCode).toBe(0x11n);
    expect(decodeRevertData('0x')).toEqual({ data: '0x' });
    expect(decodeRevertData('0xdeadbeef')).toEqual({ data: '0xdeadbeef' });
  });

  it('maps an endpoint revert answer to ChainError REVERTED carrying the reason', () => {
    const e = toChainError(new RpcResponseError(3, 'execution reverted: sender is unlocked', errorString('sender is unlocked'), 'x'), {
      method: 'TicketBroker.redeemWinningTicket',
    });
    expect(isChainError(e, 'REVERTED')).toBe(true);
    expect(isChainError(e) && e.details['reason']).toBe('sender is unlocked');
    expect(isChainError(e) && e.retryable).toBe(false);
  });

  it('takes the reason from the message when a node sends no data, and leaves other errors as RPC_ERROR', () => {
    const fromMsg = toChainError(new RpcResponseError(-32000, 'execution reverted: ticket is expired', undefined, 'x'));
    expect(isChainError(fromMsg) && fromMsg.details['reason']).toBe('ticket is expired');
    const other = toChainError(new RpcResponseError(-32602, 'invalid params', undefined, 'x'));
    expect(isChainError(other, 'RPC_ERROR')).toBe(true);
    const plain = new Error('not an rpc error');
    expect(toChainError(plain)).toBe(plain);
  });
});
