import { FakeTranscoder } from './transcoder.fake';
import { JobError } from './job.errors';
import { rendition } from './rendition';

describe('FakeTranscoder', () => {
  it('returns deterministic renditions with pixel counts from the spec', async () => {
    const t = new FakeTranscoder();
    const specs = [
      rendition({ name: 'a', width: 1280, height: 720, bitrateBps: 1, fps: 30 }),
      rendition({ name: 'b', width: 640, height: 360, bitrateBps: 1, fps: 0, format: 'mp4' }),
    ];
    const r = await t.transcode({ input: Buffer.from('seg'), renditions: specs });
    expect(r.renditions.map((x) => [x.name, x.format, x.width, x.height, x.frames, x.pixels])).toEqual([
      ['a', 'mpegts', 1280, 720, 60, 60 * 1280 * 720],
      ['b', 'mp4', 640, 360, 60, 60 * 640 * 360],
    ]);
    expect(r.pixels).toBe(60 * (1280 * 720 + 640 * 360));
    const again = await t.transcode({ input: Buffer.from('seg'), renditions: specs });
    expect(again.renditions[0]?.data.equals(r.renditions[0]?.data ?? Buffer.alloc(0))).toBe(true);
    expect(r.renditions[0]?.data.length).toBeGreaterThanOrEqual(25);
    expect(t.calls).toHaveLength(2);
  });

  it('fails on demand and validates renditions', async () => {
    const t = new FakeTranscoder();
    t.failNext(new JobError('TIMEOUT', 'Transcode took too long'));
    await expect(t.transcode({ input: Buffer.from('x'), renditions: [] })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(t.transcode({ input: Buffer.from('x'), renditions: [rendition({ name: 'a', width: 0, height: 2, bitrateBps: 1 })] })).rejects.toMatchObject({
      code: 'INVALID_RENDITION',
    });
  });
});
