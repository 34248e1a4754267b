import { AbiCoder, dataSlice } from 'ethers';
import { ChainError } from '../errors/chain-error';
import { RpcResponseError } from './rpc-client';

const ERROR_STRING = '0x08c379a0'; // Error(string)
const PANIC_UINT = '0x4e487b71'; // Panic(uint256)

export interface DecodedRevert {
  /** The Error(string) text, when the revert carried one. */
  reason?: string;
  /** Solidity panic code (0x11 overflow, 0x32 out of bounds…), when it was a Panic(uint256). */
  panicCode?: bigint;
  /** The raw revert data (0x for a bare revert). */
  data: string;
}

/** Decodes revert data: Error(string), Panic(uint256), custom errors (raw data only) or a bare revert. */
export function decodeRevertData(data: string): DecodedRevert {
  const hex = data.toLowerCase();
  try {
    if (hex.startsWith(ERROR_STRING) && hex.length >= 10 + 128) {
      const [reason] = AbiCoder.defaultAbiCoder().decode(['string'], dataSlice(hex, 4));
      return { reason: String(reason), data: hex };
    }
    if (hex.startsWith(PANIC_UINT) && hex.length === 10 + 64) {
      const [code] = AbiCoder.defaultAbiCoder().decode(['uint256'], dataSlice(hex, 4));
      return { panicCode: BigInt(code as bigint), data: hex };
    }
  } catch {
    // malformed payload: fall through to raw data
  }
  return { data: hex };
}

/** Revert data from an endpoint's error answer, or undefined when the error is not a revert. */
export function revertDataOf(e: RpcResponseError): string | undefined {
  const msg = e.message.toLowerCase();
  const isRevert = e.rpcCode === 3 || msg.includes('execution reverted') || msg.includes('revert');
  if (!isRevert) return undefined;
  const d = e.data;
  if (typeof d === 'string' && /^0x[0-9a-fA-F]*$/.test(d)) return d;
  if (d && typeof d === 'object' && typeof (d as { data?: unknown }).data === 'string') return (d as { data: string }).data;
  // Some nodes give only "execution reverted: <reason>" in the message.
  return '0x';
}

/** Reason text carried only in the message ("execution reverted: boom"), when data is empty. */
function reasonFromMessage(message: string): string | undefined {
  const m = /execution reverted:?\s*(.*)$/i.exec(message);
  const r = m?.[1]?.trim();
  return r ? r : undefined;
}

export interface RevertContext {
  to?: string;
  method?: string;
  from?: string;
  blockNumber?: bigint;
  txHash?: string;
}

/**
 * Maps a failure of eth_call / eth_estimateGas to a typed error: a revert becomes
 * ChainError REVERTED with `details.reason`; another JSON-RPC error becomes RPC_ERROR;
 * a ChainError passes through unchanged.
 */
export function toChainError(e: unknown, ctx: RevertContext = {}): unknown {
  if (e instanceof ChainError) return e;
  if (!(e instanceof RpcResponseError)) return e;
  const data = revertDataOf(e);
  if (data === undefined) {
    return new ChainError('RPC_ERROR', `${ctx.method ?? 'request'}: ${e.message}`, {
      details: { rpcCode: e.rpcCode, endpoint: e.endpoint, method: ctx.method, to: ctx.to },
      cause: e,
    });
  }
  return revertedError(decodeRevertData(data), ctx, e, reasonFromMessage(e.message));
}

export function revertedError(dec: DecodedRevert, ctx: RevertContext, cause?: unknown, fallbackReason?: string): ChainError {
  const reason = dec.reason ?? (dec.panicCode === undefined && dec.data === '0x' ? fallbackReason : undefined);
  const what = reason !== undefined ? `"${reason}"` : dec.panicCode !== undefined ? `panic 0x${dec.panicCode.toString(16)}` : 'without a reason';
  return new ChainError('REVERTED', `${ctx.method ?? 'call'} reverted ${what}`, {
    retryable: false,
    details: {
      reason,
      panicCode: dec.panicCode,
      revertData: dec.data,
      method: ctx.method,
      to: ctx.to,
      from: ctx.from,
      blockNumber: ctx.blockNumber,
      txHash: ctx.txHash,
    },
    cause,
  });
}
