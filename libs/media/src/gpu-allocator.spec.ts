import { GpuAllocator } from './gpu-allocator';
import { isJobError } from './job.errors';

describe('GpuAllocator', () => {
  it('pins each session to the least-loaded GPU and keeps it until released', () => {
    const a = new GpuAllocator([0, 1, 2]);
    expect(['s1', 's2', 's3', 's4'].map((s) => a.acquire(s))).toEqual([0, 1, 2, 0]);
    expect(a.acquire('s2')).toBe(1); // pinned: same GPU, no extra load
    expect(a.snapshot()).toEqual([
      { gpu: 0, sessions: 2 },
      { gpu: 1, sessions: 1 },
      { gpu: 2, sessions: 1 },
    ]);
    expect(a.release('s3')).toBe(true);
    expect(a.release('s3')).toBe(false);
    expect(a.acquire('s5')).toBe(2);
    expect(a.gpuOf('s5')).toBe(2);
    expect(a.gpuOf('nope')).toBeUndefined();
    expect(a.gpus).toEqual([0, 1, 2]);
  });

  it('respects a per-GPU session cap with `no transcoders available`', () => {
    const a = new GpuAllocator([3], 1);
    expect(a.acquire('a')).toBe(3);
    let err: unknown;
    try {
      a.acquire('b');
    } catch (e) {
      err = e;
    }
    expect(isJobError(err, 'NO_TRANSCODERS')).toBe(true);
    expect((err as Error).message).toBe('no transcoders available');
    a.release('a');
    expect(a.acquire('b')).toBe(3);
  });

  it('with no GPUs every acquire fails', () => {
    expect(() => new GpuAllocator([]).acquire('x')).toThrow(expect.objectContaining({ code: 'NO_TRANSCODERS' }));
  });
});
