import { Capability } from '@lpts/protocol';
import { isJobError } from './job.errors';
import type { TranscodeDevice } from './ffmpeg-args';
import { lastLines } from './ffmpeg-stats';
import { runProcess } from './process-runner';
import { H264Profile, OutputFormat, rendition } from './rendition';
import type { RenditionSpec } from './rendition';
import { FfmpegTranscoder } from './transcoder';

/** A decode test: an input made with a CPU encoder, and the capability it proves. */
interface DecodeSample {
  readonly id: string;
  /** Codec name reported in `decoders`. */
  readonly codec: string;
  readonly capability: Capability | undefined;
  readonly encodeArgs: readonly string[];
}

const SAMPLE_SIZE = '256x144';
const h264 = (pixFmt: string): string[] => ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', pixFmt, '-f', 'mpegts'];

/** H.264 4:2:0 8-bit first: it is the input of the encode tests. */
const SAMPLES: readonly DecodeSample[] = [
  { id: 'h264', codec: 'h264', capability: undefined, encodeArgs: h264('yuv420p') },
  { id: 'hevc', codec: 'hevc', capability: Capability.HEVCDecode, encodeArgs: ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-pix_fmt', 'yuv420p', '-f', 'mpegts'] },
  { id: 'vp8', codec: 'vp8', capability: Capability.VP8Decode, encodeArgs: ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-f', 'webm'] },
  { id: 'vp9', codec: 'vp9', capability: Capability.VP9Decode, encodeArgs: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-f', 'webm'] },
  { id: 'h264-444-8', codec: 'h264', capability: Capability.H264Decode444_8bit, encodeArgs: h264('yuv444p') },
  { id: 'h264-422-8', codec: 'h264', capability: Capability.H264Decode422_8bit, encodeArgs: h264('yuv422p') },
  { id: 'h264-444-10', codec: 'h264', capability: Capability.H264Decode444_10bit, encodeArgs: h264('yuv444p10le') },
  { id: 'h264-422-10', codec: 'h264', capability: Capability.H264Decode422_10bit, encodeArgs: h264('yuv422p10le') },
  { id: 'h264-420-10', codec: 'h264', capability: Capability.H264Decode420_10bit, encodeArgs: h264('yuv420p10le') },
];

/** Proven by a one-rendition H.264 MPEG-TS encode. */
const BASE_CAPS: readonly Capability[] = [Capability.H264, Capability.MPEGTS];

const tiny = (name: string, extra: Partial<RenditionSpec> = {}): RenditionSpec =>
  rendition({ name, width: 256, height: 144, bitrateBps: 200_000, ...extra });

/** Feature tests: each proves its capabilities; run together first, one by one if that fails. */
const FEATURES: readonly { readonly caps: readonly Capability[]; readonly spec: RenditionSpec }[] = [
  { caps: [Capability.MP4], spec: tiny('mp4', { format: OutputFormat.MP4 }) },
  { caps: [Capability.FractionalFramerates], spec: tiny('ntsc', { fps: 30000, fpsDen: 1001 }) },
  { caps: [Capability.ProfileH264Baseline], spec: tiny('baseline', { h264Profile: H264Profile.BASELINE }) },
  { caps: [Capability.ProfileH264Main], spec: tiny('main', { h264Profile: H264Profile.MAIN }) },
  { caps: [Capability.ProfileH264High], spec: tiny('high', { h264Profile: H264Profile.HIGH }) },
  { caps: [Capability.ProfileH264ConstrainedHigh], spec: tiny('chigh', { h264Profile: H264Profile.CONSTRAINED_HIGH }) },
  { caps: [Capability.GOP], spec: tiny('gop', { fps: 30, gopMs: 200 }) },
];

export interface DeviceProbe {
  readonly device: TranscodeDevice;
  readonly encoder: 'libx264' | 'h264_nvenc';
  /** The device encodes H.264 at all. */
  readonly ok: boolean;
  /** GPU only: NVDEC decode works (otherwise the device decodes on the CPU). */
  readonly nvdec?: boolean;
  /** Codecs this device decoded in the tests. */
  readonly decoders: readonly string[];
  readonly capabilities: readonly Capability[];
  /** Why the device is unusable (first failure), when !ok. */
  readonly error?: { readonly code: string; readonly message: string; readonly stderrTail: string };
  readonly elapsedMs: number;
}

export interface MediaCapabilities {
  /** `gpu` when at least one listed GPU encodes; else `cpu` when libx264 works; else `none`. */
  readonly mode: 'gpu' | 'cpu' | 'none';
  /** GPUs that passed (what a GpuAllocator should be built from). */
  readonly gpus: readonly number[];
  /** Devices jobs will run on, with the settings that worked (NVDEC on/off). */
  readonly devices: readonly TranscodeDevice[];
  readonly encoders: readonly string[];
  readonly decoders: readonly string[];
  /** Livepeer capability ids the node may advertise for transcoding, ascending. */
  readonly capabilities: readonly Capability[];
  /** Every device tested, passed or not. */
  readonly probes: readonly DeviceProbe[];
  readonly ffmpegVersion: string | undefined;
}

export interface ProbeCapabilitiesOptions {
  readonly ffmpegPath?: string;
  /** GPU indices from config ([] = CPU only). */
  readonly gpus?: readonly number[];
  /** Skip the libx264 test when a GPU works (default false: CPU is always probed and reported). */
  readonly skipCpuWhenGpu?: boolean;
  /** Per ffmpeg run (default 20 s). */
  readonly timeoutMs?: number;
}

async function makeSample(ffmpeg: string, s: DecodeSample, timeoutMs: number): Promise<Buffer | undefined> {
  const r = await runProcess({
    command: ffmpeg,
    args: ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${SAMPLE_SIZE}:rate=30:duration=0.5`, ...s.encodeArgs, 'pipe:1'],
    captureStdout: true,
    timeoutMs,
    maxOutputBytes: 16 * 1024 * 1024,
  }).catch(() => undefined);
  return r && r.exitCode === 0 && r.stdout.length > 0 ? r.stdout : undefined;
}

type Attempt = { ok: true } | { ok: false; code: string; message: string; stderrTail: string };

async function attempt(t: FfmpegTranscoder, input: Buffer, specs: readonly RenditionSpec[], device: TranscodeDevice): Promise<Attempt> {
  try {
    await t.transcode({ input, renditions: specs, device });
    return { ok: true };
  } catch (e) {
    if (isJobError(e)) return { ok: false, code: e.code, message: e.message, stderrTail: String(e.details['stderrTail'] ?? '') };
    return { ok: false, code: 'ENCODER_FAILED', message: e instanceof Error ? e.message : String(e), stderrTail: '' };
  }
}

async function probeDevice(t: FfmpegTranscoder, samples: ReadonlyMap<string, Buffer>, device: TranscodeDevice): Promise<DeviceProbe> {
  const started = performance.now();
  const encoder = device.kind === 'gpu' ? 'h264_nvenc' : 'libx264';
  const input = samples.get('h264');
  const done = (p: Omit<DeviceProbe, 'elapsedMs' | 'encoder'>): DeviceProbe => ({ ...p, encoder, elapsedMs: Math.round(performance.now() - started) });
  if (!input) {
    return done({ device, ok: false, decoders: [], capabilities: [], error: { code: 'ENCODER_FAILED', message: 'no H.264 sample (libx264 missing?)', stderrTail: '' } });
  }
  // 1. Encode at all (GPU: NVENC with CPU decode first, so a broken NVDEC does not hide a working NVENC).
  const encodeDevice: TranscodeDevice = device.kind === 'gpu' ? { kind: 'gpu', index: device.index, nvdec: false } : device;
  const base = await attempt(t, input, [tiny('base')], encodeDevice);
  if (!base.ok) {
    const { code, message, stderrTail } = base;
    return done({ device: encodeDevice, ok: false, decoders: [], capabilities: [], error: { code, message, stderrTail } });
  }
  // 2. NVDEC.
  let used = encodeDevice;
  let nvdec: boolean | undefined;
  if (device.kind === 'gpu') {
    const withDecode: TranscodeDevice = { kind: 'gpu', index: device.index, nvdec: true };
    nvdec = (await attempt(t, input, [tiny('nvdec')], withDecode)).ok;
    if (nvdec) used = withDecode;
  }
  // 3. Output features.
  const caps = new Set<Capability>(BASE_CAPS);
  if ((await attempt(t, input, FEATURES.map((f) => f.spec), used)).ok) {
    for (const f of FEATURES) f.caps.forEach((c) => caps.add(c));
  } else {
    for (const f of FEATURES) if ((await attempt(t, input, [f.spec], used)).ok) f.caps.forEach((c) => caps.add(c));
  }
  // 4. Input codecs / pixel formats.
  const decoders = new Set<string>(['h264']);
  for (const s of SAMPLES) {
    const sample = samples.get(s.id);
    if (s.capability === undefined || !sample) continue;
    if ((await attempt(t, sample, [tiny(s.id)], used)).ok) {
      caps.add(s.capability);
      decoders.add(s.codec);
    }
  }
  return done({ device: used, ok: true, ...(nvdec !== undefined ? { nvdec } : {}), decoders: [...decoders], capabilities: [...caps].sort((a, b) => a - b) });
}

/** Capabilities every device has (GPU nodes advertise only what all their GPUs do). */
function intersect(lists: readonly (readonly Capability[])[]): Capability[] {
  const [first, ...rest] = lists;
  if (!first) return [];
  return first.filter((c) => rest.every((l) => l.includes(c)));
}

/** Which devices a node uses and what it advertises, from the device probes. Pure. */
export function summariseProbes(probes: readonly DeviceProbe[], ffmpegVersion?: string): MediaCapabilities {
  const gpuOk = probes.filter((p) => p.ok && p.device.kind === 'gpu');
  const cpuOk = probes.filter((p) => p.ok && p.device.kind === 'cpu');
  const chosen = gpuOk.length > 0 ? gpuOk : cpuOk;
  const mode = gpuOk.length > 0 ? 'gpu' : cpuOk.length > 0 ? 'cpu' : 'none';
  const decoders = chosen.length > 0 ? chosen.map((p) => p.decoders).reduce((a, b) => a.filter((d) => b.includes(d))) : [];
  return {
    mode,
    gpus: gpuOk.map((p) => (p.device.kind === 'gpu' ? p.device.index : -1)),
    devices: chosen.map((p) => p.device),
    encoders: [...new Set(chosen.map((p) => p.encoder))],
    decoders: [...decoders],
    capabilities: intersect(chosen.map((p) => p.capabilities)),
    probes,
    ffmpegVersion,
  };
}

/**
 * Probes what this machine can really do: for each listed GPU a test transcode with h264_nvenc
 * (then with NVDEC decode), then libx264 on the CPU; each working device then gets feature tests
 * (MP4, fractional fps, the four H.264 profiles, GOP) and decode tests (HEVC, VP8, VP9, H.264
 * 4:4:4/4:2:2/10-bit inputs made with CPU encoders). Only what passed is advertised. A missing
 * ffmpeg gives mode `none`.
 */
export async function probeCapabilities(o: ProbeCapabilitiesOptions = {}): Promise<MediaCapabilities> {
  const ffmpeg = o.ffmpegPath ?? 'ffmpeg';
  const timeoutMs = o.timeoutMs ?? 20_000;
  let version: string | undefined;
  try {
    const v = await runProcess({ command: ffmpeg, args: ['-hide_banner', '-version'], captureStdout: true, timeoutMs, maxOutputBytes: 1 << 20 });
    version = /ffmpeg version (\S+)/.exec(v.stdout.toString('utf8'))?.[1];
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const probe: DeviceProbe = {
      device: { kind: 'cpu' },
      encoder: 'libx264',
      ok: false,
      decoders: [],
      capabilities: [],
      error: { code: 'BINARY_NOT_FOUND', message, stderrTail: '' },
      elapsedMs: 0,
    };
    return summariseProbes([probe], undefined);
  }
  const samples = new Map<string, Buffer>();
  await Promise.all(
    SAMPLES.map(async (s) => {
      const b = await makeSample(ffmpeg, s, timeoutMs);
      if (b) samples.set(s.id, b);
    }),
  );
  const t = new FfmpegTranscoder({ ffmpegPath: ffmpeg, timeoutMs });
  const probes: DeviceProbe[] = [];
  for (const gpu of o.gpus ?? []) probes.push(await probeDevice(t, samples, { kind: 'gpu', index: gpu }));
  if (!(o.skipCpuWhenGpu && probes.some((p) => p.ok))) probes.push(await probeDevice(t, samples, { kind: 'cpu' }));
  return summariseProbes(probes, version);
}

/** One line per failed device, for startup logs. */
export function describeProbeFailures(c: MediaCapabilities): string[] {
  return c.probes
    .filter((p) => !p.ok)
    .map((p) => `${p.device.kind === 'gpu' ? `gpu ${p.device.index}` : 'cpu'} (${p.encoder}): ${p.error?.code ?? '?'} ${p.error?.message ?? ''} ${lastLines(p.error?.stderrTail ?? '', 2)}`.trim());
}
