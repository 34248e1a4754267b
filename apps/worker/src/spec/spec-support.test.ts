import type { RenditionJson } from '@lpts/protocol';

/** Helpers shared by the worker's integration specs (not a spec itself: `.test.ts` is outside testMatch and the app build). */

export const must = <T>(v: T | undefined | null): T => {
  if (v === undefined || v === null) throw new Error('expected a value');
  return v;
};

/** An MPEG-TS H.264 rendition request with the defaults the specs use. */
export const rendition = (name: string, width: number, height: number, bitrateBps: number): RenditionJson => ({
  name,
  width,
  height,
  bitrateBps,
  fps: 0,
  fpsDen: 0,
  format: 'mpegts',
  h264Profile: 'default',
  gopMs: 0,
});

/** Polls `what` every 20 ms until it holds; throws after `ms`. */
export const until = async (what: () => boolean, ms = 10_000, label = 'a condition'): Promise<void> => {
  const t0 = Date.now();
  while (!what()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${label}`);
    await new Promise((res) => setTimeout(res, 20));
  }
};
