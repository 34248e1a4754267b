import type { ServerResponse } from 'node:http';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { GatewayError } from '../common/gateway.errors';
import { LiveService, parseStreamName } from './live.service';

const M3U8 = 'application/vnd.apple.mpegurl';

function send(res: ServerResponse, type: string, body: string | Buffer): void {
  res.statusCode = 200;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', 'no-cache');
  res.end(body);
}

/** HLS playback: /stream/<stream>.m3u8 (master), /stream/<stream>/<rendition>.m3u8, /stream/<stream>/<rendition>/<seq>.ts. */
@Controller('stream')
export class PlaybackController {
  constructor(private readonly live: LiveService) {}

  @Get(':file')
  master(@Param('file') file: string, @Res() res: ServerResponse): void {
    if (!file.endsWith('.m3u8')) throw new GatewayError('NOT_FOUND', `no such playlist ${file}`, { details: { file } });
    send(res, M3U8, this.live.master(parseStreamName(file.slice(0, -'.m3u8'.length))));
  }

  @Get(':stream/:file')
  media(@Param('stream') stream: string, @Param('file') file: string, @Res() res: ServerResponse): void {
    if (!file.endsWith('.m3u8')) throw new GatewayError('NOT_FOUND', `no such playlist ${file}`, { details: { file } });
    send(res, M3U8, this.live.media(parseStreamName(stream), file.slice(0, -'.m3u8'.length)));
  }

  @Get(':stream/:profile/:file')
  segment(@Param('stream') stream: string, @Param('profile') profile: string, @Param('file') file: string, @Res() res: ServerResponse): void {
    const m = /^(\d{1,15})\.ts$/.exec(file);
    if (!m) throw new GatewayError('NOT_FOUND', `no such segment ${file}`, { details: { file } });
    send(res, 'video/mp2t', this.live.segment(parseStreamName(stream), profile, Number(m[1])));
  }
}
