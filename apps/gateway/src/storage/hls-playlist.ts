import type { VideoPreset } from '@lpts/protocol';

/** One segment as a media playlist lists it. */
export interface PlaylistSegment {
  seq: number;
  durationMs: number;
}

/**
 * HLS master playlist of stream `streamId`: one variant per preset, at the resolution the
 * renditions really have (`resolution`) or else the preset's. Variant URIs are relative to `/stream/`.
 */
export function hlsMasterPlaylist(
  streamId: string,
  presets: readonly VideoPreset[],
  resolution: (profile: string) => { width: number; height: number } | undefined,
): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3'];
  for (const p of presets) {
    const r = resolution(p.name);
    const w = r?.width ?? p.width;
    const h = r?.height ?? p.height;
    const bandwidth = Number(p.bitrate.replace(/k$/i, '')) * (/k$/i.test(p.bitrate) ? 1000 : 1);
    lines.push(`#EXT-X-STREAM-INF:PROGRAM-ID=1,BANDWIDTH=${bandwidth},RESOLUTION=${w}x${h}`, `${encodeURIComponent(streamId)}/${p.name}.m3u8`);
  }
  return lines.join('\n') + '\n';
}

/** HLS media playlist of one rendition: segments by seq (gaps get #EXT-X-DISCONTINUITY), #EXT-X-ENDLIST when `ended`. */
export function hlsMediaPlaylist(profile: string, segments: readonly PlaylistSegment[], ended: boolean): string {
  const segs = [...segments].sort((a, b) => a.seq - b.seq);
  const target = Math.max(1, ...segs.map((x) => Math.ceil(x.durationMs / 1000)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`, `#EXT-X-MEDIA-SEQUENCE:${segs[0]?.seq ?? 0}`];
  let prev: number | undefined;
  for (const seg of segs) {
    if (prev !== undefined && seg.seq !== prev + 1) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXTINF:${(seg.durationMs / 1000).toFixed(3)},`, `${profile}/${seg.seq}.ts`);
    prev = seg.seq;
  }
  if (ended) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}
