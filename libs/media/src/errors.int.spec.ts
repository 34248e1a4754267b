import { readFileSync, readdirSync } from 'node:fs';
import { requireBinary } from '@lpts/testing';
import { FfmpegTranscoder, isJobError, makeTestSegment, probeMedia, probeVideo, rendition } from './index';
import type { JobError } from './index';

const ffmpegPath = requireBinary('ffmpeg');
const ffprobePath = requireBinary('ffprobe');
const transcoder = new FfmpegTranscoder({ ffmpegPath });
const ladder = [
  rendition({ name: 'a', width: 320, height: 180, bitrateBps: 300_000, fps: 30 }),
  rendition({ name: 'b', width: 256, height: 144, bitrateBps: 200_000, fps: 30 }),
];

/** Live child processes of this Jest worker whose command name is `name`. */
function children(name: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat);
      if (m && m[1] === name && Number(m[3]) === process.pid && m[2] !== 'Z') out.push(Number(entry));
    } catch {
      // process gone
    }
  }
  return out;
}

async function failure(p: Promise<unknown>): Promise<JobError> {
  try {
    await p;
  } catch (e) {
    if (isJobError(e)) return e;
    throw e;
  }
  throw new Error('expected a JobError');
}

describe('broken input and process control (real ffmpeg)', () => {
  let seg: Buffer;
  beforeAll(async () => {
    seg = await makeTestSegment({ seconds: 2, width: 320, height: 180, fps: 30, ffmpegPath });
  }, 30_000);
  afterEach(() => {
    expect(children('ffmpeg')).toEqual([]);
    expect(children('ffprobe')).toEqual([]);
  });

  it('random bytes → INVALID_MEDIA with ffmpeg’s last log lines', async () => {
    const junk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
    const e = await failure(transcoder.transcode({ input: junk, renditions: ladder }));
    expect(e.code).toBe('INVALID_MEDIA');
    expect(e.message).toBe('Invalid data found when processing input');
    expect(e.details).toMatchObject({ inputBytes: junk.length, renditions: 2, device: 'cpu', exitCode: 1 });
    expect(String(e.details['stderrTail'])).toMatch(/Invalid data found/);
    expect(e.retryable).toBe(false);
  }, 30_000);

  it('a TS cut to its first packets → typed JobError', async () => {
    const e = await failure(transcoder.transcode({ input: seg.subarray(0, 188 * 3), renditions: ladder }));
    expect(['INVALID_MEDIA', 'NO_KEYFRAMES']).toContain(e.code);
    expect(e.details['stderrTail']).toBeDefined();
  }, 30_000);

  it('a TS with its head (and only keyframe) cut off → NO_KEYFRAMES', async () => {
    const single = await makeTestSegment({ seconds: 2, width: 320, height: 180, fps: 30, gopFrames: 600, audio: false, ffmpegPath });
    const cut = single.subarray(Math.floor(single.length / 2 / 188) * 188);
    const e = await failure(transcoder.transcode({ input: cut, renditions: ladder }));
    expect(e.code).toBe('NO_KEYFRAMES');
    expect(e.message).toBe('No keyframes in input');
  }, 30_000);

  it('an input without video → NO_VIDEO', async () => {
    const audioOnly = await makeTestSegment({ seconds: 1, width: 320, height: 180, video: false, ffmpegPath });
    const info = await probeMedia(audioOnly, { ffprobePath });
    expect(info.video).toBeUndefined();
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 1 });
    const e = await failure(transcoder.transcode({ input: audioOnly, renditions: ladder }));
    expect(e.code).toBe('NO_VIDEO');
    await expect(probeVideo(audioOnly, { ffprobePath })).rejects.toMatchObject({ code: 'NO_VIDEO' });
  }, 30_000);

  it('empty input → INVALID_MEDIA without starting ffmpeg', async () => {
    const e = await failure(transcoder.transcode({ input: Buffer.alloc(0), renditions: ladder }));
    expect(e.code).toBe('INVALID_MEDIA');
  });

  it('timeout kills ffmpeg → TIMEOUT (retryable)', async () => {
    const slow = new FfmpegTranscoder({ ffmpegPath, timeoutMs: 50 });
    const big = await makeTestSegment({ seconds: 2, width: 1280, height: 720, fps: 30, ffmpegPath });
    const e = await failure(slow.transcode({ input: big, renditions: ladder }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.retryable).toBe(true);
    expect(e.details).toMatchObject({ timeoutMs: 50 });
  }, 30_000);

  it('abort kills ffmpeg → ABORTED', async () => {
    const ac = new AbortController();
    const p = transcoder.transcode({ input: seg, renditions: ladder, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('client went away')), 30);
    const e = await failure(p);
    expect(e.code).toBe('ABORTED');
    expect((e.cause as Error).message).toBe('client went away');
  }, 30_000);

  it('output cap kills ffmpeg → TOO_LARGE', async () => {
    const capped = new FfmpegTranscoder({ ffmpegPath, maxOutputBytes: 10_000 });
    const e = await failure(capped.transcode({ input: seg, renditions: ladder }));
    expect(e.code).toBe('TOO_LARGE');
    expect(e.details).toMatchObject({ maxOutputBytes: 10_000 });
  }, 30_000);

  it('a missing ffmpeg binary → BINARY_NOT_FOUND', async () => {
    const none = new FfmpegTranscoder({ ffmpegPath: '/nonexistent/ffmpeg' });
    const e = await failure(none.transcode({ input: seg, renditions: ladder }));
    expect(e.code).toBe('BINARY_NOT_FOUND');
    expect(e.details).toMatchObject({ errno: 'ENOENT' });
  });

  it('ffprobe on garbage → INVALID_MEDIA; on a segment → its facts', async () => {
    const e = await failure(probeVideo(Buffer.from('definitely not a video, just some text bytes'), { ffprobePath }));
    expect(e.code).toBe('INVALID_MEDIA');
    expect(String(e.details['stderrTail'])).toMatch(/Invalid data/);
    const v = await probeVideo(seg, { ffprobePath, countFrames: true });
    expect(v).toMatchObject({ codec: 'h264', width: 320, height: 180, pixFmt: 'yuv420p', fps: 30, frames: 60, decodedFrames: 60, formatName: 'mpegts' });
    expect(Math.abs(v.durationSec - 2)).toBeLessThan(0.05);
  }, 30_000);
});
