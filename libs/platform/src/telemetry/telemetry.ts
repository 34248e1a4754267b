import { context, propagation, trace, type Context, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface TelemetryOptions {
  service: string;
  instance: string;
  version: string;
  /** OTLP/HTTP traces endpoint; without it spans are created (ids propagate) but not exported. */
  otlpEndpoint?: string;
  /** Extra processors (tests use an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
}

let provider: NodeTracerProvider | undefined;

/**
 * Sets up tracing once per process: W3C trace context (HTTP `traceparent`, NATS headers), an
 * optional OTLP exporter. Safe to call again (apps/node runs several services in one process).
 */
export function initTelemetry(opts: TelemetryOptions): Tracer {
  if (!provider) {
    const processors: SpanProcessor[] = [...(opts.spanProcessors ?? [])];
    if (opts.otlpEndpoint) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: opts.otlpEndpoint })));
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({
        'service.name': opts.service,
        'service.instance.id': opts.instance,
        'service.version': opts.version,
      }),
      spanProcessors: processors,
    });
    provider.register({ propagator: new W3CTraceContextPropagator() });
  }
  return trace.getTracer(`lpts.${opts.service}`, opts.version);
}

export async function shutdownTelemetry(): Promise<void> {
  const p = provider;
  provider = undefined;
  await p?.shutdown();
}

/** A carrier is anything we can set/get string headers on (NATS MsgHdrs, HTTP header maps). */
export interface HeaderCarrier {
  set(key: string, value: string): void;
  get(key: string): string | undefined | null;
}

export function injectTraceContext(carrier: HeaderCarrier, ctx: Context = context.active()): void {
  propagation.inject(ctx, carrier, {
    set: (c, k, v) => c.set(k, v),
  });
}

export function extractTraceContext(carrier: HeaderCarrier, base: Context = context.active()): Context {
  return propagation.extract(base, carrier, {
    get: (c, k) => c.get(k) ?? undefined,
    keys: () => ['traceparent', 'tracestate'],
  });
}
