import Redis from 'ioredis';
import { startRedis, uniquePrefix } from './index';

// Starting servers can take a few seconds on a loaded 2-core machine.
jest.setTimeout(30_000);

const client = (url: string): Redis => new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });

describe('startRedis', () => {
  const prefix = uniquePrefix('redis');

  it('answers SET/GET on its own port', async () => {
    const redis = await startRedis();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(redis.port).not.toBe(6379);
      const r = client(redis.url);
      await r.connect();
      await r.set(`${prefix}:k`, 'v1');
      expect(await r.get(`${prefix}:k`)).toBe('v1');
      r.disconnect();
    } finally {
      await redis.stop();
      await redis.stop();
    }
  });

  it('keeps keys across restart() and kill9() with appendonly', async () => {
    const redis = await startRedis({ appendonly: true });
    try {
      let r = client(redis.url);
      await r.connect();
      await r.set(`${prefix}:persist`, 'kept');
      r.disconnect();

      await redis.restart();
      r = client(redis.url);
      await r.connect();
      expect(await r.get(`${prefix}:persist`)).toBe('kept');
      await r.set(`${prefix}:after-restart`, 'also');
      r.disconnect();

      await redis.kill9();
      r = client(redis.url);
      await r.connect();
      expect(await r.mget(`${prefix}:persist`, `${prefix}:after-restart`)).toEqual(['kept', 'also']);
      r.disconnect();
    } finally {
      await redis.stop();
    }
  });

  it('loses keys on restart without appendonly', async () => {
    const redis = await startRedis();
    try {
      let r = client(redis.url);
      await r.connect();
      await r.set(`${prefix}:gone`, 'x');
      r.disconnect();
      await redis.restart();
      r = client(redis.url);
      await r.connect();
      expect(await r.get(`${prefix}:gone`)).toBeNull();
      r.disconnect();
    } finally {
      await redis.stop();
    }
  });
});
