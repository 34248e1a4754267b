import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Delete, Inject, Param, Post, Put, Req, Res } from '@nestjs/common';
import { CONFIG } from '@lpts/platform';
import { GatewayError } from '../common/gateway.errors';
import type { GatewayConfig } from '../config/gateway.env';
import { vodJobIdOfStream } from '../vod/vod-output';
import { readBody } from './http-body';
import { LiveService, multipartBody, parseSegmentFile, parseStreamName } from './live.service';

/** Segment push ingest: PUT/POST /live/<stream>/<seq>.ts (as `ffmpeg -f hls -method PUT` sends it). */
@Controller('live')
export class LiveController {
  constructor(
    private readonly live: LiveService,
    @Inject(CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Put(':stream/:file')
  put(@Param('stream') stream: string, @Param('file') file: string, @Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    return this.push(stream, file, req, res);
  }

  @Post(':stream/:file')
  post(@Param('stream') stream: string, @Param('file') file: string, @Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    return this.push(stream, file, req, res);
  }

  @Delete(':stream')
  end(@Param('stream') stream: string, @Res() res: ServerResponse): void {
    this.live.endStream(parseStreamName(stream));
    res.statusCode = 204;
    res.end();
  }

  private async push(streamParam: string, file: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const stream = parseStreamName(streamParam);
    if (vodJobIdOfStream(stream) !== undefined) {
      req.resume();
      throw new GatewayError('BAD_REQUEST', `stream names vod-<16 hex digits> are reserved for VOD job outputs`, { details: { stream } });
    }
    if (file.endsWith('.m3u8')) {
      const text = (await readBody(req, 1_000_000)).toString('utf8');
      const r = this.live.pushPlaylist(stream, text);
      res.statusCode = 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ stream, playlist: file, ended: r.ended }));
      return;
    }
    const seq = parseSegmentFile(file);
    const body = await readBody(req, this.config.GATEWAY_MAX_SEGMENT_BYTES);
    const duration = req.headers['content-duration'];
    const out = await this.live.pushSegment(stream, seq, body, Array.isArray(duration) ? duration[0] : duration);
    res.setHeader('livepeer-orchestrator', out.orchestrator);
    res.setHeader('livepeer-attempts', String(out.attempts));
    if (/multipart\/mixed/i.test(String(req.headers['accept'] ?? ''))) {
      const boundary = this.live.boundary();
      const payload = multipartBody(boundary, seq, out.renditions);
      res.statusCode = 200;
      res.setHeader('content-type', `multipart/mixed; boundary=${boundary}`);
      res.setHeader('content-length', String(payload.length));
      res.end(payload);
      return;
    }
    const payload = JSON.stringify({
      stream,
      seq,
      durationMs: out.durationMs,
      orchestrator: out.orchestrator,
      attempts: out.attempts,
      elapsedMs: Math.round(out.elapsedMs),
      renditions: out.renditions.map((r) => ({ name: r.name, bytes: r.data.length, pixels: r.pixels, url: `/stream/${encodeURIComponent(stream)}/${r.name}/${seq}.ts` })),
    });
    res.statusCode = 200;
    res.setHeader('content-type', 'application/json');
    res.end(payload);
  }
}
