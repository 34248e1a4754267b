import { context, propagation, trace, type Context, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, BatchSpanProcessor, ParentBasedSampler, AlwaysOnSampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface TelemetryOptions {
  service: string;
  instance: string;
  version: string;
  /**
   * OTLP/HTTP traces endpoint. Without it (and without spanProcessors) nothing would read a span, so
   * spans are not recorded: they still get ids, so trace context propagates and logs correlate, but a
   * request pays for no attributes, timing or processor calls (ParentBased(AlwaysOn) otherwise).
   */
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
      sampler: processors.length === 0 ? new AlwaysOffSampler() : new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    });
    provider.register({ propagator: new W3CTraceContextPropagator() });
  }
  return trace.getTracer(`lpts.${opts.service}`, opts.version);
}

/** Flushes and stops the provider and unregisters the global tracer, propagator and context manager (initTelemetry may run again). */
export async function shutdownTelemetry(): Promise<void> {
  const p = provider;
  provider = undefined;
  await p?.shutdown();
  if (p) {
    trace.disable();
    propagation.disable();
    context.disable();
  }
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
