import 'reflect-metadata';
import { defineCommand } from '@lpts/protocol';
import { startNats, uniquePrefix, type StartedNats } from '@lpts/testing';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import type { NatsConnection } from '@nats-io/transport-node';
import { trace, type Tracer } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { connectNats, drainNats } from '../nats/nats-connection';
import { NatsRpcClient } from '../nats/nats-rpc.client';
import { NatsRpcServer } from '../nats/nats-rpc.server';
import { initTelemetry, shutdownTelemetry } from './telemetry';

/** Replies with the span context the handler runs in. */
const WhoAmI = defineCommand({
  domain: 'demo',
  entity: 'trace',
  action: 'whoami',
  request: z.object({}),
  reply: z.object({ traceId: z.string(), spanId: z.string(), recording: z.boolean() }),
});

@Controller()
class TraceController {
  @MessagePattern(WhoAmI.pattern)
  whoami() {
    const span = trace.getActiveSpan();
    const c = span?.spanContext();
    return { traceId: c?.traceId ?? '', spanId: c?.spanId ?? '', recording: span?.isRecording() ?? false };
  }
}

@Module({ controllers: [TraceController] })
class TraceModule {}

describe('trace context over NATS RPC (real nats-server)', () => {
  let nats: StartedNats;
  let serverConn: NatsConnection;
  let clientConn: NatsConnection;
  let app: INestMicroservice | undefined;
  let client: NatsRpcClient;
  const prefix = uniquePrefix('trace');

  beforeAll(async () => {
    nats = await startNats();
    serverConn = await connectNats(nats.url, 'trace-server');
    clientConn = await connectNats(nats.url, 'trace-client');
    client = new NatsRpcClient(clientConn, prefix, 2_000);
  });

  async function serve(): Promise<void> {
    await app?.close();
    app = await NestFactory.createMicroservice(TraceModule, {
      strategy: new NatsRpcServer({ connection: serverConn, prefix, queue: 'trace', commands: [WhoAmI] }),
      logger: false,
    });
    await app.listen();
  }

  /** WhoAmI called inside an active 'caller' span. */
  function callInSpan(tracer: Tracer) {
    return tracer.startActiveSpan('caller', async (span) => {
      try {
        return { caller: span.spanContext(), reply: await client.request(WhoAmI, {}) };
      } finally {
        span.end();
      }
    });
  }

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await shutdownTelemetry();
  });

  afterAll(async () => {
    await drainNats(serverConn);
    await drainNats(clientConn);
    await nats?.stop();
  });

  it('without an exporter: spans are not recorded, yet the caller trace id reaches the handler', async () => {
    const tracer = initTelemetry({ service: 'spec', instance: 'a', version: '0' });
    await serve();
    const { caller, reply } = await callInSpan(tracer);
    expect(caller.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(reply.traceId).toBe(caller.traceId);
    expect(reply.spanId).not.toBe(caller.spanId);
    expect(reply.recording).toBe(false);
  });

  it('with a span processor: the handler span is recorded as a child of the caller span', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = initTelemetry({ service: 'spec', instance: 'b', version: '0', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    await serve();
    const { caller, reply } = await callInSpan(tracer);
    expect(reply.recording).toBe(true);
    expect(reply.traceId).toBe(caller.traceId);
    const server = exporter.getFinishedSpans().find((s) => s.name === `nats ${WhoAmI.pattern}`);
    expect(server?.spanContext().traceId).toBe(caller.traceId);
    expect(server?.parentSpanContext?.spanId).toBe(caller.spanId);
  });
});
