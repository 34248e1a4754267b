import { create } from '@bufbuild/protobuf';
import { SegDataSchema, VideoProfileSchema, VideoProfile_Format, VideoProfile_Profile, VideoProfile_VideoCodec } from '../gen/net/lp_rpc_pb';
import { addressFromPrivateKey, personalSign } from '../crypto/secp256k1';
import { keccak256 } from '../crypto/keccak';
import { toChecksumAddress } from '../crypto/address';
import { concatBytes, fromHex, uint256Bytes } from '../bytes/bytes';
import {
  DEFAULT_TRANSCODING_PROFILES,
  PRESET_LOOKUP,
  VIDEO_PRESETS,
  chooseProfilesField,
  formatBitrate,
  outputResolution,
  parseBitrate,
  parsePresetList,
  presetToVideoProfile,
  profileId,
  readSegDataProfiles,
  segmentDurationMs,
  setSegDataProfiles,
} from './profiles';
import {
  flattenSegmentCredentials,
  orchestratorRequestHash,
  signOrchestratorRequest,
  signPing,
  signSegmentCredentials,
  signTranscodeResult,
  transcodeResultHash,
  verifyOrchestratorRequest,
  verifyPing,
  verifySegmentCredentials,
  verifyTranscodeResult,
} from './signatures';
import { MediaError, isMediaError } from './media.errors';

// public anvil dev key #2 (shared/vectors/signatures.json) — test only
const KEY = fromHex('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const ADDR = addressFromPrivateKey(KEY);
const OTHER = fromHex('0x' + '11'.repeat(32));

function thrown(f: () => unknown): MediaError {
  try {
    f();
  } catch (e) {
    if (e instanceof MediaError) return e;
    throw e;
  }
  throw new Error('expected a MediaError');
}

describe('video presets (§3.5)', () => {
  it.each(Object.values(VIDEO_PRESETS))('$name has id $id', (p) => {
    expect(profileId(p.name)).toBe(p.id);
  });

  it('lookup table leaves out P144p25fps16x9; default ladder parses', () => {
    expect(Object.keys(VIDEO_PRESETS)).toHaveLength(14);
    expect(PRESET_LOOKUP['P144p25fps16x9']).toBeUndefined();
    expect(PRESET_LOOKUP['P144p30fps16x9']).toBe(VIDEO_PRESETS.P144p30fps16x9);
    expect(parsePresetList(DEFAULT_TRANSCODING_PROFILES).map((p) => p.name)).toEqual(['P240p30fps16x9', 'P360p30fps16x9']);
    expect(thrown(() => parsePresetList('P144p25fps16x9')).code).toBe('UNKNOWN_PRESET');
  });

  it('bitrate strings Nk are N×1000 bits/s', () => {
    expect(parseBitrate('6000k')).toBe(6_000_000);
    expect(parseBitrate('400k')).toBe(400_000);
    expect(parseBitrate('1234')).toBe(1234);
    expect(formatBitrate(600_000)).toBe('600k');
    expect(thrown(() => parseBitrate('fast')).code).toBe('INVALID_BITRATE');
    const p = presetToVideoProfile(VIDEO_PRESETS.P720p60fps16x9);
    expect(p).toMatchObject({ name: 'P720p60fps16x9', width: 1280, height: 720, bitrate: 6_000_000, fps: 60 });
  });
});

describe('SegData profiles fields (§1.3)', () => {
  const base = presetToVideoProfile(VIDEO_PRESETS.P240p30fps16x9);
  const mp4 = create(VideoProfileSchema, { ...base, format: VideoProfile_Format.MP4 });
  const frac = create(VideoProfileSchema, { ...base, fps: 30000, fpsDen: 1001 });

  it('gateway picks fullProfiles / fullProfiles2 / fullProfiles3', () => {
    expect(chooseProfilesField([base, base])).toBe('fullProfiles');
    expect(chooseProfilesField([base, mp4])).toBe('fullProfiles2');
    expect(chooseProfilesField([base, frac])).toBe('fullProfiles3');
    expect(chooseProfilesField([create(VideoProfileSchema, { ...base, profile: VideoProfile_Profile.H264_MAIN })])).toBe('fullProfiles3');
    expect(chooseProfilesField([create(VideoProfileSchema, { ...base, gop: 2000 })])).toBe('fullProfiles3');
    expect(chooseProfilesField([create(VideoProfileSchema, { ...mp4, encoder: VideoProfile_VideoCodec.H265 })])).toBe('fullProfiles3');
    const seg = create(SegDataSchema, { fullProfiles: [base] });
    expect(setSegDataProfiles(seg, [mp4])).toBe('fullProfiles2');
    expect(seg.fullProfiles).toEqual([]);
    expect(seg.fullProfiles2).toHaveLength(1);
  });

  it('O reads 3 → 2 → 1 and names unnamed profiles', () => {
    const named = (n: string) => create(VideoProfileSchema, { ...base, name: n });
    expect(readSegDataProfiles(create(SegDataSchema, { fullProfiles: [named('a')], fullProfiles2: [named('b')], fullProfiles3: [named('c')] }))[0]?.name).toBe('c');
    expect(readSegDataProfiles(create(SegDataSchema, { fullProfiles: [named('a')], fullProfiles2: [named('b')] }))[0]?.name).toBe('b');
    expect(readSegDataProfiles(create(SegDataSchema, { fullProfiles: [named('a')] }))[0]?.name).toBe('a');
    expect(readSegDataProfiles(create(SegDataSchema, {}))).toEqual([]);
    expect(readSegDataProfiles(create(SegDataSchema, { fullProfiles: [create(VideoProfileSchema, { width: 640, height: 360, bitrate: 900000 })] }))[0]?.name).toBe('net_640x360_900000');
  });

  it('unknown enum values fail with Livepeer’s texts and the numbers', () => {
    const bad = (init: object) => create(SegDataSchema, { fullProfiles3: [base, create(VideoProfileSchema, { ...base, ...init })] });
    const f = thrown(() => readSegDataProfiles(bad({ format: 7 })));
    expect([f.code, f.message, f.details]).toEqual(['UNRECOGNIZED_FORMAT', 'unrecognized profile output format', { profileIndex: 1, format: 7 }]);
    expect(thrown(() => readSegDataProfiles(bad({ profile: 9 }))).message).toBe('unrecognized encoder profile');
    expect(thrown(() => readSegDataProfiles(bad({ encoder: 4 }))).message).toBe('unrecognized video codec');
  });

  it('duration: 0 → 2000 ms, out of range → invalid duration', () => {
    expect(segmentDurationMs({ duration: 0 })).toBe(2000);
    expect(segmentDurationMs({ duration: 300000 })).toBe(300000);
    const e = thrown(() => segmentDurationMs({ duration: 300001 }));
    expect([e.message, e.details['durationMs']]).toEqual(['invalid duration', 300001]);
    expect(isMediaError(thrown(() => segmentDurationMs({ duration: -1 })), 'INVALID_DURATION')).toBe(true);
  });

  it('output size keeps the source aspect ratio, fitting the larger dimension', () => {
    expect(outputResolution({ width: 1280, height: 720 }, { width: 1920, height: 1080 })).toEqual({ width: 1280, height: 720 });
    expect(outputResolution({ width: 640, height: 360 }, { width: 1440, height: 1080 })).toEqual({ width: 640, height: 480 });
    expect(outputResolution({ width: 1280, height: 720 }, { width: 1080, height: 1920 })).toEqual({ width: 406, height: 720 });
    expect(outputResolution({ width: 426, height: 240 }, { width: 720, height: 720 })).toEqual({ width: 426, height: 426 });
    expect(thrown(() => outputResolution({ width: 0, height: 240 }, { width: 1, height: 1 })).code).toBe('INVALID_RESOLUTION');
  });
});

describe('segment credentials (§3.3)', () => {
  const hash = keccak256(Buffer.from('segment bytes'));
  const creds = { manifestId: Buffer.from('stream-1'), seq: 42n, hash, profileNames: ['P240p30fps16x9', 'P360p30fps16x9'] };

  it('Flatten = manifestId ‖ uint256 seq ‖ hash ‖ lower-hex profile ids', () => {
    const flat = flattenSegmentCredentials(creds);
    const expected = concatBytes(Buffer.from('stream-1'), uint256Bytes(42n), hash, Buffer.from('c0a6517a93c717e7', 'ascii'));
    expect(Buffer.from(flat).equals(Buffer.from(expected))).toBe(true);
    expect(flat).toHaveLength(8 + 32 + 32 + 16);
    expect(Buffer.from(flat.subarray(40, 72)).equals(Buffer.from(hash))).toBe(true);
    expect(Buffer.from(flat.subarray(72)).toString('ascii')).toBe('c0a6517a93c717e7');
  });

  it('signs and verifies against Payment.sender; tampering fails with ErrSegSig', () => {
    const sig = signSegmentCredentials(KEY, creds);
    expect(sig).toHaveLength(65);
    expect(() => verifySegmentCredentials(creds, sig, ADDR)).not.toThrow();
    const wrongSeq = thrown(() => verifySegmentCredentials({ ...creds, seq: 43n }, sig, ADDR));
    expect([wrongSeq.code, wrongSeq.message, wrongSeq.details['reason']]).toEqual(['SEGMENT_SIGNATURE', 'ErrSegSig', 'signature does not match address']);
    expect(thrown(() => verifySegmentCredentials({ ...creds, profileNames: ['P240p30fps16x9'] }, sig, ADDR)).code).toBe('SEGMENT_SIGNATURE');
    expect(thrown(() => verifySegmentCredentials(creds, sig, addressFromPrivateKey(OTHER))).code).toBe('SEGMENT_SIGNATURE');
    expect(thrown(() => verifySegmentCredentials(creds, sig.subarray(0, 64), ADDR)).details).toMatchObject({ reason: 'invalid signature length', sigLength: 64 });
    expect(() => verifySegmentCredentials(creds, new Uint8Array(0), ADDR, { offchain: true })).not.toThrow();
  });

  it('the signed digest is personalSign(keccak256(Flatten))', () => {
    expect(Buffer.from(signSegmentCredentials(KEY, creds)).equals(Buffer.from(personalSign(KEY, keccak256(flattenSegmentCredentials(creds)))))).toBe(true);
  });
});

describe('result, OrchestratorRequest and Ping signatures (§3.2)', () => {
  it('result signature covers keccak(concat keccak(rendition_i))', () => {
    const [r0, r1] = [Buffer.from('rendition-0'), Buffer.from('rendition-1')];
    const r = [r0, r1];
    expect(Buffer.from(transcodeResultHash(r)).equals(Buffer.from(keccak256(concatBytes(keccak256(r0), keccak256(r1)))))).toBe(true);
    const sig = signTranscodeResult(KEY, r);
    expect(verifyTranscodeResult(ADDR, r, sig)).toBe(true);
    expect(verifyTranscodeResult(ADDR, [r1, r0], sig)).toBe(false);
    expect(verifyTranscodeResult(ADDR, r, new Uint8Array(10))).toBe(false);
  });

  it('OrchestratorRequest.sig is over keccak of the EIP-55 address text', () => {
    expect(Buffer.from(orchestratorRequestHash(ADDR)).equals(Buffer.from(keccak256(Buffer.from(toChecksumAddress(ADDR), 'utf8'))))).toBe(true);
    expect(toChecksumAddress(ADDR)).toBe('0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC');
    const sig = signOrchestratorRequest(KEY, ADDR);
    expect(verifyOrchestratorRequest(ADDR, sig)).toBe(true);
    expect(verifyOrchestratorRequest(addressFromPrivateKey(OTHER), sig)).toBe(false);
    // signing the lower-case text instead would not verify
    const lower = personalSign(KEY, keccak256(Buffer.from(toChecksumAddress(ADDR).toLowerCase(), 'utf8')));
    expect(verifyOrchestratorRequest(ADDR, lower)).toBe(false);
  });

  it('Ping reply signs keccak256(value)', () => {
    const v = Buffer.from('ping-nonce');
    const reply = signPing(KEY, v);
    expect(verifyPing(ADDR, v, reply)).toBe(true);
    expect(verifyPing(ADDR, Buffer.from('other'), reply)).toBe(false);
  });
});
