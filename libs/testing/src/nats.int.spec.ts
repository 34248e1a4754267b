import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNats, uniquePrefix } from './index';

describe('startNats', () => {
  const prefix = uniquePrefix('nats');
  let nats: Awaited<ReturnType<typeof startNats>>;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url });
  }, 30_000);
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('gives a nats:// url on 127.0.0.1 and a port', () => {
    expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
  });

  it('delivers a published message to a subscriber', async () => {
    const sub = nc.subscribe(`${prefix}.hello`, { max: 1 });
    nc.publish(`${prefix}.hello`, 'world');
    for await (const m of sub) expect(m.string()).toBe('world');
    expect(sub.getProcessed()).toBe(1);
  });

  it('has JetStream: creates a stream and stores a message', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: `${prefix}_S`, subjects: [`${prefix}.js.>`] });
    const ack = await jetstream(nc).publish(`${prefix}.js.one`, 'stored');
    expect(ack.stream).toBe(`${prefix}_S`);
    expect(ack.seq).toBe(1);
    const msg = await jsm.streams.getMessage(`${prefix}_S`, { seq: 1 });
    expect(msg?.string()).toBe('stored');
  });

  it('stop() is idempotent and the server goes away', async () => {
    const other = await startNats({ jetstream: false });
    const c = await connect({ servers: other.url });
    await c.close();
    await Promise.all([other.stop(), other.stop()]);
    await other.stop();
    await expect(connect({ servers: other.url, reconnect: false, timeout: 500 })).rejects.toThrow();
  });
});
