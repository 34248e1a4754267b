import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { JobError, JobErrorText, isJobError } from '@lpts/media';
import { listenOn, type Logger } from '@lpts/platform';
import { isLptsError, type LptsError } from '@lpts/protocol';
import {
  DispatchError,
  ERROR_CONTENT_TYPE,
  JOB_HEADER,
  RESULT_HEADER,
  TRANSCODE_CONTENT_TYPE,
  concatRenditions,
  decodeJobHeader,
  encodeErrorBody,
  encodeResultHeader,
  httpStatusOf,
} from '@lpts/workers';
import type { WorkerService, JobSlot } from '../worker/worker.service';
import type { WorkerMetrics } from '../worker/worker.metrics';

export const TRANSCODE_PATH = '/transcode';

export interface TranscodeServerOptions {
  maxBodyBytes: number;
}

/** Reads the request body up to `max` bytes; DispatchError BODY_TOO_LARGE past it. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > max) {
      reject(new DispatchError('BODY_TOO_LARGE', `segment of ${declared} bytes is over the ${max} byte limit`, { details: { inputBytes: declared, maxBodyBytes: max } }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        reject(new DispatchError('BODY_TOO_LARGE', `segment over the ${max} byte limit`, { details: { inputBytes: size, maxBodyBytes: max } }));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
    req.once('aborted', () => reject(new DispatchError('ABORTED', 'client went away during the upload')));
  });
}

/**
 * The worker's private endpoint: `POST /transcode` (contract in @lpts/protocol media.messages.ts,
 * codec in @lpts/workers). A slot is taken before the body is read, so a full worker answers 503
 * WORKER_BUSY at once; a client that disconnects aborts its ffmpeg.
 */
export class TranscodeServer {
  private server: Server | undefined;

  constructor(
    private readonly worker: WorkerService,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
    private readonly options: TranscodeServerOptions,
  ) {}

  async listen(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    this.server = server;
    return listenOn(server, port, host);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeIdleConnections();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      setTimeout(() => {
        server.closeAllConnections();
      }, 1_000).unref();
    });
  }

  private fail(res: ServerResponse, e: LptsError): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = encodeErrorBody(e);
    res.writeHead(httpStatusOf(e), { 'content-type': ERROR_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== TRANSCODE_PATH) {
      req.resume();
      return this.fail(res, new DispatchError('INVALID_JOB', `no route ${req.method} ${path}`, { details: { path: path ?? '' } }));
    }
    if (req.method !== 'POST') {
      req.resume();
      return this.fail(res, new DispatchError('INVALID_JOB', `${TRANSCODE_PATH} takes POST only`, { details: { method: req.method ?? '' } }));
    }
    let slot: JobSlot;
    try {
      slot = this.worker.acquireSlot();
    } catch (e) {
      this.metrics.jobs.inc({ outcome: 'refused', code: (e as LptsError).code });
      req.resume();
      // Close the connection: the unread upload must not be parsed as the next request.
      res.setHeader('connection', 'close');
      return this.fail(res, e as LptsError);
    }
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort(new DispatchError('ABORTED', 'client went away'));
    };
    res.once('close', onClose);
    const started = performance.now();
    try {
      const job = decodeJobHeader(req.headers[JOB_HEADER]);
      const input = await readBody(req, this.options.maxBodyBytes);
      this.metrics.segmentBytes.inc({ direction: 'in' }, input.length);
      const result = await this.worker.transcode(job.sessionId, input, job.renditions, job.timeoutMs, abort.signal);
      await slot.release();
      const header = encodeResultHeader({
        jobId: job.jobId,
        renditions: result.renditions.map((r) => ({ name: r.name, pixels: r.pixels, bytes: r.data.length, frames: r.frames })),
      });
      const body = concatRenditions(result.renditions.map((r) => r.data));
      const device = result.device.kind;
      this.metrics.transcodeSeconds.observe({ device }, result.elapsedMs / 1000);
      this.metrics.pixels.inc({ device }, result.pixels);
      this.metrics.segmentBytes.inc({ direction: 'out' }, body.length);
      this.metrics.jobs.inc({ outcome: 'ok', code: '' });
      res.writeHead(200, { 'content-type': TRANSCODE_CONTENT_TYPE, 'content-length': body.length, [RESULT_HEADER]: header });
      res.end(body);
      this.logger.debug({ jobId: job.jobId, sessionId: job.sessionId, pixels: result.pixels, ms: Math.round(performance.now() - started) }, 'segment transcoded');
    } catch (e) {
      const err = isLptsError(e) ? e : new JobError('ENCODER_FAILED', JobErrorText.ENCODER_FAILED, { retryable: true, details: { error: e instanceof Error ? e.name : typeof e } });
      const code = err.code;
      this.metrics.jobs.inc({ outcome: httpStatusOf(err) < 500 ? 'invalid' : 'failed', code });
      if (!isJobError(err)) this.logger.warn({ err, code }, 'transcode request failed');
      else this.logger.info({ code, message: err.message }, 'segment failed');
      if (code === 'BODY_TOO_LARGE') res.setHeader('connection', 'close');
      await slot.release();
      this.fail(res, err);
    } finally {
      res.off('close', onClose);
      void slot.release();
    }
  }
}
