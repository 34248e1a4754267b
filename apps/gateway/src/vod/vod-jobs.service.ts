import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeMedia, runProcess } from '@lpts/media';
import type { Logger } from '@lpts/platform';
import { GatewayError, isGatewayError } from '../common/gateway.errors';
import type { SegmentDispatcher } from '../sessions/segment-dispatcher';
import type { RenditionStore } from '../storage/rendition-store';

export type VodJobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface VodJob {
  id: string;
  status: VodJobStatus;
  createdAt: number;
  inputBytes: number;
  segments: number;
  done: number;
  /** 0..1 */
  progress: number;
  durationMs: number;
  error: { code: string; message: string } | undefined;
  /** Master playlist of the output. */
  playlist: string;
}

export interface VodOptions {
  segmentSeconds: number;
  maxJobs: number;
}

/**
 * VOD jobs (in-memory, one process): the input is cut into ~N s MPEG-TS segments at keyframes
 * (ffmpeg stream copy), each segment goes through the same dispatcher as live segments (selection,
 * payments, retries, verification), and the renditions are served as an ended HLS stream `vod-<id>`.
 */
export class VodJobsService {
  private readonly jobs = new Map<string, VodJob>();

  constructor(
    private readonly dispatcher: SegmentDispatcher,
    private readonly store: RenditionStore,
    private readonly options: VodOptions,
    private readonly logger: Logger,
  ) {}

  get(id: string): VodJob {
    const j = this.jobs.get(id);
    if (!j) throw new GatewayError('NOT_FOUND', `unknown VOD job ${id}`, { details: { id } });
    return j;
  }

  list(): VodJob[] {
    return [...this.jobs.values()];
  }

  submit(input: Buffer): VodJob {
    if (input.length === 0) throw new GatewayError('BAD_REQUEST', 'empty VOD input');
    if (this.jobs.size >= this.options.maxJobs) {
      const oldest = [...this.jobs.values()].find((j) => j.status === 'done' || j.status === 'failed');
      if (!oldest) throw new GatewayError('BAD_REQUEST', `too many VOD jobs in progress (max ${this.options.maxJobs})`, { details: { max: this.options.maxJobs } });
      this.jobs.delete(oldest.id);
      this.store.remove(`vod-${oldest.id}`);
    }
    const id = randomBytes(6).toString('hex');
    const job: VodJob = {
      id,
      status: 'queued',
      createdAt: Date.now(),
      inputBytes: input.length,
      segments: 0,
      done: 0,
      progress: 0,
      durationMs: 0,
      error: undefined,
      playlist: `/stream/vod-${id}.m3u8`,
    };
    this.jobs.set(id, job);
    void this.run(job, input);
    return job;
  }

  private async run(job: VodJob, input: Buffer): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'lpts-vod-'));
    const stream = `vod-${job.id}`;
    try {
      job.status = 'running';
      await writeFile(join(dir, 'input'), input);
      const r = await runProcess({
        command: 'ffmpeg',
        args: [
          '-hide_banner', '-nostdin', '-loglevel', 'error', '-i', join(dir, 'input'), '-map', '0:v:0', '-map', '0:a?', '-c', 'copy',
          '-f', 'segment', '-segment_time', String(this.options.segmentSeconds), '-segment_format', 'mpegts', join(dir, 'seg%06d.ts'),
        ],
        timeoutMs: 120_000,
        maxOutputBytes: 1024,
      });
      if (r.exitCode !== 0) {
        throw new GatewayError('BAD_REQUEST', `VOD input could not be segmented: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`, {
          details: { exitCode: r.exitCode },
        });
      }
      const files = (await readdir(dir)).filter((f) => f.startsWith('seg')).sort();
      job.segments = files.length;
      this.store.touch(stream, 0);
      for (const [seq, file] of files.entries()) {
        const data = await readFile(join(dir, file));
        const info = await probeMedia(data, { timeoutMs: 10_000 });
        const durationMs = Math.max(1, Math.round((info.video?.durationSec ?? this.options.segmentSeconds) * 1000));
        const out = await this.dispatcher.transcode(stream, seq, data, durationMs);
        this.store.put(stream, seq, durationMs, out.renditions.map((x) => ({ name: x.name, data: x.data, width: x.width, height: x.height })));
        job.done = seq + 1;
        job.durationMs += durationMs;
        job.progress = job.done / job.segments;
      }
      this.store.end(stream);
      job.status = 'done';
    } catch (e) {
      job.status = 'failed';
      job.error = isGatewayError(e) ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: (e as Error).message };
      this.logger.warn({ job: job.id, err: job.error }, 'VOD job failed');
    } finally {
      this.dispatcher.forgetStream(stream);
      await rm(dir, { recursive: true, force: true });
    }
  }
}
