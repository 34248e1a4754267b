/** OpenAPI 3.1 description of the client API (kept beside the controllers; a spec checks every route is listed). */
const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['family', 'code', 'message', 'details'],
      properties: {
        family: { type: 'string', examples: ['GatewayError', 'VodError'] },
        code: {
          type: 'string',
          enum: [
            'NO_ORCHESTRATORS',
            'PRICE_TOO_HIGH',
            'ALL_ATTEMPTS_FAILED',
            'VERIFICATION_FAILED',
            'ORCHESTRATOR_ERROR',
            'ORCHESTRATOR_UNREACHABLE',
            'ORCHESTRATOR_TIMEOUT',
            'PAYMENT_FAILED',
            'BAD_REQUEST',
            'SEGMENT_TOO_LARGE',
            'NOT_FOUND',
            'CONFLICT',
            'VOD_DISABLED',
          ],
        },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

const err = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const vodJobId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{16}$' } } as const;
const streamParam = { name: 'stream', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$' } } as const;

const pushOperation = (method: string) => ({
  operationId: `${method}Segment`,
  summary: 'Push one MPEG-TS segment (or the client playlist) of a live stream',
  description:
    'Transcodes the segment on an orchestrator (retrying elsewhere up to GATEWAY_MAX_ATTEMPTS) and stores the renditions for HLS playback. ' +
    'A file ending in .m3u8 is the client playlist that `ffmpeg -f hls -method PUT` uploads: it is recorded, and #EXT-X-ENDLIST ends the stream.',
  parameters: [
    streamParam,
    { name: 'file', in: 'path', required: true, description: '`<seq>.ts` (any prefix before the number, e.g. ffmpeg\'s index3.ts) or `<name>.m3u8`', schema: { type: 'string' } },
    { name: 'Content-Duration', in: 'header', required: false, description: 'Segment duration in ms (else measured with ffprobe).', schema: { type: 'integer' } },
    { name: 'Accept', in: 'header', required: false, description: '`multipart/mixed` returns the renditions inline.', schema: { type: 'string' } },
  ],
  requestBody: { required: true, content: { 'video/mp2t': { schema: { type: 'string', format: 'binary' } }, 'application/vnd.apple.mpegurl': { schema: { type: 'string' } } } },
  responses: {
    '200': {
      description: 'Renditions produced (JSON summary, or multipart/mixed with one part per rendition: Content-Type video/mp2t; name="<profile>_<seq>.ts", Rendition-Name).',
      headers: {
        'Livepeer-Orchestrator': { schema: { type: 'string' }, description: 'Service URI of the orchestrator that did the work.' },
        'Livepeer-Attempts': { schema: { type: 'integer' } },
      },
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/PushResult' } },
        'multipart/mixed': { schema: { type: 'string', format: 'binary' } },
      },
    },
    '400': err('Bad stream name (vod-<16 hex> names are reserved for VOD outputs), file name or undecodable segment'),
    '413': err('Segment over GATEWAY_MAX_SEGMENT_BYTES'),
    '502': err('ALL_ATTEMPTS_FAILED / VERIFICATION_FAILED / orchestrator errors'),
    '503': err('NO_ORCHESTRATORS (reason per candidate) or PRICE_TOO_HIGH (max and each price)'),
  },
});

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'lpts gateway client API', version: '0.1.0', description: 'Live segment push ingest, VOD jobs, HLS playback and the orchestrator registry view.' },
  paths: {
    '/live/{stream}/{file}': { put: pushOperation('put'), post: pushOperation('post') },
    '/live/{stream}': {
      delete: {
        operationId: 'endStream',
        summary: 'End a live stream (its playlists get #EXT-X-ENDLIST)',
        parameters: [streamParam],
        responses: { '204': { description: 'Ended' }, '404': err('Unknown stream') },
      },
    },
    '/stream/{playlist}': {
      get: {
        operationId: 'masterPlaylist',
        summary: 'HLS master playlist `<stream>.m3u8`: one variant per rendition',
        parameters: [{ name: 'playlist', in: 'path', required: true, schema: { type: 'string', pattern: '\\.m3u8$' } }],
        responses: { '200': { description: 'Master playlist', content: { 'application/vnd.apple.mpegurl': { schema: { type: 'string' } } } }, '404': err('Unknown stream') },
      },
    },
    '/stream/{stream}/{playlist}': {
      get: {
        operationId: 'mediaPlaylist',
        summary: 'HLS media playlist `<rendition>.m3u8` of one rendition',
        parameters: [streamParam, { name: 'playlist', in: 'path', required: true, schema: { type: 'string', examples: ['P240p30fps16x9.m3u8'] } }],
        responses: { '200': { description: 'Media playlist', content: { 'application/vnd.apple.mpegurl': { schema: { type: 'string' } } } }, '404': err('Unknown stream or rendition') },
      },
    },
    '/stream/{stream}/{rendition}/{segment}': {
      get: {
        operationId: 'renditionSegment',
        summary: 'One rendition segment `<seq>.ts`',
        parameters: [
          streamParam,
          { name: 'rendition', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'segment', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d+\\.ts$' } },
        ],
        responses: { '200': { description: 'MPEG-TS bytes', content: { 'video/mp2t': { schema: { type: 'string', format: 'binary' } } } }, '404': err('Unknown segment') },
      },
    },
    '/vod/jobs': {
      post: {
        operationId: 'submitVodJob',
        summary: 'Submit a VOD job: upload a file (multipart/form-data, first part with a filename) or give an http(s) URL to download',
        description:
          'The job goes onto the bullmq queue in Redis (it survives a gateway restart). A worker cuts the input into GATEWAY_VOD_SEGMENT_S MPEG-TS ' +
          'segments at keyframes (stream copy for H.264, else re-encoded to H.264), transcodes each like a live segment (same orchestrator selection, ' +
          'payments and verification) and writes the HLS output to disk (GATEWAY_VOD_DIR), served at `playlistUrl` until the job is deleted or ' +
          'GATEWAY_VOD_KEEP_S after it completed (`expiresAt`), across gateway restarts. Bad input (not media, too large, unreachable URL) fails the job with a VodError code.',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } },
            'application/json': { schema: { type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'uri', pattern: '^https?://' } } } },
          },
        },
        responses: {
          '202': {
            description: 'Queued (Location: the status URL)',
            headers: { Location: { schema: { type: 'string' } } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/VodJob' } } },
          },
          '400': err('BAD_REQUEST: not multipart or JSON, no file part, empty file, no http(s) `url`'),
          '413': err('SEGMENT_TOO_LARGE: upload over GATEWAY_VOD_MAX_INPUT_BYTES'),
          '503': err('VOD_DISABLED: the gateway runs without REDIS_URL'),
        },
      },
      get: {
        operationId: 'listVodJobs',
        summary: 'Recent VOD jobs (up to 100, newest first; finished jobs are kept GATEWAY_VOD_MAX_JOBS per outcome)',
        responses: {
          '200': { description: 'Jobs', content: { 'application/json': { schema: { type: 'object', required: ['jobs'], properties: { jobs: { type: 'array', items: { $ref: '#/components/schemas/VodJob' } } } } } } },
          '503': err('VOD_DISABLED'),
        },
      },
    },
    '/vod/jobs/{id}': {
      get: {
        operationId: 'getVodJob',
        summary: 'State, progress and error of one VOD job (poll it, or follow /events)',
        parameters: [vodJobId],
        responses: { '200': { description: 'Job', content: { 'application/json': { schema: { $ref: '#/components/schemas/VodJob' } } } }, '404': err('Unknown job'), '503': err('VOD_DISABLED') },
      },
      delete: {
        operationId: 'deleteVodJob',
        summary: 'Delete a VOD job and its files (uploaded input and HLS output)',
        description:
          'Removes the job from the queue and its folder under GATEWAY_VOD_DIR; its playlist and segments answer 404 afterwards. A completed job whose record ' +
          'Redis no longer keeps (GATEWAY_VOD_MAX_JOBS) can still be deleted while its output is on disk.',
        parameters: [vodJobId],
        responses: {
          '204': { description: 'Deleted' },
          '404': err('NOT_FOUND: unknown job (or already deleted)'),
          '409': err('CONFLICT: the job is running; delete it once it has completed or failed'),
          '503': err('VOD_DISABLED'),
        },
      },
    },
    '/vod/jobs/{id}/events': {
      get: {
        operationId: 'vodJobEvents',
        summary: 'Server-sent events of one VOD job',
        description:
          'Sends the current state at once, then one event per state change or progress (bullmq QueueEvents); the event name is `progress` or the ' +
          'job state (`waiting`, `active`, `completed`, `failed`), the data a VodJob. The stream ends after `completed` or `failed`; ' +
          'a `: heartbeat` comment every 15 s keeps proxies from closing it.',
        parameters: [vodJobId],
        responses: {
          '200': { description: 'Event stream', content: { 'text/event-stream': { schema: { type: 'string' }, example: 'event: progress\ndata: {"id":"…","state":"active","progress":{"segmentsDone":2,"segmentsTotal":4,"percent":50},…}\n\n' } } },
          '404': err('Unknown job'),
          '503': err('VOD_DISABLED'),
        },
      },
    },
    '/orchestrators': {
      get: {
        operationId: 'listOrchestrators',
        summary: 'The orchestrator registry: price, reachability, suspension, measured latency and success rate',
        responses: { '200': { description: 'Registry view', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
    '/openapi.json': {
      get: { operationId: 'openapi', summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } } },
    },
  },
  components: {
    schemas: {
      Error: errorBody,
      VodJob: {
        type: 'object',
        required: ['id', 'state', 'progress', 'input', 'createdAt', 'statusUrl', 'eventsUrl', 'playlistUrl'],
        properties: {
          id: { type: 'string', pattern: '^[0-9a-f]{16}$' },
          state: { type: 'string', description: 'bullmq job state', examples: ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized'] },
          progress: {
            type: 'object',
            required: ['segmentsDone', 'segmentsTotal', 'percent'],
            properties: { segmentsDone: { type: 'integer' }, segmentsTotal: { type: 'integer', description: '0 until the input is segmented' }, percent: { type: 'number', minimum: 0, maximum: 100 } },
          },
          input: {
            oneOf: [
              { type: 'object', required: ['kind', 'bytes'], properties: { kind: { const: 'file' }, bytes: { type: 'integer' } } },
              { type: 'object', required: ['kind', 'url'], properties: { kind: { const: 'url' }, url: { type: 'string' } } },
            ],
          },
          createdAt: { type: 'integer', description: 'ms since the epoch' },
          startedAt: { type: 'integer' },
          finishedAt: { type: 'integer' },
          expiresAt: { type: 'integer', description: 'Completed jobs: when the retention sweep removes the job and its output (finishedAt + GATEWAY_VOD_KEEP_S; absent when kept until deleted)' },
          result: { type: 'object', properties: { segments: { type: 'integer' }, durationMs: { type: 'integer' } } },
          error: {
            type: 'object',
            description: 'Set when state is failed',
            required: ['family', 'code', 'message'],
            properties: {
              family: { type: 'string', examples: ['VodError', 'GatewayError'] },
              code: {
                type: 'string',
                description: 'VodError codes, or the GatewayError code of a segment that could not be transcoded (NO_ORCHESTRATORS, ALL_ATTEMPTS_FAILED, …)',
                examples: ['INPUT_NOT_MEDIA', 'INPUT_TOO_LARGE', 'INPUT_UNREACHABLE', 'INPUT_MISSING', 'SEGMENTING_FAILED', 'INTERNAL', 'NO_ORCHESTRATORS'],
              },
              message: { type: 'string' },
              details: { type: 'object', additionalProperties: true },
            },
          },
          statusUrl: { type: 'string', description: '/vod/jobs/<id>' },
          eventsUrl: { type: 'string', description: '/vod/jobs/<id>/events' },
          playlistUrl: { type: 'string', description: 'HLS master playlist /stream/vod-<id>.m3u8 (served from disk; complete, with #EXT-X-ENDLIST, once the job is completed)' },
        },
      },
      PushResult: {
        type: 'object',
        required: ['stream', 'seq', 'durationMs', 'orchestrator', 'attempts', 'renditions'],
        properties: {
          stream: { type: 'string' },
          seq: { type: 'integer' },
          durationMs: { type: 'integer' },
          orchestrator: { type: 'string' },
          attempts: { type: 'integer' },
          elapsedMs: { type: 'integer' },
          renditions: {
            type: 'array',
            items: {
              type: 'object',
              properties: { name: { type: 'string' }, bytes: { type: 'integer' }, pixels: { type: 'integer' }, url: { type: 'string' } },
            },
          },
        },
      },
    },
  },
} as const;
