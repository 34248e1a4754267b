/** OpenAPI 3.1 description of the client API (kept beside the controllers; a spec checks every route is listed). */
const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['family', 'code', 'message', 'details'],
      properties: {
        family: { type: 'string', examples: ['GatewayError'] },
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
          ],
        },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

const err = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
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
    '400': err('Bad stream name, file name or undecodable segment'),
    '413': err('Segment over GATEWAY_MAX_SEGMENT_BYTES'),
    '502': err('ALL_ATTEMPTS_FAILED / VERIFICATION_FAILED / orchestrator errors'),
    '503': err('NO_ORCHESTRATORS (reason per candidate) or PRICE_TOO_HIGH (max and each price)'),
  },
});

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'lpts gateway client API', version: '0.1.0', description: 'Live segment push ingest, HLS playback and the orchestrator registry view.' },
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
        summary: 'Submit a VOD job: the whole input file as the body (anything ffmpeg reads: MP4, MPEG-TS, …)',
        description: 'Cut into GATEWAY_VOD_SEGMENT_S segments at keyframes, each transcoded like a live segment; output playable at `playlist` once done.',
        requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        responses: { '202': { description: 'Accepted', content: { 'application/json': { schema: { $ref: '#/components/schemas/VodJob' } } } }, '400': err('Empty input or too many jobs'), '413': err('Input over GATEWAY_VOD_MAX_INPUT_BYTES') },
      },
      get: {
        operationId: 'listVodJobs',
        summary: 'All VOD jobs held in memory',
        responses: { '200': { description: 'Jobs', content: { 'application/json': { schema: { type: 'object', properties: { jobs: { type: 'array', items: { $ref: '#/components/schemas/VodJob' } } } } } } } },
      },
    },
    '/vod/jobs/{id}': {
      get: {
        operationId: 'getVodJob',
        summary: 'Progress of one VOD job',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'Job', content: { 'application/json': { schema: { $ref: '#/components/schemas/VodJob' } } } }, '404': err('Unknown job') },
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
        required: ['id', 'status', 'segments', 'done', 'progress', 'playlist'],
        properties: {
          id: { type: 'string' },
          status: { type: 'string', enum: ['queued', 'running', 'done', 'failed'] },
          createdAt: { type: 'integer' },
          inputBytes: { type: 'integer' },
          segments: { type: 'integer' },
          done: { type: 'integer' },
          progress: { type: 'number', minimum: 0, maximum: 1 },
          durationMs: { type: 'integer' },
          error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
          playlist: { type: 'string', description: 'Master playlist path (/stream/vod-<id>.m3u8)' },
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
