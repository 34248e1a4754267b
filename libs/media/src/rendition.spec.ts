import { VideoProfile_Format, VideoProfile_Profile, VideoProfile_VideoCodec, VIDEO_PRESETS, outputResolution, presetToVideoProfile } from '@lpts/protocol';
import { H264Profile, ScaleMode, frameRate, frameRateText, gopFrames, outputSize, rendition, renditionFromVideoProfile, validateRendition } from './rendition';

describe('rendition helpers', () => {
  it('outputSize FIT keeps the aspect inside the box with even sides', () => {
    expect(outputSize({ width: 1280, height: 720 }, { width: 1920, height: 1080 })).toEqual({ width: 1280, height: 720 });
    expect(outputSize({ width: 854, height: 480 }, { width: 1920, height: 1080 })).toEqual({ width: 854, height: 480 });
    expect(outputSize({ width: 1280, height: 720 }, { width: 1440, height: 1080 })).toEqual({ width: 960, height: 720 }); // 4:3 source
    expect(outputSize({ width: 1280, height: 720 }, { width: 1080, height: 1920 })).toEqual({ width: 406, height: 720 }); // portrait
    expect(outputSize({ width: 640, height: 360 }, { width: 2560, height: 1080 })).toEqual({ width: 640, height: 270 }); // ultra-wide
    expect(outputSize({ width: 427, height: 241 }, { width: 1920, height: 1080 })).toEqual({ width: 426, height: 240 }); // odd box
  });

  it('outputSize LPMS equals protocol outputResolution (the lpms rule)', () => {
    const sources = [
      { width: 1920, height: 1080 },
      { width: 1440, height: 1080 },
      { width: 1080, height: 1920 },
      { width: 720, height: 576 },
      { width: 1000, height: 1000 },
    ];
    for (const p of Object.values(VIDEO_PRESETS)) {
      for (const s of sources) expect(outputSize(p, s, ScaleMode.LPMS)).toEqual(outputResolution(p, s));
    }
  });

  it('frame rates and GOP frames', () => {
    expect(frameRateText({ fps: 30, fpsDen: 0 })).toBe('30');
    expect(frameRateText({ fps: 30000, fpsDen: 1001 })).toBe('30000/1001');
    expect(frameRateText({ fps: 0, fpsDen: 0 })).toBeUndefined();
    expect(frameRate({ fps: 30000, fpsDen: 1001 })).toBeCloseTo(29.97, 2);
    expect(gopFrames({ fps: 30, fpsDen: 0, gopMs: 2000 })).toBe(60);
    expect(gopFrames({ fps: 30000, fpsDen: 1001, gopMs: 1000 })).toBe(30);
    expect(gopFrames({ fps: 0, fpsDen: 0, gopMs: 1000 })).toBeUndefined();
    expect(gopFrames({ fps: 30, fpsDen: 0, gopMs: 0 })).toBeUndefined();
  });

  it('validateRendition names the bad field', () => {
    const ok = rendition({ name: 'x', width: 640, height: 360, bitrateBps: 1 });
    expect(() => validateRendition(ok)).not.toThrow();
    for (const [field, bad] of [
      ['name', { name: '' }],
      ['height', { height: 9000 }],
      ['bitrateBps', { bitrateBps: 0 }],
      ['fps', { fps: 29.97 }],
      ['fpsDen', { fpsDen: -1 }],
      ['format', { format: 'webm' }],
      ['h264Profile', { h264Profile: 'high444' }],
      ['gopMs', { gopMs: -2 }],
    ] as const) {
      expect(() => validateRendition({ ...ok, ...(bad as object) } as never, 3)).toThrow(
        expect.objectContaining({ code: 'INVALID_RENDITION', details: expect.objectContaining({ field, renditionIndex: 3 }) }),
      );
    }
  });

  it('maps a wire VideoProfile onto a rendition', () => {
    const p = presetToVideoProfile(VIDEO_PRESETS.P720p30fps16x9, {
      format: VideoProfile_Format.MP4,
      profile: VideoProfile_Profile.H264_CONSTRAINED_HIGH,
      fps: 30000,
      fpsDen: 1001,
      gop: 2000,
    });
    expect(renditionFromVideoProfile(p)).toEqual({
      name: 'P720p30fps16x9',
      width: 1280,
      height: 720,
      bitrateBps: 4_000_000,
      fps: 30000,
      fpsDen: 1001,
      format: 'mp4',
      h264Profile: H264Profile.CONSTRAINED_HIGH,
      gopMs: 2000,
    });
    expect(renditionFromVideoProfile(presetToVideoProfile(VIDEO_PRESETS.P240p30fps16x9, { gop: -1 })).gopMs).toBe(-1);
    expect(() => renditionFromVideoProfile(presetToVideoProfile(VIDEO_PRESETS.P240p30fps16x9, { encoder: VideoProfile_VideoCodec.H265 }), 2)).toThrow(
      expect.objectContaining({ code: 'INVALID_RENDITION', details: expect.objectContaining({ renditionIndex: 2, encoder: 1 }) }),
    );
  });
});
