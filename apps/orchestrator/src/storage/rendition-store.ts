export interface StoredRendition {
  data: Buffer;
  contentType: string;
  expiresAt: number;
}

export interface RenditionStoreOptions {
  maxBytes: number;
  ttlMs: number;
  clock?: () => number;
}

/**
 * In-memory rendition store behind `GET /stream/<sessionId>/<profile>/<seq>.<ext>` (Go's default
 * memory store): bounded by total bytes (least recently used evicted first) and by a TTL.
 */
export class RenditionStore {
  private readonly items = new Map<string, StoredRendition>();
  private bytes = 0;
  private readonly clock: () => number;

  constructor(private readonly o: RenditionStoreOptions) {
    this.clock = o.clock ?? Date.now;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get count(): number {
    return this.items.size;
  }

  put(path: string, data: Buffer, contentType: string): void {
    this.delete(path);
    if (data.length > this.o.maxBytes) return;
    this.items.set(path, { data, contentType, expiresAt: this.clock() + this.o.ttlMs });
    this.bytes += data.length;
    this.evict();
  }

  get(path: string): StoredRendition | undefined {
    const item = this.items.get(path);
    if (item === undefined) return undefined;
    if (item.expiresAt <= this.clock()) {
      this.delete(path);
      return undefined;
    }
    this.items.delete(path); // move to the most-recent end
    this.items.set(path, item);
    return item;
  }

  delete(path: string): void {
    const item = this.items.get(path);
    if (item === undefined) return;
    this.items.delete(path);
    this.bytes -= item.data.length;
  }

  /** Drops every expired item (called periodically so TTL bounds memory even without reads). */
  sweep(): void {
    const now = this.clock();
    for (const [k, v] of [...this.items]) if (v.expiresAt <= now) this.delete(k);
  }

  /** Drops everything stored under `<prefix>` (e.g. a session's directory). */
  deletePrefix(prefix: string): void {
    for (const k of [...this.items.keys()]) if (k.startsWith(prefix)) this.delete(k);
  }

  private evict(): void {
    const now = this.clock();
    for (const [k, v] of this.items) {
      if (this.bytes <= this.o.maxBytes && v.expiresAt > now) break;
      if (v.expiresAt <= now || this.bytes > this.o.maxBytes) this.delete(k);
    }
  }
}
