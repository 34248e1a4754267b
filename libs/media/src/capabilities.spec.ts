import { summariseProbes } from './capabilities';
import type { DeviceProbe } from './capabilities';

const probe = (p: Partial<DeviceProbe> & Pick<DeviceProbe, 'device'>): DeviceProbe => ({
  encoder: p.device.kind === 'gpu' ? 'h264_nvenc' : 'libx264',
  ok: true,
  decoders: ['h264'],
  capabilities: [0, 1],
  elapsedMs: 1,
  ...p,
});

describe('summariseProbes', () => {
  it('uses the GPUs that work, advertising what all of them can do', () => {
    const s = summariseProbes([
      probe({ device: { kind: 'gpu', index: 0, nvdec: true }, capabilities: [0, 1, 2, 15], decoders: ['h264', 'hevc'] }),
      probe({ device: { kind: 'gpu', index: 1, nvdec: false }, ok: false, capabilities: [] }),
      probe({ device: { kind: 'gpu', index: 2, nvdec: true }, capabilities: [0, 1, 2], decoders: ['h264'] }),
      probe({ device: { kind: 'cpu' }, capabilities: [0, 1, 2, 15, 17, 18], decoders: ['h264', 'hevc', 'vp8'] }),
    ]);
    expect(s.mode).toBe('gpu');
    expect(s.gpus).toEqual([0, 2]);
    expect(s.devices).toEqual([
      { kind: 'gpu', index: 0, nvdec: true },
      { kind: 'gpu', index: 2, nvdec: true },
    ]);
    expect(s.encoders).toEqual(['h264_nvenc']);
    expect(s.capabilities).toEqual([0, 1, 2]);
    expect(s.decoders).toEqual(['h264']);
  });

  it('falls back to the CPU, then to none', () => {
    const cpu = summariseProbes([probe({ device: { kind: 'gpu', index: 0 }, ok: false }), probe({ device: { kind: 'cpu' } })], '5.1');
    expect(cpu).toMatchObject({ mode: 'cpu', gpus: [], encoders: ['libx264'], capabilities: [0, 1], ffmpegVersion: '5.1' });
    const none = summariseProbes([probe({ device: { kind: 'cpu' }, ok: false })]);
    expect(none).toMatchObject({ mode: 'none', devices: [], encoders: [], decoders: [], capabilities: [] });
  });
});
