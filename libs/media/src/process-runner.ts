import { spawn } from 'node:child_process';
import type { StdioPipe } from 'node:child_process';
import type { Readable } from 'node:stream';
import { JobError } from './job.errors';

export interface RunProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** Bytes written to the child's stdin (then closed); stdin is /dev/null when absent. */
  readonly input?: Uint8Array;
  /** Child fds 3 … 3+outputFds-1 are pipes collected into `outputs`. */
  readonly outputFds?: number;
  /** Collect stdout (otherwise ignored). */
  readonly captureStdout?: boolean;
  /** Kill after this long (ms). */
  readonly timeoutMs: number;
  /** Kill when stdout + outputs exceed this many bytes. */
  readonly maxOutputBytes: number;
  readonly signal?: AbortSignal;
  /** Bytes of stderr kept from the start, and from the end (the middle of a huge log is dropped). */
  readonly stderrHeadBytes?: number;
  readonly stderrTailBytes?: number;
}

export type KillReason = 'timeout' | 'abort' | 'output-limit';

export interface RunProcessResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly outputs: readonly Buffer[];
  readonly stderr: string;
  readonly outputBytes: number;
  readonly elapsedMs: number;
  /** Set when the runner killed the child. */
  readonly killed?: KillReason;
}

/** Keeps the first `head` and last `tail` bytes of a stream. */
class BoundedLog {
  private readonly headChunks: Buffer[] = [];
  private headLen = 0;
  private tailChunks: Buffer[] = [];
  private tailLen = 0;
  private dropped = 0;
  constructor(
    private readonly head: number,
    private readonly tail: number,
  ) {}
  push(chunk: Buffer): void {
    if (this.headLen < this.head) {
      const take = chunk.subarray(0, this.head - this.headLen);
      this.headChunks.push(take);
      this.headLen += take.length;
      chunk = chunk.subarray(take.length);
    }
    if (chunk.length === 0) return;
    this.tailChunks.push(chunk);
    this.tailLen += chunk.length;
    while (this.tailLen - (this.tailChunks[0]?.length ?? 0) >= this.tail && this.tailChunks.length > 1) {
      const first = this.tailChunks.shift() as Buffer;
      this.tailLen -= first.length;
      this.dropped += first.length;
    }
  }
  text(): string {
    const head = Buffer.concat(this.headChunks).toString('utf8');
    const tail = Buffer.concat(this.tailChunks).toString('utf8');
    return this.dropped > 0 ? `${head}\n[… ${this.dropped} bytes of log dropped …]\n${tail}` : head + tail;
  }
}

/**
 * Runs a process with stdin from a buffer and extra output pipes (fd 3+), collecting everything in
 * memory. Never rejects for a non-zero exit (the caller classifies it); rejects with JobError
 * BINARY_NOT_FOUND when the binary cannot be spawned. Resolves only after the child has exited and
 * all its pipes closed, so no process outlives the call (timeout, abort and the output cap SIGKILL it).
 */
export function runProcess(o: RunProcessOptions): Promise<RunProcessResult> {
  const started = performance.now();
  const nOut = o.outputFds ?? 0;
  if (o.signal?.aborted) {
    return Promise.resolve({ exitCode: null, signal: null, stdout: Buffer.alloc(0), outputs: [], stderr: '', outputBytes: 0, elapsedMs: 0, killed: 'abort' });
  }
  const stdio: ('pipe' | 'ignore')[] = [o.input ? 'pipe' : 'ignore', o.captureStdout ? 'pipe' : 'ignore', 'pipe', ...Array.from({ length: nOut }, () => 'pipe' as const)];
  return new Promise<RunProcessResult>((resolve, reject) => {
    let child;
    try {
      // Own process group, so a kill also takes any helper the binary started (and nothing else).
      child = spawn(o.command, o.args as string[], { stdio: stdio as StdioPipe[], detached: true });
    } catch (cause) {
      reject(new JobError('BINARY_NOT_FOUND', `cannot start ${o.command}`, { cause, details: { command: o.command } }));
      return;
    }
    const stderr = new BoundedLog(o.stderrHeadBytes ?? 64 * 1024, o.stderrTailBytes ?? 64 * 1024);
    const stdoutChunks: Buffer[] = [];
    const outChunks: Buffer[][] = Array.from({ length: nOut }, () => []);
    let outputBytes = 0;
    let killed: KillReason | undefined;

    const kill = (reason: KillReason): void => {
      if (killed !== undefined || child.exitCode !== null || child.signalCode !== null) return;
      killed = reason;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const count = (len: number): void => {
      outputBytes += len;
      if (outputBytes > o.maxOutputBytes) kill('output-limit');
    };
    const timer = setTimeout(() => kill('timeout'), o.timeoutMs);
    const onAbort = (): void => kill('abort');
    o.signal?.addEventListener('abort', onAbort, { once: true });

    child.stderr?.on('data', (c: Buffer) => stderr.push(c));
    if (o.captureStdout) {
      child.stdout?.on('data', (c: Buffer) => {
        if (killed) return;
        stdoutChunks.push(c);
        count(c.length);
      });
    }
    for (let i = 0; i < nOut; i++) {
      const pipe = child.stdio[3 + i] as Readable | null | undefined;
      const sink = outChunks[i] as Buffer[];
      pipe?.on('data', (c: Buffer) => {
        if (killed) return;
        sink.push(c);
        count(c.length);
      });
      pipe?.on('error', () => undefined);
    }
    if (o.input && child.stdin) {
      // ffmpeg may exit before reading all input (broken media): EPIPE is expected then.
      child.stdin.on('error', () => undefined);
      child.stdin.end(o.input);
    }
    const cleanup = (): void => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // a kill() failure on a live child; 'close' still follows
      cleanup();
      const code = err.code ?? 'unknown';
      reject(new JobError('BINARY_NOT_FOUND', `cannot start ${o.command}: ${code}`, { cause: err, details: { command: o.command, errno: code } }));
    });
    child.on('exit', () => {
      // A grandchild could still hold our pipes open: once the child is gone after a kill, stop waiting.
      if (killed !== undefined) for (const s of child.stdio) s?.destroy();
    });
    child.on('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(stdoutChunks),
        outputs: outChunks.map((c) => Buffer.concat(c)),
        stderr: stderr.text(),
        outputBytes,
        elapsedMs: performance.now() - started,
        ...(killed !== undefined ? { killed } : {}),
      });
    });
  });
}
