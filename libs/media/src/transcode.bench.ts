import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from '@lpts/testing';
import { FfmpegTranscoder, buildTranscodeArgs, makeTestSegment, rendition } from './index';

/**
 * Per-segment time through the runner (stdin → pipes, stats parsing, typed errors) vs the raw ffmpeg
 * CLI doing the same ladder with the same arguments from a file to files, in the same run.
 * Target: runner ≤ 1.10 × CLI. Prints one JSON line; never asserts timing.
 */
const ffmpegPath = requireBinary('ffmpeg');
const RUNS = 3;
const LADDER = [
  rendition({ name: 'P720p30fps16x9', width: 1280, height: 720, bitrateBps: 4_000_000, fps: 30 }),
  rendition({ name: 'P480p30fps16x9', width: 854, height: 480, bitrateBps: 2_000_000, fps: 30 }),
  rendition({ name: 'P360p30fps16x9', width: 640, height: 360, bitrateBps: 1_200_000, fps: 30 }),
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function runCli(args: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`ffmpeg exited ${code}`))));
  });
}

describe('transcode bench', () => {
  it('runner vs raw ffmpeg CLI, 2 s 1080p30 segment → 720p/480p/360p', async () => {
    const segment = await makeTestSegment({ seconds: 2, width: 1920, height: 1080, fps: 30, ffmpegPath });
    const dir = mkdtempSync(join(tmpdir(), 'lpts-media-bench-'));
    try {
      const input = join(dir, 'in.ts');
      writeFileSync(input, segment);
      const { args } = buildTranscodeArgs(LADDER);
      // Same arguments; the input is a file instead of stdin and each output a file instead of a pipe.
      const cliArgs = args.map((a) => (a === 'pipe:0' ? input : /^pipe:\d+$/.test(a) ? join(dir, `out${a.slice(5)}.ts`) : a));
      cliArgs.unshift('-y');
      const transcoder = new FfmpegTranscoder({ ffmpegPath });
      await transcoder.transcode({ input: segment, renditions: LADDER }); // warm-up (page cache, libs)
      await runCli(cliArgs);
      const runner: number[] = [];
      const cli: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const r = await transcoder.transcode({ input: segment, renditions: LADDER });
        runner.push(performance.now() - t0);
        expect(r.renditions).toHaveLength(3);
        cli.push(await runCli(cliArgs));
      }
      const runnerMs = median(runner);
      const cliMs = median(cli);
      console.log(
        JSON.stringify({
          bench: 'media.transcode',
          segment: '2s 1920x1080@30 testsrc2+sine, MPEG-TS',
          ladder: LADDER.map((l) => `${l.width}x${l.height}`),
          runs: RUNS,
          runnerMedianMs: Math.round(runnerMs),
          cliMedianMs: Math.round(cliMs),
          ratio: Number((runnerMs / cliMs).toFixed(3)),
          target: 1.1,
          runnerMs: runner.map(Math.round),
          cliMs: cli.map(Math.round),
        }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
