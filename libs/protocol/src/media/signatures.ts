import { concatBytes, uint256Bytes } from '../bytes/bytes';
import { toChecksumAddress } from '../crypto/address';
import { keccak256, keccak256Utf8 } from '../crypto/keccak';
import { SignatureError, personalSign, recoverPersonalSigner } from '../crypto/secp256k1';
import type { SegData } from '../gen/net/lp_rpc_pb';
import { hash32FromWire } from '../wire/fields';
import { MediaError, MediaErrorText } from './media.errors';
import { profileId } from './profiles';

/* ---------- segment credentials (§3.3) ---------- */

export interface SegmentCredentials {
  /** Raw manifest id bytes (UTF-8 of the stream id). */
  manifestId: Uint8Array;
  seq: bigint;
  /** keccak256 of the segment bytes (32 bytes; shorter/longer input is read like Go's BytesToHash). */
  hash: Uint8Array;
  /** Profile names in output order (their ids go into Flatten). */
  profileNames: readonly string[];
}

/** Segment credentials of a received SegData, with profile names as received (after naming unnamed ones). */
export function segmentCredentials(seg: SegData, profileNames: readonly string[]): SegmentCredentials {
  return { manifestId: seg.manifestId, seq: seg.seq, hash: seg.hash, profileNames };
}

/**
 * Flatten = manifestId ‖ uint256(seq) ‖ hash(32) ‖ ASCII lower-hex of the concatenated 4-byte profile ids.
 * (Go's big.Int.Bytes() drops the sign, so a negative seq is written as its absolute value.)
 */
export function flattenSegmentCredentials(c: SegmentCredentials): Uint8Array {
  const seq = c.seq < 0n ? -c.seq : c.seq;
  const profilesHex = c.profileNames.map(profileId).join('');
  return concatBytes(c.manifestId, uint256Bytes(seq), hash32FromWire(c.hash), Buffer.from(profilesHex, 'ascii'));
}

/** SegData.sig = personalSign(keccak256(Flatten)). */
export function signSegmentCredentials(privateKey: Uint8Array, c: SegmentCredentials): Uint8Array {
  return personalSign(privateKey, keccak256(flattenSegmentCredentials(c)));
}

/**
 * Verifies SegData.sig against Payment.sender; throws MediaError `ErrSegSig` (details say why).
 * `offchain: true` accepts anything, as Go does without an ETH account (only when configured so).
 */
export function verifySegmentCredentials(
  c: SegmentCredentials,
  sig: Uint8Array,
  sender: Uint8Array,
  options: { offchain?: boolean } = {},
): void {
  if (options.offchain) return;
  const reason = signatureProblem(keccak256(flattenSegmentCredentials(c)), sig, sender);
  if (reason !== undefined) {
    throw new MediaError('SEGMENT_SIGNATURE', MediaErrorText.SEGMENT_SIGNATURE, {
      details: { reason, sigLength: sig.length, senderLength: sender.length, seq: c.seq },
    });
  }
}

/** undefined when `sig` is `signer`'s personal signature of `message`, else the reason. */
function signatureProblem(message: Uint8Array, sig: Uint8Array, signer: Uint8Array): string | undefined {
  try {
    const recovered = recoverPersonalSigner(message, sig);
    return Buffer.compare(Buffer.from(recovered), Buffer.from(signer)) === 0 ? undefined : 'signature does not match address';
  } catch (e) {
    if (e instanceof SignatureError) return e.failure;
    throw e;
  }
}

/* ---------- transcode result signature (§3.2) ---------- */

/** keccak256(keccak256(rendition₀) ‖ … ‖ keccak256(renditionₙ₋₁)). */
export function transcodeResultHash(renditions: readonly Uint8Array[]): Uint8Array {
  return keccak256(...renditions.map((r) => keccak256(r)));
}

/** TranscodeData.sig by the O over the rendition bytes. */
export function signTranscodeResult(privateKey: Uint8Array, renditions: readonly Uint8Array[]): Uint8Array {
  return personalSign(privateKey, transcodeResultHash(renditions));
}

/** True iff `sig` is `orchestrator`'s signature over the renditions (malformed sigs → false). */
export function verifyTranscodeResult(orchestrator: Uint8Array, renditions: readonly Uint8Array[], sig: Uint8Array): boolean {
  return signatureProblem(transcodeResultHash(renditions), sig, orchestrator) === undefined;
}

/* ---------- OrchestratorRequest.sig (§3.2) ---------- */

/** Text an O answers when OrchestratorRequest.sig does not verify. */
export const ORCHESTRATOR_REQUEST_SIG_FAILED = 'Invalid orchestrator request: orchestrator req sig check failed';

/** keccak256 of the gateway address as EIP-55 text (42 chars). */
export function orchestratorRequestHash(address: Uint8Array | string): Uint8Array {
  return keccak256Utf8(toChecksumAddress(address));
}

export function signOrchestratorRequest(privateKey: Uint8Array, address: Uint8Array | string): Uint8Array {
  return personalSign(privateKey, orchestratorRequestHash(address));
}

/** True iff `sig` is `address`'s signature over its own checksummed address (malformed → false). */
export function verifyOrchestratorRequest(address: Uint8Array, sig: Uint8Array): boolean {
  if (address.length !== 20) return false;
  return signatureProblem(orchestratorRequestHash(address), sig, address) === undefined;
}

/* ---------- Ping (§3.2) ---------- */

/** The O's Ping reply value: personalSign(keccak256(value)). */
export function signPing(privateKey: Uint8Array, value: Uint8Array): Uint8Array {
  return personalSign(privateKey, keccak256(value));
}

export function verifyPing(orchestrator: Uint8Array, value: Uint8Array, reply: Uint8Array): boolean {
  return signatureProblem(keccak256(value), reply, orchestrator) === undefined;
}
