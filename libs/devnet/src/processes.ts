import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './progress';

export interface ServiceSpec {
  /** Unique name, e.g. `o1-orchestrator` (or `o1-node` for a combined process). */
  name: string;
  /** Path of the built entry point (apps/<app>/dist/main.js). */
  main: string;
  args?: string[];
  env: Record<string, string>;
  /** Ops port given as OPS_PORT; 0 when the env sets per-mode ports (combined processes). */
  opsPort: number;
  /** Ops ports whose /readyz must answer 200 (default: [opsPort]). */
  readyPorts?: number[];
}

/**
 * V8 flags for every service process: a 2 MB young-generation semi-space instead of V8's default
 * trims ~25 MB of resident memory per process (measured on the ticket-broker: 155 → 133 MB) at the
 * cost of more, shorter scavenges — fine for services whose requests allocate little.
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=2'];

export interface RunningService {
  spec: ServiceSpec;
  child: ChildProcess;
  logFile: string;
}

/**
 * The devnet's service processes: each a real `node apps/<app>/dist/main.js` with its own
 * environment and log file. Started in order, each awaited until its /readyz answers 200;
 * stopped together with SIGTERM (SIGKILL after a grace period).
 */
export class ServiceGroup {
  readonly services: RunningService[] = [];

  constructor(private readonly logDir: string) {}

  async start(spec: ServiceSpec, readyTimeoutMs = 60_000): Promise<RunningService> {
    const logFile = join(this.logDir, `${spec.name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, spec.main, ...(spec.args ?? [])], {
      // Children inherit the caller's environment (PATH, HOME) under the service's own keys.
      // eslint-disable-next-line no-restricted-properties
      env: { ...process.env, ...spec.env, ...(spec.opsPort ? { OPS_PORT: String(spec.opsPort) } : {}), OPS_HOST: '127.0.0.1', LPTS_INSTANCE: spec.name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const svc = { spec, child, logFile };
    this.services.push(svc);
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
    try {
      await waitFor(`${spec.name} /readyz`, readyTimeoutMs, async () => {
        if (exited) throw new Error(`${spec.name} ${exited}; last log lines:\n${tail(logFile, 15)}`);
        for (const port of spec.readyPorts ?? [spec.opsPort]) {
          const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
          if (!r?.ok) return undefined;
        }
        return true;
      });
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- ${logFile} ---\n${tail(logFile, 20)}`);
    }
    return svc;
  }

  /** Resident set size of each running service in MB (from /proc). */
  rssMb(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.services) {
      if (s.child.exitCode !== null || s.child.pid === undefined) continue;
      try {
        const status = readFileSync(`/proc/${s.child.pid}/status`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        out[s.spec.name] = Math.round(kb / 1024);
      } catch {
        // process just exited
      }
    }
    return out;
  }

  kill9(name: string): void {
    this.services.find((s) => s.spec.name === name)?.child.kill('SIGKILL');
  }

  /** Starts a service again with its original spec (after a crash or kill -9). */
  async restart(name: string): Promise<RunningService> {
    const i = this.services.findIndex((s) => s.spec.name === name);
    const old = this.services[i];
    if (!old) throw new Error(`no service ${name}`);
    if (old.child.exitCode === null && old.child.signalCode === null) {
      old.child.kill('SIGKILL');
      await new Promise((r) => old.child.once('exit', r));
    }
    this.services.splice(i, 1);
    return this.start(old.spec);
  }

  async stopAll(graceMs = 15_000): Promise<void> {
    const alive = this.services.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
    for (const s of [...alive].reverse()) s.child.kill('SIGTERM');
    await Promise.all(
      alive.map(
        (s) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => {
              s.child.kill('SIGKILL');
              resolve();
            }, graceMs);
            s.child.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
          }),
      ),
    );
  }
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
