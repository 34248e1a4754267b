import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { lastLines, runProcess } from '@lpts/media';
import { VodError } from './vod.errors';

export interface InputInfo {
  videoCodec: string;
  durationSec: number;
}

export interface CutSegment {
  path: string;
  durationMs: number;
}

/** ffprobe of the input file: it must be media with a video stream. */
export async function probeInput(path: string, timeoutMs = 30_000): Promise<InputInfo> {
  const r = await runProcess({
    command: 'ffprobe',
    args: ['-hide_banner', '-v', 'error', '-of', 'json', '-show_entries', 'stream=codec_type,codec_name:format=duration,format_name', path],
    captureStdout: true,
    timeoutMs,
    maxOutputBytes: 1024 * 1024,
  });
  let parsed: { streams?: { codec_type?: string; codec_name?: string }[]; format?: { duration?: string } } = {};
  try {
    parsed = JSON.parse(r.stdout.toString('utf8') || '{}') as typeof parsed;
  } catch {
    parsed = {};
  }
  const video = parsed.streams?.find((s) => s.codec_type === 'video');
  if (r.exitCode !== 0 || !video?.codec_name) {
    throw new VodError('INPUT_NOT_MEDIA', video ? 'input could not be read as media' : 'input is not media with a video stream', {
      details: { exitCode: r.exitCode, stderrTail: lastLines(r.stderr) },
    });
  }
  return { videoCodec: video.codec_name, durationSec: Number(parsed.format?.duration ?? NaN) };
}

/**
 * Cuts the input into ~segmentS MPEG-TS segments at keyframes: stream copy when the video is
 * H.264, else a re-encode to H.264 (keyframe every segmentS) with AAC audio.
 */
export async function segmentInput(input: string, outDir: string, segmentS: number, info: InputInfo, timeoutMs: number): Promise<CutSegment[]> {
  const copy = info.videoCodec === 'h264';
  const codec = copy
    ? ['-c', 'copy']
    : ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-force_key_frames', `expr:gte(t,n_forced*${segmentS})`, '-c:a', 'aac', '-b:a', '128k'];
  const list = join(outDir, 'segments.csv');
  const r = await runProcess({
    command: 'ffmpeg',
    args: [
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-i', input, '-map', '0:v:0', '-map', '0:a:0?', ...codec,
      '-f', 'segment', '-segment_time', String(segmentS), '-segment_format', 'mpegts', '-segment_list', list, '-segment_list_type', 'csv',
      join(outDir, 'seg%06d.ts'),
    ],
    timeoutMs,
    maxOutputBytes: 1024,
  });
  if (r.exitCode !== 0) {
    throw new VodError('SEGMENTING_FAILED', `ffmpeg could not segment the input: ${lastLines(r.stderr)}`, {
      details: { exitCode: r.exitCode, killed: r.killed, copy },
    });
  }
  const segments: CutSegment[] = [];
  for (const line of (await readFile(list, 'utf8')).split('\n')) {
    const [file, start, end] = line.trim().split(',');
    if (!file || start === undefined || end === undefined) continue;
    segments.push({ path: join(outDir, file), durationMs: Math.max(1, Math.round((Number(end) - Number(start)) * 1000)) });
  }
  if (segments.length === 0) throw new VodError('SEGMENTING_FAILED', 'ffmpeg produced no segments', { details: { copy } });
  return segments;
}

/** Downloads an http(s) URL to `path`, at most `limit` bytes, within `timeoutMs`. */
export async function downloadInput(url: string, path: string, limit: number, timeoutMs: number): Promise<number> {
  let res: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch (e) {
    throw new VodError('INPUT_UNREACHABLE', `input URL could not be fetched: ${(e as Error).message}`, { cause: e, details: { url } });
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new VodError('INPUT_UNREACHABLE', `input URL answered HTTP ${res.status}`, { details: { url, status: res.status } });
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await res.body.cancel();
    throw new VodError('INPUT_TOO_LARGE', `input of ${declared} bytes is over the ${limit} byte limit`, { details: { url, bytes: declared, limit } });
  }
  let bytes = 0;
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (c: Buffer) => {
    bytes += c.length;
    if (bytes > limit) body.destroy(new VodError('INPUT_TOO_LARGE', `input is over the ${limit} byte limit`, { details: { url, limit } }));
  });
  try {
    await pipeline(body, createWriteStream(path));
  } catch (e) {
    if (e instanceof VodError) throw e;
    throw new VodError('INPUT_UNREACHABLE', `input download failed: ${(e as Error).message}`, { cause: e, details: { url, bytes } });
  }
  return bytes;
}
