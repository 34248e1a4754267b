import 'reflect-metadata';
import { LptsError, defineCommand, familyPredicate, registerErrorFamily, zDecimal } from '@lpts/protocol';
import { startNats, uniquePrefix, type StartedNats } from '@lpts/testing';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { isNatsRpcError } from './nats.errors';
import { connectNats, drainNats } from './nats-connection';
import { NatsRpcClient } from './nats-rpc.client';
import { NatsRpcServer, type NatsRpcContext } from './nats-rpc.server';
import { LptsRpcExceptionFilter } from './rpc-exception.filter';

type DemoCode = 'TOO_SMALL';
class DemoError extends LptsError<DemoCode> {}
registerErrorFamily(DemoError);
const isDemoError = familyPredicate(DemoError);

const Double = defineCommand({
  domain: 'demo',
  entity: 'number',
  action: 'double',
  request: z.object({ n: zDecimal }),
  reply: z.object({ doubled: zDecimal }),
});
const PerId = defineCommand({ domain: 'demo', entity: 'number', action: 'echo-id', request: z.object({}), reply: z.object({ id: z.string() }), withId: true });

@Controller()
class DemoController {
  @MessagePattern(Double.pattern)
  async double(@Payload() req: z.output<typeof Double.request>) {
    const n = BigInt(req.n);
    if (n < 10n) throw new DemoError('TOO_SMALL', `n ${n} is below 10`, { details: { n, min: 10n } });
    if (n === 13n) throw new Error('unlucky secret internals');
    return { doubled: (n * 2n).toString() };
  }

  @MessagePattern(PerId.pattern)
  echo(@Payload() _req: unknown, @Ctx() ctx: NatsRpcContext) {
    return { id: ctx.id ?? '' };
  }
}

@Module({ controllers: [DemoController] })
class DemoModule {}

describe('NATS RPC (real nats-server)', () => {
  let nats: StartedNats;
  let serverConn: NatsConnection;
  let clientConn: NatsConnection;
  let app: INestMicroservice;
  let client: NatsRpcClient;
  const prefix = uniquePrefix('rpc');

  beforeAll(async () => {
    nats = await startNats();
    serverConn = await connectNats(nats.url, 'demo-server');
    clientConn = await connectNats(nats.url, 'demo-client');
    app = await NestFactory.createMicroservice(DemoModule, {
      strategy: new NatsRpcServer({ connection: serverConn, prefix, queue: 'demo', commands: [Double, PerId] }),
      logger: false,
    });
    app.useGlobalFilters(new LptsRpcExceptionFilter());
    await app.listen();
    client = new NatsRpcClient(clientConn, prefix, 2_000);
  });

  afterAll(async () => {
    await app?.close();
    await drainNats(serverConn);
    await drainNats(clientConn);
    await nats?.stop();
  });

  it('answers a typed request with a validated reply', async () => {
    await expect(client.request(Double, { n: '21' })).resolves.toEqual({ doubled: '42' });
  });

  it('rebuilds a handler domain error as the same typed class with its numbers', async () => {
    const err = await client.request(Double, { n: '3' }).catch((e: unknown) => e);
    expect(isDemoError(err, 'TOO_SMALL')).toBe(true);
    expect((err as DemoError).details).toEqual({ n: '3', min: '10' });
    expect((err as DemoError).message).toBe('n 3 is below 10');
  });

  it('hides the text of non-lpts errors', async () => {
    const err = await client.request(Double, { n: '13' }).catch((e: unknown) => e);
    expect(isNatsRpcError(err, 'HANDLER_FAILED')).toBe(true);
    expect((err as Error).message).not.toContain('secret');
  });

  it('rejects a bad request before sending and a raw bad request on the server', async () => {
    const local = await client.request(Double, { n: 'abc' }).catch((e: unknown) => e);
    expect(isNatsRpcError(local, 'INVALID_REQUEST')).toBe(true);
    const raw = await clientConn.request(Double.subject(prefix), new TextEncoder().encode('{not json'), { timeout: 2000 });
    expect(raw.headers?.get('Lpts-Error-Code')).toBe('INVALID_REQUEST');
  });

  it('routes by trailing id', async () => {
    await expect(client.request(PerId, {}, { id: 'abc123' })).resolves.toEqual({ id: 'abc123' });
  });

  it('reports no responders as a retryable typed error', async () => {
    const other = new NatsRpcClient(clientConn, uniquePrefix('nobody'), 1_000);
    const err = await other.request(Double, { n: '20' }).catch((e: unknown) => e);
    expect(isNatsRpcError(err, 'NO_RESPONDERS')).toBe(true);
    expect((err as LptsError).retryable).toBe(true);
  });
});
