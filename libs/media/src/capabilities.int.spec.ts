import { Capability } from '@lpts/protocol';
import { requireBinary } from '@lpts/testing';
import { describeProbeFailures, probeCapabilities } from './index';

const ffmpegPath = requireBinary('ffmpeg');

describe('probeCapabilities (real ffmpeg, no GPU on this machine)', () => {
  it('NVENC on a listed GPU fails cleanly and the node ends up CPU-only with libx264', async () => {
    const caps = await probeCapabilities({ ffmpegPath, gpus: [0] });
    expect(caps.mode).toBe('cpu');
    expect(caps.gpus).toEqual([]);
    expect(caps.devices).toEqual([{ kind: 'cpu' }]);
    expect(caps.encoders).toEqual(['libx264']);
    expect(caps.ffmpegVersion).toMatch(/^\d/);

    const gpu = caps.probes.find((p) => p.device.kind === 'gpu');
    expect(gpu).toMatchObject({ ok: false, encoder: 'h264_nvenc', capabilities: [] });
    expect(gpu?.error?.code).toBe('ENCODER_FAILED');
    expect(describeProbeFailures(caps)[0]).toMatch(/^gpu 0 \(h264_nvenc\): ENCODER_FAILED/);

    // Output features, all proven by real encodes.
    for (const c of [
      Capability.H264,
      Capability.MPEGTS,
      Capability.MP4,
      Capability.FractionalFramerates,
      Capability.ProfileH264Baseline,
      Capability.ProfileH264Main,
      Capability.ProfileH264High,
      Capability.ProfileH264ConstrainedHigh,
      Capability.GOP,
    ]) {
      expect(caps.capabilities).toContain(c);
    }
    // Software decoders of Debian's ffmpeg: HEVC, VP8, VP9 and the H.264 chroma/bit-depth variants.
    for (const c of [15, 17, 18, 21, 22, 23, 24, 25]) expect(caps.capabilities).toContain(c);
    expect([...caps.decoders].sort()).toEqual(['h264', 'hevc', 'vp8', 'vp9']);
    // Never advertised by this engine (H.264 output only; storage/auth are not media caps).
    for (const c of [Capability.HEVCEncode, Capability.VP8Encode, Capability.VP9Encode, Capability.AuthToken]) {
      expect(caps.capabilities).not.toContain(c);
    }
    expect([...caps.capabilities]).toEqual([...caps.capabilities].sort((a, b) => a - b));
  }, 60_000);

  it('a missing ffmpeg gives mode none and no capabilities', async () => {
    const caps = await probeCapabilities({ ffmpegPath: '/nonexistent/ffmpeg', gpus: [0] });
    expect(caps).toMatchObject({ mode: 'none', capabilities: [], gpus: [], devices: [] });
    expect(caps.probes[0]?.error?.code).toBe('BINARY_NOT_FOUND');
  });
});
