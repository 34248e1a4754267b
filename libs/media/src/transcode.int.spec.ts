import { requireBinary } from '@lpts/testing';
import { FfmpegTranscoder, H264Profile, OutputFormat, countPixels, makeTestSegment, outputSize, probeMedia, probeVideo, rendition } from './index';
import type { RenditionSpec } from './index';

const ffmpegPath = requireBinary('ffmpeg');
const ffprobePath = requireBinary('ffprobe');
const transcoder = new FfmpegTranscoder({ ffmpegPath });

/** P720p30fps16x9-style ladder (720p / 480p / 360p at 30 fps). */
const LADDER: RenditionSpec[] = [
  rendition({ name: 'P720p30fps16x9', width: 1280, height: 720, bitrateBps: 4_000_000, fps: 30 }),
  rendition({ name: 'P480p30fps16x9', width: 854, height: 480, bitrateBps: 2_000_000, fps: 30 }),
  rendition({ name: 'P360p30fps16x9', width: 640, height: 360, bitrateBps: 1_200_000, fps: 30 }),
];

describe('FfmpegTranscoder (real ffmpeg)', () => {
  let seg1080: Buffer;
  let seg360: Buffer;

  beforeAll(async () => {
    [seg1080, seg360] = await Promise.all([
      makeTestSegment({ seconds: 2, width: 1920, height: 1080, fps: 30, ffmpegPath }),
      makeTestSegment({ seconds: 2, width: 640, height: 360, fps: 30, ffmpegPath }),
    ]);
  }, 60_000);

  it('transcodes a 2 s 1080p segment to a 720p/480p/360p ladder with exact pixel counts', async () => {
    const result = await transcoder.transcode({ input: seg1080, renditions: LADDER });
    expect(result.renditions.map((r) => r.name)).toEqual(LADDER.map((r) => r.name));
    let total = 0;
    for (const [i, out] of result.renditions.entries()) {
      const spec = LADDER[i] as RenditionSpec;
      const want = outputSize(spec, { width: 1920, height: 1080 });
      const probe = await probeVideo(out.data, { ffprobePath, countFrames: true });
      expect(probe.formatName).toBe('mpegts');
      expect(probe.codec).toBe('h264');
      expect({ w: probe.width, h: probe.height }).toEqual({ w: want.width, h: want.height });
      expect({ w: out.width, h: out.height }).toEqual({ w: want.width, h: want.height });
      expect(Math.abs(probe.durationSec - 2)).toBeLessThanOrEqual(0.1);
      expect(probe.frames).toBe(60);
      expect(probe.decodedFrames).toBe(60);
      expect(out.frames).toBe(60);
      expect(out.pixels).toBe(60 * want.width * want.height);
      expect(out.pixels).toBe(await countPixels(out.data, { ffprobePath }));
      total += out.pixels;
    }
    expect(result.pixels).toBe(total);
    expect(result.renditions[2]?.pixels).toBe(60 * 230_400);
  }, 60_000);

  it('writes fragmented MP4 to a pipe, keeps audio, and honours the H.264 profile', async () => {
    const specs = [
      rendition({ name: 'mp4-main', width: 640, height: 360, bitrateBps: 800_000, format: OutputFormat.MP4, h264Profile: H264Profile.MAIN }),
      rendition({ name: 'ts-baseline', width: 320, height: 180, bitrateBps: 300_000, h264Profile: H264Profile.BASELINE }),
    ];
    const result = await transcoder.transcode({ input: seg360, renditions: specs });
    const [mp4, ts] = result.renditions;
    const pm = await probeVideo(mp4?.data ?? Buffer.alloc(0), { ffprobePath });
    expect(pm.formatName).toContain('mp4');
    expect(pm.profile).toBe('Main');
    expect(pm).toMatchObject({ codec: 'h264', width: 640, height: 360, frames: 60 });
    expect(Math.abs(pm.durationSec - 2)).toBeLessThanOrEqual(0.1);
    const pt = await probeVideo(ts?.data ?? Buffer.alloc(0), { ffprobePath });
    expect(pt.profile).toMatch(/Baseline/);
    expect(pt).toMatchObject({ width: 320, height: 180, frames: 60 });
    expect(mp4?.pixels).toBe(60 * 230_400);
    for (const out of result.renditions) {
      expect((await probeMedia(out.data, { ffprobePath })).audio).toMatchObject({ codec: 'aac', sampleRate: 48000 });
    }
  }, 60_000);

  it('honours fractional fps (30000/1001) and a GOP in ms', async () => {
    const specs = [
      rendition({ name: 'ntsc-gop500', width: 640, height: 360, bitrateBps: 800_000, fps: 30000, fpsDen: 1001, gopMs: 500 }),
      rendition({ name: 'chigh-gop1000', width: 320, height: 180, bitrateBps: 300_000, fps: 15, gopMs: 1000, h264Profile: H264Profile.CONSTRAINED_HIGH }),
    ];
    const result = await transcoder.transcode({ input: seg360, renditions: specs });
    const a = await probeVideo(result.renditions[0]?.data ?? Buffer.alloc(0), { ffprobePath });
    expect(a.frameRate).toBe('30000/1001');
    expect(a.frames).toBe(60);
    const gapsA = a.keyframeTimes.slice(1).map((t, i) => t - (a.keyframeTimes[i] as number));
    expect(a.keyframeTimes.length).toBe(4);
    for (const g of gapsA) expect(Math.abs(g - 0.5)).toBeLessThan(1 / 29.97 + 1e-6);

    const b = await probeVideo(result.renditions[1]?.data ?? Buffer.alloc(0), { ffprobePath });
    expect(b.fps).toBe(15);
    expect(b.frames).toBe(30);
    expect(b.profile).toBe('High');
    expect(b.keyframeTimes.length).toBe(2);
    expect((b.keyframeTimes[1] as number) - (b.keyframeTimes[0] as number)).toBeCloseTo(1, 3);
    expect(result.renditions[1]?.pixels).toBe(30 * 320 * 180);
  }, 60_000);
});
