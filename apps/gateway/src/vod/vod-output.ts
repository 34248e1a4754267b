import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { VideoPreset } from '@lpts/protocol';
import { hlsMasterPlaylist, hlsMediaPlaylist, type PlaylistSegment } from '../storage/hls-playlist';

/** bullmq ids of VOD jobs (also the names of their folders under GATEWAY_VOD_DIR). */
export const VOD_JOB_ID = /^[0-9a-f]{16}$/;
const VOD_STREAM = /^vod-([0-9a-f]{16})$/;
/** Rendition (lpms preset) names as they appear in URLs and folder names. */
const RENDITION = /^[A-Za-z0-9_]{1,64}$/;
const MASTER = 'master.m3u8';
const COMPLETED = 'completed.json';

/** The HLS stream name of a VOD job's output. */
export function vodStreamName(id: string): string {
  return `vod-${id}`;
}

/** `vod-<16 hex>` → the job id; any other stream name → undefined (a live stream). */
export function vodJobIdOfStream(stream: string): string | undefined {
  return VOD_STREAM.exec(stream)?.[1];
}

/** What `completed.json` holds: written last, once every segment and the ended playlists are on disk. */
export interface VodCompletion {
  finishedAt: number;
  segments: number;
  durationMs: number;
}

export interface OutputRendition {
  name: string;
  data: Buffer;
  width: number | undefined;
  height: number | undefined;
}

/**
 * Writes `data` to `path` through a temp file in the same folder and a rename, so a reader (or a
 * restart after a crash) sees the old file or the whole new one, never part of it. With `sync` the
 * data is on disk before the rename (a power loss cannot leave a renamed but empty file).
 */
async function writeAtomic(path: string, data: string | Buffer, sync: boolean): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      if (sync) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** fsync of a folder: the renames done in it survive a power loss. */
async function syncDir(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/**
 * VOD job outputs on disk, beside the uploaded inputs:
 *
 * ```
 * <dir>/<jobId>/input                        the upload, until the job ends
 * <dir>/<jobId>/out/<rendition>/<seq>.ts     rendition segments
 * <dir>/<jobId>/out/<rendition>.m3u8         media playlists (#EXT-X-ENDLIST once completed)
 * <dir>/<jobId>/out/master.m3u8              master playlist
 * <dir>/<jobId>/out/completed.json           written last: the job's output is complete
 * ```
 *
 * Every file is written atomically (temp file + rename); playlists list only segments already
 * renamed into place. Playlists are built by the same code as the live streams' (hls-playlist.ts).
 */
export class VodOutputStore {
  constructor(
    readonly dir: string,
    private readonly presets: readonly VideoPreset[],
  ) {}

  jobDir(id: string): string {
    return join(this.dir, id);
  }

  outDir(id: string): string {
    return join(this.dir, id, 'out');
  }

  /** A run of job `id` starts: whatever an earlier attempt left in its out folder is removed first. */
  async begin(id: string): Promise<VodOutputWriter> {
    const out = this.outDir(id);
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { recursive: true });
    return new VodOutputWriter(id, out, this.presets);
  }

  async master(id: string): Promise<string | undefined> {
    if (!VOD_JOB_ID.test(id)) return undefined;
    return (await readIfExists(join(this.outDir(id), MASTER)))?.toString('utf8');
  }

  async media(id: string, rendition: string): Promise<string | undefined> {
    if (!VOD_JOB_ID.test(id) || !RENDITION.test(rendition)) return undefined;
    return (await readIfExists(join(this.outDir(id), `${rendition}.m3u8`)))?.toString('utf8');
  }

  async segment(id: string, rendition: string, seq: number): Promise<Buffer | undefined> {
    if (!VOD_JOB_ID.test(id) || !RENDITION.test(rendition) || !Number.isSafeInteger(seq) || seq < 0) return undefined;
    return readIfExists(join(this.outDir(id), rendition, `${seq}.ts`));
  }

  /** The completion record of job `id`, if its output is complete. */
  async completion(id: string): Promise<VodCompletion | undefined> {
    if (!VOD_JOB_ID.test(id)) return undefined;
    const raw = await readIfExists(join(this.outDir(id), COMPLETED));
    if (raw === undefined) return undefined;
    try {
      const c = JSON.parse(raw.toString('utf8')) as VodCompletion;
      if (typeof c.finishedAt === 'number') return c;
    } catch {
      // fall through: an unreadable record counts from the file's time
    }
    return { finishedAt: (await stat(join(this.outDir(id), COMPLETED))).mtimeMs, segments: 0, durationMs: 0 };
  }

  /** Job ids that have a folder here. */
  async jobIds(): Promise<string[]> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(this.dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return entries.filter((e) => e.isDirectory() && VOD_JOB_ID.test(e.name)).map((e) => e.name);
  }

  /** The newest modification time of job `id`'s folder and its direct entries (an upload in progress keeps it fresh). */
  async lastWriteMs(id: string): Promise<number> {
    const dir = this.jobDir(id);
    let newest = (await stat(dir)).mtimeMs;
    for (const name of await readdir(dir)) {
      try {
        newest = Math.max(newest, (await stat(join(dir, name))).mtimeMs);
      } catch {
        // removed meanwhile
      }
    }
    return newest;
  }

  /** Removes job `id`'s folder (input and output); false when there was none. */
  async remove(id: string): Promise<boolean> {
    if (!VOD_JOB_ID.test(id)) return false;
    const dir = this.jobDir(id);
    try {
      await stat(dir);
    } catch {
      return false;
    }
    await rm(dir, { recursive: true, force: true });
    return true;
  }
}

/** Writes one run of a job: segments as they come, playlists after each, the ended ones and the completion record at the end. */
export class VodOutputWriter {
  private readonly segments = new Map<string, PlaylistSegment[]>();
  private readonly sizes = new Map<string, { width: number; height: number }>();
  private lastMaster: string | undefined;

  constructor(
    readonly id: string,
    readonly out: string,
    private readonly presets: readonly VideoPreset[],
  ) {}

  /** Stores segment `seq` of every rendition, then rewrites the (not yet ended) playlists so the job can be watched while it runs. */
  async put(seq: number, durationMs: number, renditions: readonly OutputRendition[]): Promise<void> {
    for (const r of renditions) {
      if (!RENDITION.test(r.name)) throw new Error(`rendition name ${JSON.stringify(r.name)} is not usable as a file name`);
      const folder = join(this.out, r.name);
      await mkdir(folder, { recursive: true });
      await writeAtomic(join(folder, `${seq}.ts`), r.data, true);
      const list = this.segments.get(r.name) ?? [];
      list.push({ seq, durationMs });
      this.segments.set(r.name, list);
      if (!this.sizes.has(r.name) && r.width !== undefined && r.height !== undefined) this.sizes.set(r.name, { width: r.width, height: r.height });
    }
    await this.writePlaylists(false);
  }

  /** Writes the ended playlists, makes every rename durable, then the completion record. */
  async finish(result: Omit<VodCompletion, 'finishedAt'>): Promise<VodCompletion> {
    await this.writePlaylists(true);
    for (const name of this.segments.keys()) await syncDir(join(this.out, name));
    const completion: VodCompletion = { finishedAt: Date.now(), ...result };
    await writeAtomic(join(this.out, COMPLETED), JSON.stringify(completion), true);
    await syncDir(this.out);
    return completion;
  }

  private profiles(): string[] {
    const names = this.presets.map((p) => p.name);
    for (const name of this.segments.keys()) if (!names.includes(name)) names.push(name);
    return names;
  }

  private async writePlaylists(ended: boolean): Promise<void> {
    for (const profile of this.profiles()) {
      await writeAtomic(join(this.out, `${profile}.m3u8`), hlsMediaPlaylist(profile, this.segments.get(profile) ?? [], ended), ended);
    }
    const master = hlsMasterPlaylist(vodStreamName(this.id), this.presets, (profile) => this.sizes.get(profile));
    if (master !== this.lastMaster || ended) {
      await writeAtomic(join(this.out, MASTER), master, ended);
      this.lastMaster = master;
    }
  }
}
