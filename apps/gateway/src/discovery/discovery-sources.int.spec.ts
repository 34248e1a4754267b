import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ChainStateKeys, chainStateBucket } from '@lpts/protocol';
import { startNats, uniquePrefix, type StartedNats } from '@lpts/testing';
import { ChainSource, StaticSource, WebhookSource, normaliseServiceUri } from './discovery-sources';

jest.setTimeout(60_000);

describe('discovery sources', () => {
  let nats: StartedNats;
  let nc: NatsConnection;
  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await nc?.drain();
    await nats?.stop();
  });

  it('normalises static addresses like -orchAddr (https, port 8935)', async () => {
    expect(normaliseServiceUri('o.example.com')).toBe('https://o.example.com:8935');
    expect(normaliseServiceUri('10.0.0.1:9000')).toBe('https://10.0.0.1:9000');
    expect(normaliseServiceUri('http://h:1/x')).toBe('http://h:1');
    expect((await new StaticSource(['a:1', 'https://a:1', 'b']).list()).map((c) => c.uri)).toEqual(['https://a:1', 'https://b:8935']);
  });

  it('reads the active pool with service URIs from settlement\'s chain-state KV', async () => {
    const prefix = uniquePrefix();
    const kv = await new Kvm(nc).create(chainStateBucket(prefix), { history: 1 });
    const t = (address: string, o: Record<string, unknown>) => ({
      address,
      registered: true,
      active: true,
      activationRound: '1',
      deactivationRound: '0',
      stake: '1000',
      serviceUri: 'https://o1.example:8935',
      updatedAt: 1,
      ...o,
    });
    const a1 = '0x' + '11'.repeat(20);
    const a2 = '0x' + '22'.repeat(20);
    const a3 = '0x' + '33'.repeat(20);
    const a4 = '0x' + '44'.repeat(20);
    await kv.put(ChainStateKeys.transcoder(a1), JSON.stringify(t(a1, {})));
    await kv.put(ChainStateKeys.transcoder(a2), JSON.stringify(t(a2, { active: false, serviceUri: 'https://o2.example:8935' })));
    await kv.put(ChainStateKeys.transcoder(a3), JSON.stringify(t(a3, { serviceUri: '' })));
    await kv.put(ChainStateKeys.transcoder(a4), JSON.stringify(t(a4, { stake: '5', serviceUri: 'https://o4.example' })));
    await kv.put(ChainStateKeys.latest, JSON.stringify({ not: 'a transcoder' }));
    const list = await new ChainSource(nc, prefix, 10n).list();
    expect(list).toEqual([{ uri: 'https://o1.example:8935', address: a1, stake: 1000n }]);
    expect(await new ChainSource(nc, prefix, 0n).list()).toHaveLength(2);
  });

  it('webhook: parses [{address, score}], keeps the last good list when the hook fails', async () => {
    let fail = false;
    const server: Server = createServer((_req, res) => {
      if (fail) {
        res.statusCode = 500;
        res.end('boom');
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify([{ address: 'https://w1:8935', score: 0.5 }, { address: 'w2' }, { nope: 1 }]));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orchs`;
      const src = new WebhookSource(url, 1000, 0);
      expect(await src.list()).toEqual([{ uri: 'https://w1:8935', score: 0.5 }, { uri: 'https://w2:8935' }]);
      fail = true;
      expect(await src.list()).toHaveLength(2);
      await expect(new WebhookSource(url, 1000, 0).list()).rejects.toThrow('webhook HTTP 500');
    } finally {
      server.close();
    }
  });
});
