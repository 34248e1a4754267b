import { JobError, JobErrorText } from './job.errors';
import { lastLines } from './ffmpeg-stats';
import { runProcess } from './process-runner';

export interface ProbeOptions {
  /** ffprobe binary (default `ffprobe` on PATH). */
  readonly ffprobePath?: string;
  /** Also decode every frame and report `decodedFrames` (slower). */
  readonly countFrames?: boolean;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface VideoStreamInfo {
  readonly codec: string;
  /** H.264 profile as ffprobe names it (`High`, `Main`, `Constrained Baseline`, …). */
  readonly profile: string | undefined;
  readonly width: number;
  readonly height: number;
  readonly pixFmt: string;
  /** Frame rate as ffprobe's r_frame_rate fraction (`30/1`, `30000/1001`). */
  readonly frameRate: string;
  readonly fps: number;
  /** Video packets in the container (one per encoded frame). */
  readonly frames: number;
  /** Frames that decode (only with `countFrames`). */
  readonly decodedFrames: number | undefined;
  /** Span of the video packets: last pts + its duration − first pts, in seconds. */
  readonly durationSec: number;
  readonly startTimeSec: number;
  /** Presentation times of the keyframe packets, ascending (seconds). */
  readonly keyframeTimes: readonly number[];
}

export interface AudioStreamInfo {
  readonly codec: string;
  readonly sampleRate: number;
  readonly channels: number;
}

export interface MediaInfo {
  /** Container as ffprobe names it (`mpegts`, `mov,mp4,m4a,3gp,3g2,mj2`, …). */
  readonly formatName: string;
  readonly sizeBytes: number;
  readonly video: VideoStreamInfo | undefined;
  readonly audio: AudioStreamInfo | undefined;
}

interface RawStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  nb_read_frames?: string;
}
interface RawPacket {
  stream_index?: number;
  pts_time?: string;
  duration_time?: string;
  flags?: string;
}
interface RawProbe {
  streams?: RawStream[];
  packets?: RawPacket[];
  format?: { format_name?: string };
}

function fraction(text: string | undefined): number {
  const [n, d] = (text ?? '0/1').split('/').map(Number);
  return n !== undefined && d !== undefined && d > 0 && Number.isFinite(n) ? n / d : 0;
}

/**
 * Probes media bytes with ffprobe reading stdin (`-i pipe:0`): container, first video and audio
 * stream, and the video packets (count, time span, keyframe times). Garbage → JobError INVALID_MEDIA
 * with ffprobe's last log lines in details.
 */
export async function probeMedia(data: Uint8Array, o: ProbeOptions = {}): Promise<MediaInfo> {
  const command = o.ffprobePath ?? 'ffprobe';
  if (data.length === 0) {
    throw new JobError('INVALID_MEDIA', JobErrorText.INVALID_MEDIA, { details: { inputBytes: 0 } });
  }
  const args = ['-hide_banner', '-v', 'error', '-of', 'json', '-show_format', '-show_streams'];
  args.push('-show_entries', 'packet=stream_index,pts_time,duration_time,flags');
  if (o.countFrames) args.push('-count_frames');
  args.push('-i', 'pipe:0');
  const r = await runProcess({
    command,
    args,
    input: data,
    captureStdout: true,
    timeoutMs: o.timeoutMs ?? 30_000,
    maxOutputBytes: 256 * 1024 * 1024,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  if (r.killed === 'timeout') {
    throw new JobError('TIMEOUT', JobErrorText.TIMEOUT, { retryable: true, details: { timeoutMs: o.timeoutMs ?? 30_000, command } });
  }
  if (r.killed === 'abort') throw new JobError('ABORTED', JobErrorText.ABORTED, { cause: o.signal?.reason });
  if (r.exitCode !== 0) {
    throw new JobError('INVALID_MEDIA', JobErrorText.INVALID_MEDIA, {
      details: { inputBytes: data.length, exitCode: r.exitCode, stderrTail: lastLines(r.stderr) },
    });
  }
  let raw: RawProbe;
  try {
    raw = JSON.parse(r.stdout.toString('utf8')) as RawProbe;
  } catch (cause) {
    throw new JobError('INVALID_MEDIA', JobErrorText.INVALID_MEDIA, { cause, details: { inputBytes: data.length, stdoutBytes: r.stdout.length } });
  }
  const streams = raw.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video');
  const a = streams.find((s) => s.codec_type === 'audio');
  let video: VideoStreamInfo | undefined;
  if (v) {
    const packets = (raw.packets ?? []).filter((p) => p.stream_index === v.index && p.pts_time !== undefined && p.pts_time !== 'N/A');
    const pts = packets.map((p) => Number(p.pts_time));
    const start = pts.length > 0 ? Math.min(...pts) : 0;
    const end = packets.reduce((m, p) => Math.max(m, Number(p.pts_time) + (Number(p.duration_time) || 0)), start);
    video = {
      codec: v.codec_name ?? 'unknown',
      profile: v.profile,
      width: v.width ?? 0,
      height: v.height ?? 0,
      pixFmt: v.pix_fmt ?? 'unknown',
      frameRate: v.r_frame_rate ?? '0/0',
      fps: fraction(v.r_frame_rate),
      frames: packets.length,
      decodedFrames: v.nb_read_frames !== undefined ? Number(v.nb_read_frames) : undefined,
      durationSec: end - start,
      startTimeSec: start,
      keyframeTimes: packets
        .filter((p) => p.flags?.startsWith('K') === true)
        .map((p) => Number(p.pts_time))
        .sort((x, y) => x - y),
    };
  }
  const audio = a ? { codec: a.codec_name ?? 'unknown', sampleRate: Number(a.sample_rate ?? 0), channels: a.channels ?? 0 } : undefined;
  return { formatName: raw.format?.format_name ?? 'unknown', sizeBytes: data.length, video, audio };
}

/** probeMedia, requiring a video stream (JobError NO_VIDEO otherwise). */
export async function probeVideo(data: Uint8Array, o: ProbeOptions = {}): Promise<VideoStreamInfo & { readonly formatName: string }> {
  const info = await probeMedia(data, o);
  if (!info.video) {
    throw new JobError('NO_VIDEO', 'No video stream in input', { details: { inputBytes: data.length, format: info.formatName } });
  }
  return { ...info.video, formatName: info.formatName };
}

/** Encoded pixels of a rendition measured from its bytes: Σ width × height over its video frames. */
export async function countPixels(data: Uint8Array, o: ProbeOptions = {}): Promise<number> {
  const v = await probeVideo(data, o);
  return v.frames * v.width * v.height;
}
