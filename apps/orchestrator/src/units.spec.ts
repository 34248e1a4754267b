import { buildCapabilities, price } from '@lpts/protocol';
import { PriceBook } from './pricing/price-book';
import { AdmissionError, SessionManager } from './sessions/session-manager';
import { RenditionStore } from './storage/rendition-store';
import { workerCapabilitiesFor } from './transcode/workers-backend';
import { expectedPrice, renditionFromProfile } from './orchestrator.core';
import { create } from '@bufbuild/protobuf';
import { PaymentSchema, PriceInfoSchema, VideoProfileSchema, VideoProfile_Format, VideoProfile_Profile } from '@lpts/protocol';

const GW = '0x00000000000000000000000000000000000000aa';

describe('PriceBook (§5.2–5.3)', () => {
  const book = new PriceBook({
    base: price(1n, 2n),
    perGateway: { [GW]: { pricePerUnit: 3n, pixelsPerUnit: 1n } },
    perCapability: [
      { capability: 27, modelId: 'default', pricePerUnit: 10n, pixelsPerUnit: 1n },
      { capability: 27, modelId: 'm1', pricePerUnit: 7n, pixelsPerUnit: 2n },
      { capability: 27, modelId: 'm1', pricePerUnit: 20n, pixelsPerUnit: 1n, gateway: GW },
    ],
    autoAdjust: true,
  });
  const caps = (models: string[]) => buildCapabilities({ capabilities: [27], models: { 27: Object.fromEntries(models.map((m) => [m, {}])) } });

  it('uses the per-gateway base price, else the default', () => {
    expect(book.quote(GW, undefined)).toEqual(price(3n));
    expect(book.quote('0x00000000000000000000000000000000000000bb', undefined)).toEqual(price(1n, 2n));
  });

  it('sums integer per-(capability, model) prices, gateway entries first, then default', () => {
    const other = '0x00000000000000000000000000000000000000bb';
    expect(book.quote(other, caps(['m1']))).toEqual(price(3n)); // floor(7/2)
    expect(book.quote(GW, caps(['m1']))).toEqual(price(20n));
    expect(book.quote(other, caps(['m1', 'x']))).toEqual(price(13n)); // 3 + default 10
    expect(book.quote(other, buildCapabilities({ capabilities: [0, 1] }))).toEqual(price(1n, 2n)); // no constraints → base
  });

  it('auto-adjusts: base 1/2, txCost/faceValue 1/100 → 101/200; off leaves it', () => {
    expect(book.adjust(price(1n, 2n), 1n, 100n)).toEqual(price(101n, 200n));
    expect(new PriceBook({ base: price(1n), autoAdjust: false }).adjust(price(1n, 2n), 1n, 100n)).toEqual(price(1n, 2n));
  });

  it('lists capabilities_prices with gateway-specific entries replacing defaults', () => {
    expect(book.capabilityPriceList(GW).find((e) => e.modelId === 'm1')?.price).toEqual(price(20n));
  });
});

describe('SessionManager', () => {
  it('caps sessions and bounds the per-session queue', async () => {
    const closed: string[] = [];
    const m = new SessionManager({ maxSessions: 1, queueDepth: 1, idleMs: 20, onClose: (id) => closed.push(id) });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const order: number[] = [];
    const a = m.run('a', async () => {
      await gate;
      order.push(1);
    });
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    const b = m.run('a', async () => void order.push(2));
    await expect(m.run('a', async () => undefined)).rejects.toEqual(new AdmissionError('OrchestratorBusy'));
    await expect(m.run('b', async () => undefined)).rejects.toEqual(new AdmissionError('OrchestratorCapped'));
    expect(m.hasCapacityFor('a')).toBe(true);
    expect(m.hasCapacityFor('b')).toBe(false);
    release();
    await Promise.all([a, b]);
    expect(order).toEqual([1, 2]);
    await new Promise((r) => setTimeout(r, 60));
    expect(closed).toEqual(['a']);
    expect(m.size).toBe(0);
  });
});

describe('RenditionStore', () => {
  it('evicts least recently used past the byte budget and expires by TTL', () => {
    let now = 0;
    const s = new RenditionStore({ maxBytes: 10, ttlMs: 100, clock: () => now });
    s.put('a', Buffer.alloc(4), 'video/mp2t');
    s.put('b', Buffer.alloc(4), 'video/mp2t');
    s.get('a');
    s.put('c', Buffer.alloc(4), 'video/mp2t');
    expect(s.get('b')).toBeUndefined();
    expect(s.get('a')).toBeDefined();
    expect(s.totalBytes).toBe(8);
    now = 200;
    s.sweep();
    expect(s.count).toBe(0);
    expect(s.totalBytes).toBe(0);
    expect(s.get('a')).toBeUndefined();
  });
});

describe('wire mappings', () => {
  it('maps VideoProfile to the worker rendition and its capabilities', () => {
    const r = renditionFromProfile(
      create(VideoProfileSchema, { name: 'x', width: 640, height: 360, bitrate: 1000, fps: 30, format: VideoProfile_Format.MP4, profile: VideoProfile_Profile.H264_MAIN, gop: -5 }),
    );
    expect(r).toEqual({ name: 'x', width: 640, height: 360, bitrateBps: 1000, fps: 30, fpsDen: 0, format: 'mp4', h264Profile: 'main', gopMs: -1 });
    expect(workerCapabilitiesFor([r])).toEqual([0, 2, 8, 11]);
  });

  it('reads the expected price (absent or zero → none)', () => {
    expect(expectedPrice(create(PaymentSchema, {}))).toBeUndefined();
    expect(expectedPrice(create(PaymentSchema, { expectedPrice: create(PriceInfoSchema, { pricePerUnit: 2000n, pixelsPerUnit: 1000n }) }))).toEqual(price(2n));
  });
});
