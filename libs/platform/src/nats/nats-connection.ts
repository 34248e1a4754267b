import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NatsRpcError } from './nats.errors';

/** Connects with a clear typed error (connection refused is immediate; it never hangs). */
export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url.split(',').map((s) => s.trim()), name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  } catch (cause) {
    throw new NatsRpcError('CONNECTION_FAILED', `cannot connect to NATS at ${url}: ${(cause as Error).message}`, {
      details: { url },
      retryable: true,
      cause,
    });
  }
}

/** Drains (finishes in-flight handlers and flushes) then closes; tolerant of an already closed connection. */
export async function drainNats(nc: NatsConnection | undefined): Promise<void> {
  if (!nc || nc.isClosed()) return;
  try {
    await nc.drain();
  } catch {
    await nc.close().catch(() => undefined);
  }
}
