import { parsePresetList } from '@lpts/protocol';
import { RenditionStore } from './rendition-store';

const presets = parsePresetList('P240p30fps16x9,P360p30fps16x9');
const r = (name: string, bytes: number) => ({ name, data: Buffer.alloc(bytes), width: undefined, height: undefined });
const both = (bytes: number) => [r('P240p30fps16x9', bytes), r('P360p30fps16x9', bytes)];

describe('RenditionStore', () => {
  it('builds master and media playlists; ENDLIST after end; a discontinuity marks a gap', () => {
    const s = new RenditionStore(presets, { maxBytes: 1e9, windowSegments: 10, idleMs: 60_000 });
    s.put('cam', 0, 2000, both(10));
    s.put('cam', 1, 2000, both(10));
    s.put('cam', 3, 1500, both(10));
    expect(s.masterPlaylist('cam')).toBe(
      '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:PROGRAM-ID=1,BANDWIDTH=600000,RESOLUTION=426x240\ncam/P240p30fps16x9.m3u8\n' +
        '#EXT-X-STREAM-INF:PROGRAM-ID=1,BANDWIDTH=1200000,RESOLUTION=640x360\ncam/P360p30fps16x9.m3u8\n',
    );
    s.end('cam');
    expect(s.mediaPlaylist('cam', 'P240p30fps16x9')).toBe(
      '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n' +
        '#EXTINF:2.000,\nP240p30fps16x9/0.ts\n#EXTINF:2.000,\nP240p30fps16x9/1.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:1.500,\nP240p30fps16x9/3.ts\n#EXT-X-ENDLIST\n',
    );
    expect(s.mediaPlaylist('cam', 'nope')).toBeUndefined();
    // A late segment at or below the end mark keeps the stream ended; a newer one re-opens it.
    s.put('cam', 2, 2000, both(10));
    expect(s.mediaPlaylist('cam', 'P240p30fps16x9')).toContain('#EXT-X-ENDLIST');
    s.put('cam', 4, 2000, both(10));
    expect(s.mediaPlaylist('cam', 'P240p30fps16x9')).not.toContain('#EXT-X-ENDLIST');
  });

  it('keeps a per-stream window and a global byte budget', () => {
    const s = new RenditionStore(presets, { maxBytes: 250, windowSegments: 3, idleMs: 60_000 });
    for (let i = 0; i < 5; i++) s.put('a', i, 2000, both(10));
    expect([...(s.stream('a')?.segments.keys() ?? [])]).toEqual([2, 3, 4]);
    expect(s.bytes).toBe(60);
    s.put('b', 0, 2000, both(100)); // 260 bytes total → oldest of 'a' go
    expect(s.bytes).toBeLessThanOrEqual(250);
    expect(s.rendition('b', 'P240p30fps16x9', 0)).toBeDefined();
    expect(s.stream('a')?.segments.has(2)).toBe(false);
  });

  it('drops idle streams', () => {
    let now = 0;
    const s = new RenditionStore(presets, { maxBytes: 1e9, windowSegments: 3, idleMs: 1000 }, () => now);
    s.put('a', 0, 2000, both(10));
    now = 2000;
    expect(s.sweep()).toEqual(['a']);
    expect(s.bytes).toBe(0);
  });
});
