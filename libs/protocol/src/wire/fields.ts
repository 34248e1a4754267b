import { create } from '@bufbuild/protobuf';
import { bigIntToMinimalBytes, bytesToAddressBytes, bytesToBigInt, fromHex } from '../bytes/bytes';
import { TicketExpirationParamsSchema, TicketParamsSchema } from '../gen/net/lp_rpc_pb';
import type { TicketParams } from '../gen/net/lp_rpc_pb';
import { WireError } from './wire.errors';

/**
 * Field conventions of the wire (PROTOCOL.md §0): big integers are unsigned big-endian bytes of
 * minimal length (zero = empty), addresses are 20 raw bytes, hashes 32 raw bytes.
 */

/** Big integer → minimal big-endian bytes. Negative values cannot go on the wire. */
export function bigIntToWire(value: bigint, field = 'value'): Uint8Array {
  if (value < 0n) {
    throw new WireError('INVALID_FIELD', `${field} must be non-negative, got ${value}`, {
      details: { field, value, problem: 'negative big integer' },
    });
  }
  return bigIntToMinimalBytes(value);
}

/** Big-endian bytes → big integer; leading zeros are accepted (decoders must, §0). */
export function bigIntFromWire(bytes: Uint8Array): bigint {
  return bytesToBigInt(bytes);
}

/** Address (0x text or 20 bytes) → the 20 raw bytes sent on the wire. */
export function addressToWire(address: string | Uint8Array, field = 'address'): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = typeof address === 'string' ? fromHex(address) : address;
  } catch (cause) {
    throw new WireError('INVALID_FIELD', `${field} is not hex`, {
      details: { field, textLength: (address as string).length, problem: 'invalid hex' },
      cause,
    });
  }
  if (bytes.length !== 20) {
    throw new WireError('INVALID_FIELD', `${field} must be 20 bytes, got ${bytes.length}`, {
      details: { field, byteLength: bytes.length, expected: 20 },
    });
  }
  return bytes;
}

/** Wire bytes → 20-byte address the way Go parses it (last 20 bytes, or left-padded). */
export function addressFromWire(bytes: Uint8Array): Uint8Array {
  return bytesToAddressBytes(bytes);
}

/** Wire bytes → 32-byte hash the way Go's BytesToHash parses it (last 32 bytes, or left-padded). */
export function hash32FromWire(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 32) return bytes;
  if (bytes.length > 32) return bytes.subarray(bytes.length - 32);
  const out = new Uint8Array(32);
  out.set(bytes, 32 - bytes.length);
  return out;
}

/** TicketParams with its numbers as bigints (the form the pm code works with). */
export interface TicketParamsValues {
  recipient: Uint8Array;
  faceValue: bigint;
  winProb: bigint;
  recipientRandHash: Uint8Array;
  seed: bigint;
  expirationBlock: bigint;
  expirationParams?: { creationRound: bigint; creationRoundBlockHash: Uint8Array } | undefined;
}

export function ticketParamsToWire(v: TicketParamsValues): TicketParams {
  return create(TicketParamsSchema, {
    recipient: addressToWire(v.recipient, 'recipient'),
    faceValue: bigIntToWire(v.faceValue, 'faceValue'),
    winProb: bigIntToWire(v.winProb, 'winProb'),
    recipientRandHash: v.recipientRandHash,
    seed: bigIntToWire(v.seed, 'seed'),
    expirationBlock: bigIntToWire(v.expirationBlock, 'expirationBlock'),
    expirationParams:
      v.expirationParams === undefined
        ? undefined
        : create(TicketExpirationParamsSchema, {
            creationRound: v.expirationParams.creationRound,
            creationRoundBlockHash: v.expirationParams.creationRoundBlockHash,
          }),
  });
}

/** Reads TicketParams; big integers are re-minimised implicitly (leading zeros accepted). */
export function ticketParamsFromWire(m: TicketParams): TicketParamsValues {
  return {
    recipient: addressFromWire(m.recipient),
    faceValue: bigIntFromWire(m.faceValue),
    winProb: bigIntFromWire(m.winProb),
    recipientRandHash: hash32FromWire(m.recipientRandHash),
    seed: bigIntFromWire(m.seed),
    expirationBlock: bigIntFromWire(m.expirationBlock),
    expirationParams:
      m.expirationParams === undefined
        ? undefined
        : {
            creationRound: m.expirationParams.creationRound,
            creationRoundBlockHash: hash32FromWire(m.expirationParams.creationRoundBlockHash),
          },
  };
}
