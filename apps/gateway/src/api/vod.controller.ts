import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { CONFIG } from '@lpts/platform';
import type { GatewayConfig } from '../config/gateway.env';
import { VodJobsService } from '../vod/vod-jobs.service';
import { readBody } from './http-body';

/** VOD jobs: POST the whole file, poll the job, play `/stream/vod-<id>.m3u8`. */
@Controller('vod/jobs')
export class VodController {
  constructor(
    private readonly vod: VodJobsService,
    @Inject(CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post()
  async submit(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    const body = await readBody(req, this.config.GATEWAY_VOD_MAX_INPUT_BYTES);
    const job = this.vod.submit(body);
    res.statusCode = 202;
    res.setHeader('content-type', 'application/json');
    res.setHeader('location', `/vod/jobs/${job.id}`);
    res.end(JSON.stringify(job));
  }

  @Get()
  list(): unknown {
    return { jobs: this.vod.list() };
  }

  @Get(':id')
  get(@Param('id') id: string): unknown {
    return this.vod.get(id);
  }
}
