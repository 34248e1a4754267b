import { randomBytes } from 'node:crypto';
import { probeMedia } from '@lpts/media';
import type { Logger } from '@lpts/platform';
import { GatewayError } from '../common/gateway.errors';
import type { GatewayMetrics } from '../metrics/gateway.metrics';
import type { SegmentDispatcher, SegmentOutcome } from '../sessions/segment-dispatcher';
import type { RenditionStore } from '../storage/rendition-store';

/** Stream names: URL-safe, bounded (they become the manifest id on the wire). */
const STREAM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function parseStreamName(name: string): string {
  if (!STREAM_NAME.test(name)) {
    throw new GatewayError('BAD_REQUEST', `invalid stream name ${JSON.stringify(name.slice(0, 140))}: use 1–128 of [A-Za-z0-9_.-]`, { details: { stream: name.slice(0, 140) } });
  }
  return name;
}

/** `<seq>.ts` or ffmpeg's `<name><seq>.ts` → seq. */
export function parseSegmentFile(file: string): number {
  const m = /(\d{1,15})\.ts$/.exec(file);
  if (!m) throw new GatewayError('BAD_REQUEST', `segment file name ${JSON.stringify(file.slice(0, 140))} must end in <seq>.ts`, { details: { file: file.slice(0, 140) } });
  return Number(m[1]);
}

export const DEFAULT_SEGMENT_MS = 2000;

/** The push/playback use cases behind the HTTP controllers. */
export class LiveService {
  readonly boundary = () => `lpts${randomBytes(12).toString('hex')}`;

  constructor(
    private readonly dispatcher: SegmentDispatcher,
    private readonly store: RenditionStore,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
  ) {}

  /** Duration from `Content-Duration` (ms), else measured with ffprobe, else 2 s (Go's default). */
  async segmentDurationMs(data: Buffer, header: string | undefined): Promise<number> {
    if (header !== undefined && /^\d+$/.test(header.trim())) {
      const ms = Number(header.trim());
      if (ms > 0 && ms <= 300_000) return ms;
    }
    try {
      const info = await probeMedia(data, { timeoutMs: 5000 });
      const d = info.video?.durationSec;
      if (d !== undefined && d > 0) return Math.round(d * 1000);
    } catch (e) {
      throw new GatewayError('BAD_REQUEST', `segment is not decodable media: ${(e as Error).message}`, { details: { bytes: data.length }, cause: e });
    }
    return DEFAULT_SEGMENT_MS;
  }

  async pushSegment(streamId: string, seq: number, data: Buffer, durationHeader: string | undefined): Promise<SegmentOutcome & { durationMs: number }> {
    if (data.length === 0) throw new GatewayError('BAD_REQUEST', 'empty segment body', { details: { stream: streamId, seq } });
    this.store.touch(streamId, seq);
    this.metrics.streams.set(this.store.streamCount);
    const durationMs = await this.segmentDurationMs(data, durationHeader);
    const outcome = await this.dispatcher.transcode(streamId, seq, data, durationMs);
    this.store.put(
      streamId,
      seq,
      durationMs,
      outcome.renditions.map((r) => ({ name: r.name, data: r.data, width: r.width, height: r.height })),
    );
    this.metrics.storageBytes.set(this.store.bytes);
    return { ...outcome, durationMs };
  }

  /** The playlist ffmpeg PUTs beside its segments: recorded; ENDLIST ends the stream. */
  pushPlaylist(streamId: string, text: string): { ended: boolean } {
    const s = this.store.touch(streamId);
    s.clientPlaylist = text.slice(0, 1_000_000);
    const ended = /#EXT-X-ENDLIST/.test(text);
    if (ended) {
      const seqs = [...text.matchAll(/(\d{1,15})\.ts\s*$/gm)].map((m) => Number(m[1]));
      this.store.end(streamId, seqs.length > 0 ? Math.max(...seqs) : undefined);
    }
    return { ended };
  }

  endStream(streamId: string): void {
    if (!this.store.end(streamId)) throw new GatewayError('NOT_FOUND', `unknown stream ${streamId}`, { details: { stream: streamId } });
    this.dispatcher.forgetStream(streamId);
  }

  sweep(): void {
    for (const id of this.store.sweep()) {
      this.dispatcher.forgetStream(id);
      this.logger.info({ stream: id }, 'idle stream dropped');
    }
    this.metrics.streams.set(this.store.streamCount);
    this.metrics.storageBytes.set(this.store.bytes);
  }

  master(streamId: string): string {
    const m = this.store.masterPlaylist(streamId);
    if (m === undefined) throw new GatewayError('NOT_FOUND', `unknown stream ${streamId}`, { details: { stream: streamId } });
    return m;
  }

  media(streamId: string, profile: string): string {
    const m = this.store.mediaPlaylist(streamId, profile);
    if (m === undefined) throw new GatewayError('NOT_FOUND', `unknown stream or rendition ${streamId}/${profile}`, { details: { stream: streamId, profile } });
    return m;
  }

  segment(streamId: string, profile: string, seq: number): Buffer {
    const r = this.store.rendition(streamId, profile, seq);
    if (r === undefined) throw new GatewayError('NOT_FOUND', `no segment ${seq} of ${streamId}/${profile}`, { details: { stream: streamId, profile, seq } });
    return r.data;
  }
}

/** multipart/mixed push response (§2.7). */
export function multipartBody(boundary: string, seq: number, renditions: readonly { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const r of renditions) {
    const file = `${r.name}_${seq}.ts`;
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Type: video/mp2t; name="${file}"\r\nContent-Length: ${r.data.length}\r\n` +
          `Content-Disposition: attachment; filename="${file}"\r\nRendition-Name: ${r.name}\r\n\r\n`,
      ),
      r.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}
