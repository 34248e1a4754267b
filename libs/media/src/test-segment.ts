import { JobError } from './job.errors';
import { lastLines } from './ffmpeg-stats';
import { runProcess } from './process-runner';

export interface TestSegmentOptions {
  readonly seconds: number;
  readonly width: number;
  readonly height: number;
  /** Frame rate numerator (default 30). */
  readonly fps?: number;
  /** Frame rate denominator (default 1; 1001 with fps 30000 for 29.97). */
  readonly fpsDen?: number;
  /** Add a 440 Hz sine AAC track (default true). */
  readonly audio?: boolean;
  /** Include the video track (default true; false gives an audio-only segment for error tests). */
  readonly video?: boolean;
  /** Container (default mpegts). */
  readonly format?: 'mpegts' | 'mp4';
  /** Keyframe interval in frames (default: one keyframe per 2 s). */
  readonly gopFrames?: number;
  /** Video bitrate in bits/s (default: ~0.1 bit per pixel per frame). */
  readonly bitrateBps?: number;
  readonly ffmpegPath?: string;
  readonly timeoutMs?: number;
}

/**
 * A synthetic segment from ffmpeg's `testsrc2` (+ `sine` audio), H.264 (libx264 ultrafast, yuv420p)
 * in MPEG-TS (or fragmented MP4), produced through a pipe. For tests, benchmarks and the devnet.
 */
export async function makeTestSegment(o: TestSegmentOptions): Promise<Buffer> {
  const fps = o.fps ?? 30;
  const den = o.fpsDen ?? 1;
  const rate = den > 1 ? `${fps}/${den}` : String(fps);
  const gop = o.gopFrames ?? Math.max(1, Math.round((2 * fps) / Math.max(den, 1)));
  const bitrate = o.bitrateBps ?? Math.max(200_000, Math.round((o.width * o.height * fps) / Math.max(den, 1) / 10));
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'];
  const video = o.video !== false;
  const audio = o.audio !== false || !video;
  if (video) args.push('-f', 'lavfi', '-i', `testsrc2=size=${o.width}x${o.height}:rate=${rate}:duration=${o.seconds}`);
  if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${o.seconds}`);
  if (video) {
    args.push('-map', '0:v', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(gop), '-b:v', String(bitrate));
  }
  if (audio) args.push('-map', `${video ? 1 : 0}:a`, '-c:a', 'aac', '-b:a', '64k');
  if (o.format === 'mp4') args.push('-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', 'pipe:1');
  else args.push('-f', 'mpegts', 'pipe:1');
  const r = await runProcess({
    command: o.ffmpegPath ?? 'ffmpeg',
    args,
    captureStdout: true,
    timeoutMs: o.timeoutMs ?? 60_000,
    maxOutputBytes: 1024 * 1024 * 1024,
  });
  if (r.exitCode !== 0 || r.stdout.length === 0) {
    throw new JobError('ENCODER_FAILED', 'test segment generation failed', {
      details: { exitCode: r.exitCode, killed: r.killed, stderrTail: lastLines(r.stderr) },
    });
  }
  return r.stdout;
}
