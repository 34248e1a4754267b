import { OPS_COMMANDS, UsageError, findOpsCommand } from './ops-commands';

const opts = (o: Record<string, string | true>) => new Map(Object.entries(o));
const request = (words: string, o: Record<string, string | true>) => {
  const cmd = findOpsCommand(words.split(' '));
  if (cmd === undefined) throw new Error(`no command ${words}`);
  return cmd.request(opts(o));
};

describe('operator commands: options → service requests', () => {
  it('converts ETH, LPT and percentages to the contracts’ units', () => {
    expect(request('settlement fund', { deposit: '1.5', reserve: '0.25' })).toEqual({ deposit: '1500000000000000000', reserve: '250000000000000000' });
    expect(request('settlement fund', { reserve: '1' })).toEqual({ deposit: '0', reserve: '1000000000000000000' });
    expect(request('settlement bond', { amount: '100', to: '0x' + 'ab'.repeat(20) })).toEqual({ amount: '100000000000000000000', to: '0x' + 'ab'.repeat(20) });
    expect(request('settlement transcoder', { 'reward-cut': '10', 'fee-share': '12.5' })).toEqual({ rewardCut: '100000', feeShare: '125000' });
    expect(request('settlement redemptions', { state: 'redeemed' })).toEqual({ state: 'redeemed', limit: 100 });
    expect(request('broker runway', { 'price-per-pixel': '1/3', 'pixels-per-second': '1000' })).toEqual({ pricePerPixel: { num: '1', den: '3' }, pixelsPerSecond: '1000' });
  });

  it.each([
    ['settlement fund', { deposit: 'lots' }, '--deposit must be an amount in ETH like 1.5, got "lots"'],
    ['settlement fund', { deposit: true }, '--deposit needs a value'],
    ['settlement bond', {}, '--amount is required (an amount in LPT, e.g. 1.5)'],
    ['settlement bond', { amount: '1', to: '0x12' }, '--to must be a 0x-prefixed 20-byte address, got "0x12"'],
    ['settlement transcoder', { 'reward-cut': '101', 'fee-share': '5' }, '--reward-cut must be within 0..100, got 101'],
    ['settlement transcoder', { 'reward-cut': '1.23456', 'fee-share': '5' }, '--reward-cut must be a percentage with at most 4 decimals like 12.5, got "1.23456"'],
    ['settlement service-uri', { uri: 'not a uri' }, '--uri must be an absolute URI like https://o.example.com:8935, got "not a uri"'],
    ['settlement redemptions', { limit: '0' }, '--limit must be an integer in 1..1000, got "0"'],
    ['broker runway', { 'price-per-pixel': '1/0' }, '--price-per-pixel must be wei as an integer or num/den like 1/3, got "1/0"'],
  ] as const)('%s %j → %s', (words, o, message) => {
    const e = (() => {
      try {
        request(words, o);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toBe(message);
  });

  it('every request a command builds passes its service command’s schema', () => {
    const samples: Record<string, Record<string, string>> = {
      'settlement sender': { address: '0x' + '11'.repeat(20) },
      'settlement fund': { deposit: '1', reserve: '1' },
      'settlement bond': { amount: '1' },
      'settlement transcoder': { 'reward-cut': '5', 'fee-share': '50' },
      'settlement service-uri': { uri: 'https://o.example.com:8935' },
    };
    for (const c of OPS_COMMANDS) {
      const r = c.request(opts(samples[c.words] ?? {}));
      expect(c.command.request.safeParse(r).success).toBe(true);
    }
  });
});
