import { runProcess } from './process-runner';

const sh = (script: string, extra: Partial<Parameters<typeof runProcess>[0]> = {}) =>
  runProcess({ command: '/bin/sh', args: ['-c', script], timeoutMs: 10_000, maxOutputBytes: 1 << 20, ...extra });

describe('runProcess', () => {
  it('feeds stdin and collects stdout, extra pipes and stderr', async () => {
    const r = await sh('cat > /dev/null; printf out; printf three >&3; printf four >&4; printf err >&2; exit 3', {
      input: Buffer.from('hello'),
      captureStdout: true,
      outputFds: 2,
    });
    expect(r.exitCode).toBe(3);
    expect(r.stdout.toString()).toBe('out');
    expect(r.outputs.map((b) => b.toString())).toEqual(['three', 'four']);
    expect(r.stderr).toBe('err');
    expect(r.outputBytes).toBe(3 + 5 + 4);
    expect(r.killed).toBeUndefined();
  });

  it('kills on timeout, on abort and over the output cap', async () => {
    expect((await sh('sleep 5', { timeoutMs: 50 })).killed).toBe('timeout');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const aborted = await sh('sleep 5', { signal: ac.signal });
    expect(aborted).toMatchObject({ killed: 'abort', signal: 'SIGKILL' });
    const pre = new AbortController();
    pre.abort();
    expect((await sh('sleep 5', { signal: pre.signal })).killed).toBe('abort');
    const big = await sh('head -c 100000 /dev/zero >&3; sleep 5', { outputFds: 1, maxOutputBytes: 1000 });
    expect(big.killed).toBe('output-limit');
  });

  it('keeps the head and tail of a huge stderr', async () => {
    const r = await sh('head -c 300000 /dev/zero | tr "\\0" x >&2', { stderrHeadBytes: 100, stderrTailBytes: 100 });
    expect(r.stderr.length).toBeLessThan(100_000);
    expect(r.stderr).toContain('bytes of log dropped');
  });

  it('a missing binary rejects with BINARY_NOT_FOUND', async () => {
    await expect(runProcess({ command: '/nonexistent/bin', args: [], timeoutMs: 1000, maxOutputBytes: 1 })).rejects.toMatchObject({
      code: 'BINARY_NOT_FOUND',
      details: { errno: 'ENOENT' },
    });
  });
});
