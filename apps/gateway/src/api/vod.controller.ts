import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Delete, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { CONFIG } from '@lpts/platform';
import { z } from 'zod';
import { GatewayError } from '../common/gateway.errors';
import type { GatewayConfig } from '../config/gateway.env';
import { multipartBoundary } from '../vod/multipart-file';
import { VOD_TERMINAL_STATES, VodJobsService, type VodJobEvent, type VodJobView } from '../vod/vod-jobs.service';
import { readBody } from './http-body';

/** SSE comment line sent this often so proxies keep the connection open. */
export const VOD_SSE_HEARTBEAT_MS = 15_000;
/** Slack for the multipart framing around the file. */
const MULTIPART_OVERHEAD = 64 * 1024;

const urlBody = z.object({
  url: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'an http(s) URL'),
});

function json(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

/**
 * VOD jobs: POST a file (multipart/form-data) or `{"url"}`, then poll `GET /vod/jobs/:id` or follow
 * `GET /vod/jobs/:id/events` (server-sent events), and play `/stream/vod-<id>.m3u8`.
 */
@Controller('vod/jobs')
export class VodController {
  constructor(
    private readonly vod: VodJobsService,
    @Inject(CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post()
  async submit(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    const type = req.headers['content-type'] ?? '';
    let job: VodJobView;
    const boundary = multipartBoundary(type);
    if (boundary !== undefined) {
      const limit = this.config.GATEWAY_VOD_MAX_INPUT_BYTES;
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > limit + MULTIPART_OVERHEAD) {
        req.resume();
        throw new GatewayError('SEGMENT_TOO_LARGE', `upload of ${declared} bytes is over the ${limit} byte limit`, { details: { bytes: declared, limit } });
      }
      job = await this.vod.submitUpload(req, boundary);
    } else if (/^application\/json\b/i.test(type)) {
      const raw = await readBody(req, 64 * 1024);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new GatewayError('BAD_REQUEST', 'body is not valid JSON');
      }
      const body = urlBody.safeParse(parsed);
      if (!body.success) {
        throw new GatewayError('BAD_REQUEST', `body must be {"url": "http(s)://…"}: ${body.error.issues.map((i) => i.message).join('; ')}`);
      }
      job = await this.vod.submitUrl(body.data.url);
    } else {
      req.resume();
      throw new GatewayError('BAD_REQUEST', 'send multipart/form-data with a file part, or application/json {"url": …}', { details: { contentType: type } });
    }
    res.setHeader('location', job.statusUrl);
    json(res, 202, job);
  }

  @Get()
  async list(): Promise<{ jobs: VodJobView[] }> {
    return { jobs: await this.vod.list() };
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<VodJobView> {
    return this.vod.get(id);
  }

  /** Removes the job and its files (input and HLS output); 409 while it runs. */
  @Delete(':id')
  async remove(@Param('id') id: string, @Res() res: ServerResponse): Promise<void> {
    await this.vod.remove(id);
    res.statusCode = 204;
    res.end();
  }

  /** Server-sent events: the current state at once, then one event per state change or progress; ends after completed/failed. */
  @Get(':id/events')
  async events(@Param('id') id: string, @Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    let ended = false;
    // Called only after `unsubscribe` and `heartbeat` below are set (from events queued behind the first one, or on close).
    const finish = (): void => {
      if (ended) return;
      ended = true;
      unsubscribe();
      clearInterval(heartbeat);
      res.end();
    };
    const send = (event: VodJobEvent | 'state', view: VodJobView): void => {
      if (ended) return;
      // A terminal state is always named as such, even when it is first seen on a progress event.
      const name = event === 'progress' && !VOD_TERMINAL_STATES.has(view.state) ? 'progress' : view.state;
      res.write(`event: ${name}\ndata: ${JSON.stringify(view)}\n\n`);
      if (VOD_TERMINAL_STATES.has(view.state)) finish();
    };
    let showFirst: (view: VodJobView) => void = () => undefined;
    // The current state goes out first; events that arrive meanwhile queue behind it.
    let chain = new Promise<VodJobView>((resolve) => (showFirst = resolve)).then((view) => send('state', view));
    // Subscribe before reading the state, so a change in between is not lost.
    const unsubscribe = this.vod.watch(id, (event) => {
      chain = chain.then(async () => {
        if (ended) return;
        try {
          send(event, await this.vod.get(id));
        } catch {
          finish();
        }
      });
    });
    let first: VodJobView;
    try {
      first = await this.vod.get(id);
    } catch (e) {
      unsubscribe();
      throw e;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), VOD_SSE_HEARTBEAT_MS);
    heartbeat.unref();
    req.on('close', finish);
    showFirst(first);
  }
}
