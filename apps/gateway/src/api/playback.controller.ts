import type { ServerResponse } from 'node:http';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { GatewayError } from '../common/gateway.errors';
import { VodJobsService } from '../vod/vod-jobs.service';
import { vodJobIdOfStream } from '../vod/vod-output';
import { LiveService, parseStreamName } from './live.service';

const M3U8 = 'application/vnd.apple.mpegurl';

function send(res: ServerResponse, type: string, body: string | Buffer): void {
  res.statusCode = 200;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', 'no-cache');
  res.end(body);
}

/**
 * HLS playback: /stream/<stream>.m3u8 (master), /stream/<stream>/<rendition>.m3u8, /stream/<stream>/<rendition>/<seq>.ts.
 * Live streams come from the in-memory RenditionStore; `vod-<jobId>` streams from the VOD job's output on disk.
 */
@Controller('stream')
export class PlaybackController {
  constructor(
    private readonly live: LiveService,
    private readonly vod: VodJobsService,
  ) {}

  @Get(':file')
  async master(@Param('file') file: string, @Res() res: ServerResponse): Promise<void> {
    if (!file.endsWith('.m3u8')) throw new GatewayError('NOT_FOUND', `no such playlist ${file}`, { details: { file } });
    const stream = parseStreamName(file.slice(0, -'.m3u8'.length));
    const job = vodJobIdOfStream(stream);
    send(res, M3U8, job !== undefined ? await this.vod.master(job) : this.live.master(stream));
  }

  @Get(':stream/:file')
  async media(@Param('stream') streamParam: string, @Param('file') file: string, @Res() res: ServerResponse): Promise<void> {
    if (!file.endsWith('.m3u8')) throw new GatewayError('NOT_FOUND', `no such playlist ${file}`, { details: { file } });
    const stream = parseStreamName(streamParam);
    const profile = file.slice(0, -'.m3u8'.length);
    const job = vodJobIdOfStream(stream);
    send(res, M3U8, job !== undefined ? await this.vod.media(job, profile) : this.live.media(stream, profile));
  }

  @Get(':stream/:profile/:file')
  async segment(@Param('stream') streamParam: string, @Param('profile') profile: string, @Param('file') file: string, @Res() res: ServerResponse): Promise<void> {
    const m = /^(\d{1,15})\.ts$/.exec(file);
    if (!m) throw new GatewayError('NOT_FOUND', `no such segment ${file}`, { details: { file } });
    const stream = parseStreamName(streamParam);
    const job = vodJobIdOfStream(stream);
    const seq = Number(m[1]);
    send(res, 'video/mp2t', job !== undefined ? await this.vod.segment(job, profile, seq) : this.live.segment(stream, profile, seq));
  }
}
