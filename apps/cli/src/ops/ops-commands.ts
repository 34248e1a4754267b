import { NatsRpcClient, connectNats, drainNats } from '@lpts/platform';
import { SenderBrokerCommands, SettlementCommands, type CommandDef } from '@lpts/protocol';
import { formatEther, isAddress, parseUnits } from 'ethers';
import type { z } from 'zod';

/** A bad command line: the message names the option and what it got. */
export class UsageError extends Error {}

type Options = ReadonlyMap<string, string | true>;

/** One operator command: the words after `lpts`, the service command it calls and how its options become the request. */
interface OpsCommand {
  words: string;
  summary: string;
  options: Record<string, string>;
  command: CommandDef<z.ZodType, z.ZodType>;
  request(o: Options): Record<string, unknown>;
  /** Sends a chain transaction (waits for its receipt: a longer default timeout). */
  tx?: boolean;
}

function value(o: Options, name: string): string | undefined {
  const v = o.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

function required(o: Options, name: string, what: string): string {
  const v = value(o, name);
  if (v === undefined) throw new UsageError(`--${name} is required (${what})`);
  return v;
}

/** A token amount with 18 decimals ("1.5" → 1500000000000000000), as a decimal string of base units. */
function amount18(o: Options, name: string, unit: string): string {
  const v = required(o, name, `an amount in ${unit}, e.g. 1.5`);
  let wei: bigint;
  try {
    wei = parseUnits(v, 18);
  } catch {
    throw new UsageError(`--${name} must be an amount in ${unit} like 1.5, got "${v}"`);
  }
  if (wei < 0n) throw new UsageError(`--${name} must not be negative, got ${v}`);
  return wei.toString();
}

/** A percentage ("10", "2.5") in the BondingManager's units: 100 % = 1,000,000 (PERC_DIVISOR). */
function percent(o: Options, name: string): string {
  const v = required(o, name, 'a percentage, e.g. 10 for 10 %');
  let parts: bigint;
  try {
    parts = parseUnits(v, 4);
  } catch {
    throw new UsageError(`--${name} must be a percentage with at most 4 decimals like 12.5, got "${v}"`);
  }
  if (parts < 0n || parts > 1_000_000n) throw new UsageError(`--${name} must be within 0..100, got ${v}`);
  return parts.toString();
}

function address(o: Options, name: string): string | undefined {
  const v = value(o, name);
  if (v !== undefined && !isAddress(v)) throw new UsageError(`--${name} must be a 0x-prefixed 20-byte address, got "${v}"`);
  return v;
}

function positiveInt(o: Options, name: string, max: number): number | undefined {
  const v = value(o, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be an integer in 1..${max}, got "${v}"`);
  return n;
}

const S = SettlementCommands;
const none = () => ({});

/** Every operator command (settlement: the operator's chain writes and views; broker: the sender's funding). */
export const OPS_COMMANDS: readonly OpsCommand[] = [
  { words: 'settlement status', summary: "chain position and rounds as the operator's settlement sees them", options: {}, command: S.state, request: none },
  {
    words: 'settlement sender',
    summary: 'deposit, reserve and unlock state of a sender (a gateway address)',
    options: { address: 'the sender address' },
    command: S.sender,
    request: (o) => ({ sender: address(o, 'address') ?? required(o, 'address', 'the sender address') }),
  },
  {
    words: 'settlement fund',
    summary: 'add to the gateway key’s TicketBroker deposit and reserve',
    options: { deposit: 'ETH added to the deposit', reserve: 'ETH added to the reserve' },
    command: S.fund,
    tx: true,
    request: (o) => ({ deposit: o.has('deposit') ? amount18(o, 'deposit', 'ETH') : '0', reserve: o.has('reserve') ? amount18(o, 'reserve', 'ETH') : '0' }),
  },
  { words: 'settlement unlock', summary: 'start the unlock period of deposit and reserve', options: {}, command: S.unlock, tx: true, request: none },
  { words: 'settlement cancel-unlock', summary: 'cancel an unlock in progress', options: {}, command: S.cancelUnlock, tx: true, request: none },
  { words: 'settlement withdraw', summary: 'withdraw deposit and reserve after the unlock period', options: {}, command: S.withdraw, tx: true, request: none },
  {
    words: 'settlement bond',
    summary: 'bond LPT (to the operator itself unless --to)',
    options: { amount: 'LPT to bond', to: 'delegate address (default: the operator)' },
    command: S.bond,
    tx: true,
    request: (o) => {
      const to = address(o, 'to');
      return { amount: amount18(o, 'amount', 'LPT'), ...(to === undefined ? {} : { to }) };
    },
  },
  {
    words: 'settlement transcoder',
    summary: 'set the reward cut and fee share (percent)',
    options: { 'reward-cut': 'percent of rewards kept, e.g. 10', 'fee-share': 'percent of fees shared with delegators, e.g. 50' },
    command: S.setTranscoder,
    tx: true,
    request: (o) => ({ rewardCut: percent(o, 'reward-cut'), feeShare: percent(o, 'fee-share') }),
  },
  {
    words: 'settlement service-uri',
    summary: 'register the public URI gateways reach the orchestrator at',
    options: { uri: 'e.g. https://o.example.com:8935' },
    command: S.setServiceUri,
    tx: true,
    request: (o) => {
      const uri = required(o, 'uri', 'an https URI');
      if (!URL.canParse(uri)) throw new UsageError(`--uri must be an absolute URI like https://o.example.com:8935, got "${uri}"`);
      return { uri };
    },
  },
  { words: 'settlement reward', summary: 'call reward for the current round', options: {}, command: S.reward, tx: true, request: none },
  { words: 'settlement init-round', summary: 'initialise the current round', options: {}, command: S.initializeRound, tx: true, request: none },
  {
    words: 'settlement redemptions',
    summary: 'winning tickets in the ledger, newest first',
    options: { state: 'only this state (queued, submitting, redeemed, skipped, failed, …)', limit: 'at most this many (1..1000, default 100)' },
    command: S.redemptions,
    request: (o) => {
      const state = value(o, 'state');
      return { ...(state === undefined ? {} : { state }), limit: positiveInt(o, 'limit', 1000) ?? 100 };
    },
  },
  {
    words: 'broker runway',
    summary: "the gateway key's funding and, with a price and a rate, the minutes of work it pays for",
    options: { 'price-per-pixel': 'wei per pixel (a decimal or num/den)', 'pixels-per-second': 'pixels transcoded per second' },
    command: SenderBrokerCommands.runway,
    request: (o) => {
      const price = value(o, 'price-per-pixel');
      const rate = value(o, 'pixels-per-second');
      const out: Record<string, unknown> = {};
      if (price !== undefined) {
        const m = /^(\d+)(?:\/(\d+))?$/.exec(price);
        if (m === null || m[2] === '0') throw new UsageError(`--price-per-pixel must be wei as an integer or num/den like 1/3, got "${price}"`);
        out['pricePerPixel'] = { num: m[1], den: m[2] ?? '1' };
      }
      if (rate !== undefined) {
        if (!/^\d+$/.test(rate)) throw new UsageError(`--pixels-per-second must be a whole number, got "${rate}"`);
        out['pixelsPerSecond'] = rate;
      }
      return out;
    },
  },
];

/** The command a command line names (two words), or undefined. */
export function findOpsCommand(words: readonly string[]): OpsCommand | undefined {
  const key = words.slice(0, 2).join(' ');
  return OPS_COMMANDS.find((c) => c.words === key);
}

export const COMMON_OPTIONS: Record<string, string> = {
  nats: 'NATS URL of the operator (default $NATS_URL or nats://127.0.0.1:4222)',
  prefix: "the services' NATS_SUBJECT_PREFIX (default $NATS_SUBJECT_PREFIX or lp)",
  timeout: 'milliseconds to wait for the answer (default 10000; 180000 for transactions)',
  json: 'print the reply as JSON only',
};

export function usageOfOps(): string {
  return OPS_COMMANDS.map((c) => {
    const opts = Object.keys(c.options)
      .map((k) => `--${k} …`)
      .join(' ');
    return `  ${c.words}${opts ? ' ' + opts : ''}\n      ${c.summary}`;
  }).join('\n');
}

/** ETH-like amounts (18 decimals) of a reply, shown next to their wei for people. */
const WEI_FIELDS = new Set(['deposit', 'reserve', 'faceValue', 'fundsRemaining', 'claimedInCurrentRound', 'perOrchestratorAllocation', 'pendingAmount', 'claimedReserve']);

function humanise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(humanise);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = WEI_FIELDS.has(k) && typeof x === 'string' && /^\d+$/.test(x) ? `${x} (${formatEther(x)} ETH)` : humanise(x);
  return out;
}

export interface OpsIo {
  out(line: string): void;
}

/** Runs an operator command against the services on `nats` under `prefix`; returns the exit code. */
export async function runOpsCommand(cmd: OpsCommand, o: Options, defaults: { natsUrl: string; prefix: string }, io: OpsIo): Promise<number> {
  const known = new Set([...Object.keys(cmd.options), ...Object.keys(COMMON_OPTIONS)]);
  for (const k of o.keys()) if (!known.has(k)) throw new UsageError(`unknown option --${k} for "${cmd.words}" (options: ${[...known].map((x) => '--' + x).join(' ')})`);
  const request = cmd.request(o);
  const natsUrl = value(o, 'nats') ?? defaults.natsUrl;
  const prefix = value(o, 'prefix') ?? defaults.prefix;
  const timeoutMs = positiveInt(o, 'timeout', 3_600_000) ?? (cmd.tx ? 180_000 : 10_000);
  const nc = await connectNats(natsUrl, 'lpts-cli');
  try {
    const reply = await new NatsRpcClient(nc, prefix, timeoutMs).request(cmd.command, request);
    io.out(o.get('json') === true ? JSON.stringify(reply) : JSON.stringify(humanise(reply), null, 2));
    return 0;
  } finally {
    await drainNats(nc);
  }
}
