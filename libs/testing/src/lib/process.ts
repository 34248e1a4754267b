import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** Processes started by this module that are still running; killed when the test process exits. */
const live = new Set<ChildProcess>();
/** Temp dirs not yet removed; removed (best effort) when the test process exits. */
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL is the only thing that can be done there.
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const dir of tempDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort
      }
    }
  });
}

const TEMP_PREFIX = 'lpts-';
let swept = false;

/** Removes temp dirs left by earlier test processes that died hard (the pid is in the dir name). */
function sweepStaleTempDirs(): void {
  if (swept) return;
  swept = true;
  try {
    for (const name of readdirSync(tmpdir())) {
      const m = /^lpts-(?:nats|redis|pg)-(\d+)-[A-Za-z0-9]{6}$/.exec(name);
      if (!m || Number(m[1]) === process.pid) continue;
      try {
        process.kill(Number(m[1]), 0);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(tmpdir(), name), { recursive: true, force: true });
      }
    }
  } catch {
    // best effort
  }
}

/** A fresh temp dir `lpts-<kind>-<pid>-XXXXXX`, removed on removeTempDir() or at process exit. */
export async function makeTempDir(kind: string): Promise<string> {
  installExitHook();
  sweepStaleTempDirs();
  const dir = await mkdtemp(join(tmpdir(), `${TEMP_PREFIX}${kind}-${process.pid}-`));
  tempDirs.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

const SETPRIV = '/usr/bin/setpriv';
const STDERR_TAIL_LINES = 20;

export interface SpawnOptions {
  /** Run as this uid/gid (used for PostgreSQL, which refuses to run as root). */
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** A server process whose recent output is kept for error messages. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Last lines of stdout+stderr, for error messages. */
  tail(): string;
  /** Resolves with the output so far plus each new chunk; used to wait for a log line. */
  onOutput(listener: (text: string) => void): () => void;
  /** True once the process has exited. */
  exited(): boolean;
  /** Resolves when the process has exited. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal and waits for exit, escalating to SIGKILL after graceMs. Idempotent. */
  terminate(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/**
 * Spawns a server. On Linux, when `setpriv` exists and we are on the main thread, the child gets
 * PR_SET_PDEATHSIG=SIGKILL so it dies even if the test process is killed with SIGKILL.
 */
export function spawnServer(command: string, args: string[], opts: SpawnOptions = {}): ServerProcess {
  installExitHook();
  let file = command;
  let argv = args;
  const usePdeathsig = process.platform === 'linux' && isMainThread && existsSync(SETPRIV);
  if (usePdeathsig) {
    file = SETPRIV;
    argv = ['--pdeathsig', 'KILL'];
    if (opts.uid !== undefined) argv.push(`--reuid=${opts.uid}`, `--regid=${opts.gid ?? opts.uid}`, '--clear-groups');
    argv.push('--', command, ...args);
  }
  const child = spawn(file, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    ...(!usePdeathsig && opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
  });
  live.add(child);
  let buffer = '';
  const listeners = new Set<(text: string) => void>();
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    buffer += text;
    const lines = buffer.split('\n');
    if (lines.length > STDERR_TAIL_LINES * 2) buffer = lines.slice(-STDERR_TAIL_LINES).join('\n');
    for (const l of listeners) l(text);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let done = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (err) => {
      buffer += `\n[spawn error] ${err.message}`;
      done = true;
      live.delete(child);
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      done = true;
      live.delete(child);
      resolve({ code, signal });
    });
  });
  // A forgotten stop() must not keep the test process alive; the exit hook still kills the child.
  child.unref();
  (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();

  let terminating: Promise<void> | undefined;
  return {
    child,
    pid: child.pid ?? -1,
    tail: () => buffer.split('\n').slice(-STDERR_TAIL_LINES).join('\n').trim(),
    onOutput(listener) {
      listeners.add(listener);
      listener(buffer);
      return () => listeners.delete(listener);
    },
    exited: () => done,
    exit,
    terminate(signal = 'SIGTERM', graceMs = 5000) {
      if (done) return Promise.resolve();
      terminating ??= (async () => {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exit;
        clearTimeout(timer);
      })();
      return terminating;
    },
  };
}

export class InfraStartError extends Error {
  constructor(service: string, reason: string, tail: string) {
    super(`${service} did not start: ${reason}${tail ? `\n--- last output of ${service} ---\n${tail}` : ''}`);
    this.name = 'InfraStartError';
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns true, the process exits, or the timeout passes.
 * Throws InfraStartError with the server's last output lines.
 */
export async function waitUntilReady(
  service: string,
  proc: ServerProcess,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    if (proc.exited()) {
      const { code, signal } = await proc.exit;
      throw new InfraStartError(service, `process exited (code ${code}, signal ${signal})`, proc.tail());
    }
    try {
      if (await probe()) return;
    } catch (e) {
      lastError = (e as Error).message;
    }
    if (Date.now() > deadline) {
      await proc.terminate('SIGKILL', 0);
      throw new InfraStartError(service, `not ready after ${timeoutMs} ms${lastError ? ` (${lastError})` : ''}`, proc.tail());
    }
    await sleep(intervalMs);
  }
}

/** True when the process output suggests the port was taken, so the caller can retry on another one. */
export function looksLikePortInUse(text: string): boolean {
  return /address already in use|EADDRINUSE|bind: address|Could not create server TCP listening socket|could not bind/i.test(text);
}
