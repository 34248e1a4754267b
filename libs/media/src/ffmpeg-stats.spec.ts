import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyFfmpegFailure, lastLines, parseFfmpegStats } from './ffmpeg-stats';

const fixture = (name: string): string => readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8');

describe('ffmpeg log parsing (real ffmpeg 5.1 logs from fixtures/)', () => {
  it('reads each output’s size and encoded frame count, ignoring the input stream', () => {
    expect(parseFfmpegStats(fixture('ffmpeg-5.1-ladder-verbose.log'))).toEqual([
      { output: 0, width: 1280, height: 720, frames: 60 },
      { output: 1, width: 852, height: 480, frames: 60 },
      { output: 2, width: 640, height: 360, frames: 60 },
    ]);
  });

  it('no summary → no stats', () => {
    expect(parseFfmpegStats(fixture('ffmpeg-5.1-invalid-data.log'))).toEqual([]);
    expect(parseFfmpegStats('')).toEqual([]);
  });

  it('classifies failures', () => {
    expect(classifyFfmpegFailure(fixture('ffmpeg-5.1-invalid-data.log'))).toBe('INVALID_MEDIA');
    expect(classifyFfmpegFailure(fixture('ffmpeg-5.1-no-keyframes.log'))).toBe('NO_KEYFRAMES');
    expect(classifyFfmpegFailure(fixture('ffmpeg-5.1-no-video.log'))).toBe('NO_VIDEO');
    expect(classifyFfmpegFailure(fixture('ffmpeg-5.1-nvenc-no-cuda.log'))).toBe('ENCODER_FAILED');
    expect(classifyFfmpegFailure('Decoder (codec vp6) not found for input stream #0:0')).toBe('DECODER_NOT_FOUND');
    expect(classifyFfmpegFailure('[h264_nvenc @ 0x1] Unsupported input pixel format')).toBe('UNSUPPORTED_PIXEL_FORMAT');
    expect(classifyFfmpegFailure('Error setting option foo to value bar.\nInvalid argument')).toBe('INVALID_ARGUMENT');
    expect(classifyFfmpegFailure('Segmentation fault')).toBe('ENCODER_FAILED');
    // The optional audio map warns "matches no streams" on every silent input: not NO_VIDEO.
    expect(classifyFfmpegFailure("Stream map '0:a:0?' matches no streams; ignoring.\nConversion failed!")).toBe('ENCODER_FAILED');
  });

  it('lastLines keeps the tail, skipping blank lines, bounded', () => {
    expect(lastLines('a\n\nb\nc\n', 2)).toBe('b\nc');
    expect(lastLines('x'.repeat(5000), 8, 100)).toHaveLength(100);
  });
});
