import type { VideoPreset } from '@lpts/protocol';
import { hlsMasterPlaylist, hlsMediaPlaylist } from './hls-playlist';

export interface StoredRendition {
  name: string;
  data: Buffer;
  width: number | undefined;
  height: number | undefined;
}

export interface StoredSegment {
  seq: number;
  durationMs: number;
  renditions: Map<string, StoredRendition>;
  bytes: number;
}

export interface StreamRecord {
  id: string;
  segments: Map<number, StoredSegment>;
  ended: boolean;
  /** Segments with seq above this re-open an ended stream (a later push after ENDLIST). */
  endedAfterSeq: number;
  lastPushAt: number;
  /** The last playlist the client pushed (ffmpeg -f hls PUTs it), kept for inspection. */
  clientPlaylist: string | undefined;
}

export interface StoreOptions {
  maxBytes: number;
  windowSegments: number;
  idleMs: number;
}

/**
 * In-memory rendition storage with a global byte budget (oldest segments of any stream go first)
 * and a per-stream window of N segments; idle streams are dropped. Serves the HLS playlists.
 */
export class RenditionStore {
  private readonly streams = new Map<string, StreamRecord>();
  /** Insertion order of (stream, seq) for global eviction. */
  private readonly order: { stream: string; seq: number }[] = [];
  private totalBytes = 0;

  constructor(
    private readonly presets: readonly VideoPreset[],
    private readonly options: StoreOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get bytes(): number {
    return this.totalBytes;
  }

  get streamCount(): number {
    return this.streams.size;
  }

  stream(id: string): StreamRecord | undefined {
    return this.streams.get(id);
  }

  touch(id: string, seq?: number): StreamRecord {
    let s = this.streams.get(id);
    if (s === undefined) {
      s = { id, segments: new Map(), ended: false, endedAfterSeq: -1, lastPushAt: this.now(), clientPlaylist: undefined };
      this.streams.set(id, s);
    }
    s.lastPushAt = this.now();
    if (s.ended && seq !== undefined && seq > s.endedAfterSeq) s.ended = false;
    return s;
  }

  put(streamId: string, seq: number, durationMs: number, renditions: readonly StoredRendition[]): StoredSegment {
    const s = this.touch(streamId, seq);
    const old = s.segments.get(seq);
    if (old) this.totalBytes -= old.bytes;
    const bytes = renditions.reduce((n, r) => n + r.data.length, 0);
    const seg: StoredSegment = { seq, durationMs, renditions: new Map(renditions.map((r) => [r.name, r])), bytes };
    s.segments.set(seq, seg);
    this.totalBytes += bytes;
    if (!old) this.order.push({ stream: streamId, seq });
    // Per-stream window.
    if (s.segments.size > this.options.windowSegments) {
      const seqs = [...s.segments.keys()].sort((a, b) => a - b);
      for (const q of seqs.slice(0, s.segments.size - this.options.windowSegments)) this.drop(s, q);
    }
    // Global byte budget (never evicts the segment just stored).
    while (this.totalBytes > this.options.maxBytes && this.order.length > 1) {
      const o = this.order.shift() as { stream: string; seq: number };
      if (o.stream === streamId && o.seq === seq) {
        this.order.push(o);
        break;
      }
      const st = this.streams.get(o.stream);
      if (st) this.drop(st, o.seq, false);
    }
    return seg;
  }

  private drop(s: StreamRecord, seq: number, fromOrder = true): void {
    const seg = s.segments.get(seq);
    if (!seg) return;
    s.segments.delete(seq);
    this.totalBytes -= seg.bytes;
    if (fromOrder) {
      const i = this.order.findIndex((o) => o.stream === s.id && o.seq === seq);
      if (i >= 0) this.order.splice(i, 1);
    }
  }

  /** Ends a stream after `lastSeq` (default: the highest stored): playlists get #EXT-X-ENDLIST. */
  end(id: string, lastSeq?: number): boolean {
    const s = this.streams.get(id);
    if (!s) return false;
    s.ended = true;
    s.endedAfterSeq = Math.max(lastSeq ?? -1, ...s.segments.keys());
    return true;
  }

  remove(id: string): void {
    const s = this.streams.get(id);
    if (!s) return;
    for (const seq of [...s.segments.keys()]) this.drop(s, seq);
    this.streams.delete(id);
  }

  /** Drops streams idle for longer than idleMs; returns their ids. */
  sweep(): string[] {
    const cutoff = this.now() - this.options.idleMs;
    const gone = [...this.streams.values()].filter((s) => s.lastPushAt < cutoff).map((s) => s.id);
    for (const id of gone) this.remove(id);
    return gone;
  }

  rendition(streamId: string, profile: string, seq: number): StoredRendition | undefined {
    return this.streams.get(streamId)?.segments.get(seq)?.renditions.get(profile);
  }

  profileNames(): string[] {
    return this.presets.map((p) => p.name);
  }

  /** HLS master playlist: one variant per rendition. */
  masterPlaylist(streamId: string): string | undefined {
    const s = this.streams.get(streamId);
    if (!s) return undefined;
    return hlsMasterPlaylist(streamId, this.presets, (profile) => {
      for (const seg of s.segments.values()) {
        const r = seg.renditions.get(profile);
        if (r?.width !== undefined && r.height !== undefined) return { width: r.width, height: r.height };
      }
      return undefined;
    });
  }

  /** HLS media playlist of one rendition (ENDLIST once the stream ended). */
  mediaPlaylist(streamId: string, profile: string): string | undefined {
    const s = this.streams.get(streamId);
    if (!s || !this.presets.some((p) => p.name === profile)) return undefined;
    return hlsMediaPlaylist(profile, [...s.segments.values()].filter((x) => x.renditions.has(profile)), s.ended);
  }
}
