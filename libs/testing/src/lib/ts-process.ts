import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The root require hook that compiles .ts sources on load (scripts/register-ts.cjs). */
const REGISTER_TS = join(__dirname, '../../../../scripts/register-ts.cjs');

export interface TsProcessOptions {
  /** Environment of the child (PATH and HOME are added from this process). */
  env: Record<string, string>;
  cwd?: string;
  args?: string[];
  /** Extra node flags, e.g. V8 options. */
  nodeFlags?: string[];
  /** Keep at most this many characters of combined output (the tail). Default 50,000. */
  keepOutput?: number;
}

export interface TsProcess {
  readonly child: ChildProcess;
  /** stdout + stderr so far (its tail). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Resolves with the first output line matching `re`; rejects when the process exits first or after `timeoutMs`. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGKILL unless it already exited; waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * A workspace .ts entry point as a real Node process, from source (`--conditions=@lpts/source` and the
 * register hook): what specs and benches use to run a service the way it runs in production, in its
 * own process, and to kill -9 it. NODE_OPTIONS of the Jest process is not passed on.
 */
export function spawnTs(entry: string, opts: TsProcessOptions): TsProcess {
  const keep = opts.keepOutput ?? 50_000;
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), '--conditions=@lpts/source', '-r', REGISTER_TS, entry, ...(opts.args ?? [])], {
    cwd: opts.cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const append = (b: Buffer) => {
    out += b.toString();
    if (out.length > keep) out = out.slice(-keep);
    for (const l of listeners) l();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    waitForLine(re, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = out.split('\n').find((l) => re.test(l));
          if (line === undefined) return;
          done();
          resolve(line);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${entry}: no output line matching ${re} within ${timeoutMs} ms; output:\n${out.slice(-3000)}`));
        }, timeoutMs);
        const onExit = (code: number | null) => {
          done();
          reject(new Error(`${entry} exited (${code ?? child.signalCode}) before printing a line matching ${re}; output:\n${out.slice(-3000)}`));
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
