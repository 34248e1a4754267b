import fc from 'fast-check';
import { create } from '@bufbuild/protobuf';
import { CapabilitiesSchema, VideoProfileSchema, VideoProfile_Format, VideoProfile_Profile, VideoProfile_VideoCodec } from '../gen/net/lp_rpc_pb';
import { AiPipeline, Capability, CapabilityName, capabilityName, capabilityToPipeline, pipelineToCapability } from './capability-ids';
import {
  DEFAULT_BITSTRING,
  DEFAULT_CAPABILITIES,
  LEGACY_BITSTRING,
  bitstringHas,
  bitstringSubset,
  bitstringToCapabilities,
  buildCapabilities,
  capabilitiesToBitstring,
  capabilityCapacity,
  capabilityIds,
  isLegacyOnly,
  modelConstraints,
  transcodingJobCapabilities,
} from './capabilities';
import { checkCompatibility } from './compatibility';
import { compareSemVer, parseSemVer, satisfiesMinVersion } from './semver';
import type { SemVer } from './semver';

describe('capability ids and pipelines', () => {
  it('names every id 0..37 and maps pipelines by Go’s rule', () => {
    for (let i = 0; i <= 37; i++) expect(CapabilityName[i as Capability]).toBeTruthy();
    expect(pipelineToCapability('text-to-image')).toBe(27);
    expect(pipelineToCapability('llm')).toBe(33);
    expect(pipelineToCapability('segment-anything-2')).toBe(32);
    expect(pipelineToCapability('live-video-to-video')).toBe(35);
    expect(pipelineToCapability('nope')).toBeUndefined();
    expect(pipelineToCapability('')).toBeUndefined();
    for (const [p, cap] of Object.entries(AiPipeline)) {
      expect(pipelineToCapability(p)).toBe(cap);
      expect(capabilityToPipeline(cap)).toBe(p);
    }
    expect(capabilityName(99)).toBe('Capability(99)');
  });
});

describe('bitstring (§4.2)', () => {
  it('default set is one word 0x4005FFF, legacy 0xFFF', () => {
    expect(DEFAULT_BITSTRING).toEqual([0x4005fffn]);
    expect(DEFAULT_BITSTRING[0]).toBe(67133439n);
    expect(LEGACY_BITSTRING).toEqual([0xfffn]);
    expect(bitstringToCapabilities(DEFAULT_BITSTRING)).toEqual([...DEFAULT_CAPABILITIES]);
  });

  it('grows to the word needed and round-trips any set', () => {
    expect(capabilitiesToBitstring([64])).toEqual([0n, 1n]);
    expect(capabilitiesToBitstring([63])).toEqual([1n << 63n]);
    expect(capabilitiesToBitstring([-1, -2])).toEqual([]);
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat({ max: 200 })), (ids) => {
        const words = capabilitiesToBitstring(ids);
        expect(bitstringToCapabilities(words)).toEqual([...ids].sort((a, b) => a - b));
        for (const id of ids) expect(bitstringHas(words, id)).toBe(true);
      }),
    );
  });

  it('subset is word-wise and needs no more words', () => {
    expect(bitstringSubset([0b101n], [0b111n])).toBe(true);
    expect(bitstringSubset([0b101n], [0b110n])).toBe(false);
    expect(bitstringSubset([1n, 0n], [1n])).toBe(false);
    expect(isLegacyOnly([0xfffn])).toBe(true);
    expect(isLegacyOnly(DEFAULT_BITSTRING)).toBe(false);
  });
});

describe('Capabilities messages', () => {
  it('builds capacities (1 by default), version, minVersion and model constraints', () => {
    const caps = buildCapabilities({
      capabilities: [...DEFAULT_CAPABILITIES, Capability.TextToImage],
      capacities: { [Capability.TextToImage]: 3 },
      version: '0.9.1',
      models: { [Capability.TextToImage]: { 'stabilityai/sdxl-turbo': { warm: true, capacity: 2, runnerVersion: '0.14.0' } } },
    });
    expect(caps.bitstring).toEqual([0x4005fffn | (1n << 27n)]);
    expect(capabilityCapacity(caps, 0)).toBe(1);
    expect(capabilityCapacity(caps, 27)).toBe(3);
    expect(capabilityCapacity(caps, 30)).toBe(0);
    expect(caps.version).toBe('0.9.1');
    expect(modelConstraints(caps, 27)?.['stabilityai/sdxl-turbo']).toMatchObject({ warm: true, capacity: 2, runnerVersion: '0.14.0' });
    expect(modelConstraints(caps, 28)).toBeUndefined();
    expect(capabilityIds(caps)).toContain(27);
    expect(buildCapabilities({ capabilities: [1] }).constraints).toBeUndefined();
  });
});

describe('semver (rule 1)', () => {
  it('parses leniently and strips pre-release/build', () => {
    expect(parseSemVer('v1.2')).toEqual({ major: 1n, minor: 2n, patch: 0n });
    expect(parseSemVer('0.9.1-dev+abc')).toEqual({ major: 0n, minor: 9n, patch: 1n });
    expect(parseSemVer('x.y')).toBeUndefined();
    expect(compareSemVer(parseSemVer('0.10.0') as SemVer, parseSemVer('0.9.9') as SemVer)).toBe(1);
    expect(satisfiesMinVersion('0.9.1-rc1', '0.9.1')).toBe(true);
    expect(satisfiesMinVersion('0.9.0', '0.9.1-rc1')).toBe(false);
    expect(satisfiesMinVersion('', '')).toBe(true);
    expect(satisfiesMinVersion('whatever', 'not-a-version')).toBe(true);
  });
});

describe('compatibility (§4.3)', () => {
  const orch = (extra: Partial<Parameters<typeof buildCapabilities>[0]> = {}) =>
    buildCapabilities({ capabilities: DEFAULT_CAPABILITIES, version: '0.9.1', ...extra });
  const job = (extra: Partial<Parameters<typeof buildCapabilities>[0]> = {}) =>
    buildCapabilities({ capabilities: [Capability.AuthToken, Capability.H264, Capability.MPEGTS], ...extra });

  it('passes a plain transcoding job against the default set; an absent job is the empty set', () => {
    expect(checkCompatibility(job(), orch())).toEqual({ compatible: true });
    expect(checkCompatibility(undefined, orch())).toEqual({ compatible: true });
  });

  it('rule 1: min version', () => {
    expect(checkCompatibility(job({ minVersion: '0.9.0' }), orch()).compatible).toBe(true);
    expect(checkCompatibility(job({ minVersion: '0.9.1' }), orch({ version: '0.9.1-dev' })).compatible).toBe(true);
    expect(checkCompatibility(job({ minVersion: 'garbage' }), orch({ version: '' })).compatible).toBe(true);
    const tooOld = checkCompatibility(job({ minVersion: '0.9.2' }), orch());
    expect(tooOld).toMatchObject({ compatible: false, reason: 'VERSION', details: { orchestratorVersion: '0.9.1', minVersion: '0.9.2' } });
    for (const v of ['', 'undefined', 'banana']) {
      expect(checkCompatibility(job({ minVersion: '0.1.0' }), orch({ version: v }))).toMatchObject({ reason: 'VERSION' });
    }
  });

  it('rule 2: orchestrator mandatories must be in the job', () => {
    expect(checkCompatibility(job(), orch({ mandatories: [Capability.AuthToken] })).compatible).toBe(true);
    expect(checkCompatibility(job(), orch({ mandatories: [Capability.GOP] }))).toMatchObject({
      compatible: false,
      reason: 'MANDATORIES',
      details: { missing: '11' },
    });
    expect(checkCompatibility(job(), orch({ mandatories: [70] }))).toMatchObject({ reason: 'MANDATORIES', details: { mandatoryWords: 2, jobWords: 1 } });
  });

  it('rule 3: models, warm and runner version', () => {
    const ai = [...DEFAULT_CAPABILITIES, Capability.TextToImage];
    const o = orch({
      capabilities: ai,
      models: { 27: { warm: { warm: true, runnerVersion: '0.14.1' }, cold: { warm: false, runnerVersion: '0.14.1' } } },
    });
    const j = (model: string, c: { warm?: boolean; runnerVersion?: string }) =>
      buildCapabilities({ capabilities: [12, 27], models: { 27: { [model]: c } } });
    expect(checkCompatibility(j('warm', { warm: true, runnerVersion: '0.14.0' }), o).compatible).toBe(true);
    expect(checkCompatibility(j('cold', {}), o).compatible).toBe(true);
    expect(checkCompatibility(j('other', {}), o)).toMatchObject({ reason: 'MODEL_MISSING', details: { capability: 27, model: 'other' } });
    expect(checkCompatibility(j('cold', { warm: true }), o)).toMatchObject({ reason: 'MODEL_NOT_WARM' });
    expect(checkCompatibility(j('warm', { runnerVersion: '0.15.0' }), o)).toMatchObject({
      reason: 'RUNNER_VERSION',
      details: { runnerVersion: '0.14.1', minRunnerVersion: '0.15.0' },
    });
    // O without constraints for the capability: pass
    expect(checkCompatibility(j('anything', { warm: true }), orch({ capabilities: ai })).compatible).toBe(true);
  });

  it('rule 4: job bits ⊆ orchestrator bits, word count too', () => {
    expect(checkCompatibility(job({ capabilities: [12, 27] }), orch())).toMatchObject({ reason: 'BITSTRING', details: { missing: '27' } });
    const twoWords = create(CapabilitiesSchema, { bitstring: [1n, 0n] });
    expect(checkCompatibility(twoWords, orch())).toMatchObject({ reason: 'BITSTRING', details: { jobWords: 2, orchestratorWords: 1 } });
  });

  it('an O without capabilities suits legacy-only jobs only', () => {
    expect(checkCompatibility(job({ capabilities: [0, 1] }), undefined).compatible).toBe(true);
    expect(checkCompatibility(job(), undefined)).toMatchObject({ reason: 'NO_CAPABILITIES', details: { missing: '12' } });
  });
});

describe('transcoding job capabilities (§4.4)', () => {
  const p = (init: Parameters<typeof create<typeof VideoProfileSchema>>[1]) => create(VideoProfileSchema, init);
  it('always has auth token; adds per-output format/encoder/fps/profile/gop caps', () => {
    expect(transcodingJobCapabilities({ profiles: [] })).toEqual([12]);
    expect(transcodingJobCapabilities({ profiles: [p({})], input: { codec: 'H264' } })).toEqual([0, 1, 12]);
    expect(
      transcodingJobCapabilities({
        profiles: [
          p({ format: VideoProfile_Format.MP4, encoder: VideoProfile_VideoCodec.H265, fpsDen: 1001, profile: VideoProfile_Profile.H264_HIGH, gop: 2000 }),
          p({ encoder: VideoProfile_VideoCodec.VP9 }),
        ],
        fastVerification: true,
        clipping: true,
        storage: 's3',
        input: { codec: 'H264', chroma: '422', bitDepth: 10 },
      }),
    ).toEqual([0, 1, 2, 3, 5, 9, 11, 12, 14, 16, 20, 24, 26]);
    expect(transcodingJobCapabilities({ profiles: [], input: { codec: 'H264', chroma: '420', bitDepth: 10 } })).toEqual([0, 12, 25]);
    expect(transcodingJobCapabilities({ profiles: [], input: { codec: 'HEVC' }, storage: 'gcs' })).toEqual([6, 12, 15]);
  });
});
