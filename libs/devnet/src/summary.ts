import type { Devnet } from '@lpts/contracts';
import type { NatsRpcClient } from '@lpts/platform';
import { SettlementCommands } from '@lpts/protocol';
import { formatEther, id as topicOf } from 'ethers';
import { waitFor } from './progress';

export interface OperatorSummary {
  name: string;
  address: string;
  ticketsReceived: number;
  winningTickets: number;
  redeemed: number;
  redemptionStates: Record<string, number>;
  /** Σ WinningTicketTransfer amounts to this orchestrator (wei). */
  feesTransferred: bigint;
  /** BondingManager.pendingFees of the orchestrator (wei): what it can withdraw. */
  pendingFees: bigint;
}

export interface DevnetSummary {
  ok: boolean;
  renditions: { name: string; resolution: string; segments: number; seconds: number }[];
  ticketsSent: number;
  operators: OperatorSummary[];
  rssMb: { idle: Record<string, number>; streaming: Record<string, number> };
  problems: string[];
}

interface SummaryInput {
  chain: Devnet;
  operators: { name: string; key: { address: string }; client: NatsRpcClient }[];
  gatewayUrl: string;
  streamName: string;
  /** Ops port by `<operator>-<mode>`. */
  opsPorts: Record<string, number>;
  idleRss: Record<string, number>;
  streamingRss: Record<string, number>;
  waitForRedemptions: boolean;
}

const WINNING_TICKET_TRANSFER = topicOf('WinningTicketTransfer(address,address,uint256)');

/** Sums every sample of the Prometheus counters whose name matches. */
export async function metricSum(opsPort: number, name: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+([0-9.eE+-]+)$/.exec(line.trim());
    if (m && name.test(m[1] as string)) sum += Number(m[3]);
  }
  return sum;
}

function opsPortOf(ports: Record<string, number>, name: string): number {
  const port = ports[name];
  if (port === undefined) throw new Error(`no service ${name}`);
  return port;
}

export async function collectSummary(input: SummaryInput): Promise<DevnetSummary> {
  const problems: string[] = [];
  const renditions = await readRenditions(input.gatewayUrl, input.streamName);
  const ticketsSent = await metricSum(opsPortOf(input.opsPorts, 'gw-ticket-broker'), /^lpts_broker_tickets_(sent|created)_total$/);
  const operators: OperatorSummary[] = [];
  for (const o of input.operators) {
    const brokerPort = opsPortOf(input.opsPorts, `${o.name}-ticket-broker`);
    const ticketsReceived = await metricSum(brokerPort, /^lpts_broker_tickets_received_total$/);
    const winningTickets = await metricSum(brokerPort, /^lpts_broker_winning_tickets(_queued)?_total$/);
    const states = async () => {
      const { tickets } = await o.client.request(SettlementCommands.redemptions, { limit: 1000 });
      const byState: Record<string, number> = {};
      for (const t of tickets) byState[t.state] = (byState[t.state] ?? 0) + 1;
      return byState;
    };
    let redemptionStates = await states();
    if (input.waitForRedemptions) {
      // Settled = every ledger ticket in a final state, and at least as many as the broker queued
      // (a restarted broker's counter starts again at 0, so the ledger is the authority).
      redemptionStates = await waitFor(`${o.name}: winning tickets settled`, 180_000, async () => {
        const s = await states();
        const total = Object.values(s).reduce((a, b) => a + b, 0);
        const settled = (s['redeemed'] ?? 0) + (s['failed'] ?? 0);
        return settled === total && settled >= winningTickets ? s : undefined;
      }, 1000).catch((e: Error) => {
        problems.push(e.message);
        return states();
      });
    }
    const logs = await input.chain.provider.getLogs({
      address: input.chain.book.contracts.TicketBroker,
      topics: [WINNING_TICKET_TRANSFER, null, '0x' + o.key.address.slice(2).toLowerCase().padStart(64, '0')],
      fromBlock: 0,
    });
    const feesTransferred = logs.reduce((s, l) => s + BigInt(l.data), 0n);
    const pendingFees = BigInt(await input.chain.contracts.bondingManager.getFunction('pendingFees')(o.key.address, 0));
    const redeemed = redemptionStates['redeemed'] ?? 0;
    if (redeemed !== logs.length) problems.push(`${o.name}: ledger says ${redeemed} redeemed, chain shows ${logs.length} WinningTicketTransfer events`);
    operators.push({ name: o.name, address: o.key.address, ticketsReceived, winningTickets, redeemed, redemptionStates, feesTransferred, pendingFees });
  }
  if (renditions.length === 0) problems.push('no renditions in the output playlist');
  for (const [name, mb] of Object.entries({ ...input.idleRss, ...input.streamingRss })) {
    if (mb > 200) problems.push(`${name} resident memory ${mb} MB is above the 200 MB target`);
  }
  return {
    ok: problems.length === 0,
    renditions,
    ticketsSent,
    operators,
    rssMb: { idle: input.idleRss, streaming: input.streamingRss },
    problems,
  };
}

export async function readRenditions(gatewayUrl: string, stream: string): Promise<DevnetSummary['renditions']> {
  const master = await fetch(`${gatewayUrl}/stream/${stream}.m3u8`);
  if (!master.ok) return [];
  const lines = (await master.text()).split('\n');
  const out: DevnetSummary['renditions'] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!line.startsWith('#EXT-X-STREAM-INF')) continue;
    const uri = (lines[i + 1] ?? '').trim();
    const resolution = /RESOLUTION=(\d+x\d+)/.exec(line)?.[1] ?? '?';
    const media = await (await fetch(new URL(uri, `${gatewayUrl}/stream/`))).text();
    const durations = [...media.matchAll(/#EXTINF:([0-9.]+)/g)].map((m) => Number(m[1]));
    out.push({ name: uri.replace(/\.m3u8$/, '').split('/').pop() ?? uri, resolution, segments: durations.length, seconds: +durations.reduce((a, b) => a + b, 0).toFixed(2) });
  }
  return out;
}

export function printSummary(s: DevnetSummary, where: { gatewayUrl: string; stream: string; dir: string; chainRpc: string; opsPorts: Record<string, number> }): void {
  console.log('\nlpts devnet summary');
  console.log('  renditions:');
  for (const r of s.renditions) console.log(`    ${r.name.padEnd(24)} ${r.resolution.padEnd(10)} ${r.segments} segments, ${r.seconds} s`);
  console.log(`  tickets sent by the gateway: ${s.ticketsSent}`);
  for (const o of s.operators) {
    console.log(`  ${o.name} ${o.address}`);
    console.log(`    tickets received ${o.ticketsReceived}, winning ${o.winningTickets}, redeemed ${o.redeemed} (${JSON.stringify(o.redemptionStates)})`);
    console.log(`    fees booked on chain: ${formatEther(o.feesTransferred)} ETH transferred, ${formatEther(o.pendingFees)} ETH pending fees`);
  }
  console.log('  resident memory (MB), idle → streaming:');
  for (const name of Object.keys(s.rssMb.idle)) console.log(`    ${name.padEnd(22)} ${s.rssMb.idle[name]} → ${s.rssMb.streaming[name] ?? '?'}`);
  console.log(`  play:    ${where.gatewayUrl}/stream/${where.stream}.m3u8  (ffplay, VLC)`);
  console.log('  metrics:');
  for (const [name, port] of Object.entries(where.opsPorts)) console.log(`    ${name.padEnd(22)} http://127.0.0.1:${port}/metrics`);
  console.log(`  chain:   ${where.chainRpc} (address book ${where.dir}/address-book.json); logs ${where.dir}/logs`);
  if (s.problems.length) {
    console.log('  problems:');
    for (const p of s.problems) console.log(`    - ${p}`);
  }
}
