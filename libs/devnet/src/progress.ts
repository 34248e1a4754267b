/**
 * A one-line progress bar for long steps (rounds to pass, segments to transcode, tickets to
 * redeem). On a terminal it redraws in place; otherwise (CI, pipes) it prints a line per 25 %.
 */
export class Progress {
  private lastQuarter = -1;
  private done = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {}

  update(current: number, note = ''): void {
    if (this.done) return;
    const frac = this.total <= 0 ? 1 : Math.min(1, current / this.total);
    if (this.out.isTTY) {
      const width = 24;
      const filled = Math.round(frac * width);
      this.out.write(`\r  ${this.label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${current}/${this.total} ${note}`.padEnd(100));
    } else {
      const quarter = Math.floor(frac * 4);
      if (quarter > this.lastQuarter) {
        this.lastQuarter = quarter;
        this.out.write(`  ${this.label}: ${current}/${this.total} ${note}\n`);
      }
    }
  }

  finish(note = 'done'): void {
    if (this.done) return;
    this.update(this.total, note);
    this.done = true;
    if (this.out.isTTY) this.out.write('\n');
  }
}

/** Polls `probe` until it returns a value (not undefined) or the time runs out. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}
