import type { JobErrorCode } from './job.errors';

/** What ffmpeg's verbose log says about one output file's video stream. */
export interface OutputVideoStats {
  /** Output file index (`Output #N`), which is also the rendition index. */
  readonly output: number;
  readonly width: number;
  readonly height: number;
  /** Frames the encoder produced (`N frames encoded`). */
  readonly frames: number;
}

const OUTPUT_HEADER = /^Output #(\d+), /;
const INPUT_HEADER = /^Input #(\d+), /;
const VIDEO_STREAM = /^\s+Stream #(\d+):(\d+)\S*: Video: (.*)$/;
const SIZE = /\b([1-9]\d*)x([1-9]\d*)\b/;
const FRAMES_ENCODED = /^\s+Output stream #(\d+):(\d+) \(video\): (\d+) frames encoded/;

/**
 * Reads each output's video size (from the `Output #N` stream header) and encoded frame count (from
 * the end-of-run `Output stream #N:S (video): F frames encoded` summary; ffmpeg prints it at `verbose`).
 * Outputs without a summary line are left out.
 */
export function parseFfmpegStats(stderr: string): OutputVideoStats[] {
  const sizes = new Map<number, { width: number; height: number }>();
  const frames = new Map<number, number>();
  let section: 'input' | 'output' | undefined;
  for (const line of stderr.split(/\r?\n/)) {
    if (INPUT_HEADER.test(line)) {
      section = 'input';
      continue;
    }
    if (OUTPUT_HEADER.test(line)) {
      section = 'output';
      continue;
    }
    const v = section === 'output' ? VIDEO_STREAM.exec(line) : null;
    if (v) {
      const file = Number(v[1]);
      const size = SIZE.exec(v[3] ?? '');
      if (size && !sizes.has(file)) sizes.set(file, { width: Number(size[1]), height: Number(size[2]) });
      continue;
    }
    const f = FRAMES_ENCODED.exec(line);
    if (f) frames.set(Number(f[1]), (frames.get(Number(f[1])) ?? 0) + Number(f[3]));
  }
  const out: OutputVideoStats[] = [];
  for (const [output, count] of [...frames.entries()].sort((a, b) => a[0] - b[0])) {
    const size = sizes.get(output);
    if (size) out.push({ output, width: size.width, height: size.height, frames: count });
  }
  return out;
}

/** The last `n` non-empty lines of a log, joined by newlines (for error details). */
export function lastLines(text: string, n = 8, maxChars = 2000): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  const tail = lines.slice(-n).join('\n');
  return tail.length > maxChars ? tail.slice(tail.length - maxChars) : tail;
}

const RULES: readonly (readonly [RegExp, JobErrorCode])[] = [
  [/Decoder \(codec [^)]*\) not found|Decoder not found|Unknown decoder/i, 'DECODER_NOT_FOUND'],
  [/Unsupported input pixel format|pixel format .* is not supported|Incompatible pixel format|Unsupported pixel format/i, 'UNSUPPORTED_PIXEL_FORMAT'],
  // `-map 0:a:0?` on a silent input also logs "matches no streams": only the video specifier counts.
  [/Stream specifier ':v:0' in filtergraph description .* matches no streams/, 'NO_VIDEO'],
  // A video stream whose frames never decode (no keyframe / no SPS+PPS before the data).
  [/Output file is empty, nothing was encoded|Cannot determine format of input stream \d+:\d+ after EOF/i, 'NO_KEYFRAMES'],
  [/Invalid data found when processing input|could not find codec parameters|Invalid frame dimensions 0x0/i, 'INVALID_MEDIA'],
  [/No NVENC capable devices|Cannot load (libcuda|libnvidia-encode)|CUDA_ERROR|cuInit|Device creation failed|OpenEncodeSessionEx failed|hwaccel initialisation returned error/i, 'ENCODER_FAILED'],
  [/Error (opening|initializing|while opening) (output stream|encoder|filter)|Error while opening encoder/i, 'ENCODER_FAILED'],
  [/Invalid argument/i, 'INVALID_ARGUMENT'],
];

/**
 * Classifies a failed ffmpeg run by its log: the first matching rule wins (decoder and input
 * problems before encoder problems, `Invalid argument` last because ffmpeg appends it to many errors).
 */
export function classifyFfmpegFailure(stderr: string): JobErrorCode {
  for (const [re, code] of RULES) if (re.test(stderr)) return code;
  return 'ENCODER_FAILED';
}
