import { parseAnvilBanner } from './anvil';
import { requireBinary } from './binaries';
import { infraMode, InfraModeError } from './mode';
import { freePort, uniquePrefix } from './ports';

describe('infraMode', () => {
  const noDocker = (): boolean => false;
  const docker = (): boolean => true;

  it('defaults to local', () => {
    expect(infraMode({}, noDocker)).toBe('local');
    expect(infraMode({ LPTS_INFRA: 'local' }, noDocker)).toBe('local');
    expect(infraMode({ LPTS_INFRA: ' ' }, noDocker)).toBe('local');
  });

  it('selects containers when Docker is there', () => {
    expect(infraMode({ LPTS_INFRA: 'containers' }, docker)).toBe('containers');
    expect(infraMode({ LPTS_INFRA: 'CONTAINERS' }, docker)).toBe('containers');
  });

  it('throws a clear error for containers without Docker', () => {
    expect(() => infraMode({ LPTS_INFRA: 'containers' }, noDocker)).toThrow(InfraModeError);
    expect(() => infraMode({ LPTS_INFRA: 'containers' }, noDocker)).toThrow(/no Docker engine/);
  });

  it('rejects unknown values', () => {
    expect(() => infraMode({ LPTS_INFRA: 'kubernetes' }, docker)).toThrow(/"local" or "containers"/);
  });

  it('sees DOCKER_HOST as Docker being available', () => {
    expect(infraMode({ LPTS_INFRA: 'containers', DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toBe('containers');
  });
});

describe('uniquePrefix', () => {
  it('is unique and safe as a NATS token and Redis key part', () => {
    const seen = new Set(Array.from({ length: 500 }, () => uniquePrefix()));
    expect(seen.size).toBe(500);
    for (const p of seen) expect(p).toMatch(/^t[0-9a-f]{10}$/);
  });

  it('folds a label into the prefix', () => {
    expect(uniquePrefix('Pay.ments *> x')).toMatch(/^t_pay_ments_x_[0-9a-f]{10}$/);
  });
});

describe('freePort', () => {
  it('returns distinct usable ports', async () => {
    const a = await freePort();
    const b = await freePort();
    expect(a).toBeGreaterThan(1023);
    expect(b).not.toBe(a);
  });
});

describe('requireBinary', () => {
  const savedPath = process.env['PATH'];
  afterEach(() => {
    process.env['PATH'] = savedPath;
  });

  it('finds nats-server as an absolute path', () => {
    expect(requireBinary('nats-server')).toMatch(/^\/.*nats-server$/);
  });

  it('names the apt-get line when a binary is missing', () => {
    process.env['PATH'] = '/nonexistent';
    expect(() => requireBinary('lpts-no-such-tool' as 'ffmpeg')).toThrow(/apt-get install -y lpts-no-such-tool/);
  });
});

describe('parseAnvilBanner', () => {
  it('pairs addresses with keys by index', () => {
    const banner = [
      'Available Accounts',
      '==================',
      '',
      '(0) 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 (10000.000000000000000000 ETH)',
      '(1) 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 (10000.000000000000000000 ETH)',
      '',
      'Private Keys',
      '==================',
      '',
      '(0) 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
      '(1) 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
    ].join('\n');
    expect(parseAnvilBanner(banner)).toEqual([
      { address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' },
      { address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', privateKey: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' },
    ]);
  });
});
