/* Shared set-up for settlement's integration specs and benchmark (not a spec itself). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployDevnet, fundActors, fundDepositAndReserve, initializeNextRound, registerOrchestrator, type Devnet } from '@lpts/contracts';
import { MAX_WIN_PROB, recipientRandHash, signTicket, ticketHash } from '@lpts/pm';
import { fromHex, redemptionQueueName, toHex, type WinningTicketJson } from '@lpts/protocol';
import { startAnvil, startNats, startRedis, uniquePrefix, type StartedAnvil, type StartedNats, type StartedRedis } from '@lpts/testing';
import { Queue } from 'bullmq';
import { Wallet, encryptKeystoreJsonSync, id, parseEther } from 'ethers';

export const ETH = (n: number | string): bigint => parseEther(String(n));
export const TRANSFER_TOPIC = id('WinningTicketTransfer(address,address,uint256)');

export interface Harness {
  anvil: StartedAnvil;
  nats: StartedNats;
  redis: StartedRedis;
  devnet: Devnet;
  dir: string;
  bookPath: string;
  orchestrator: Wallet;
  sender: Wallet;
  prefix: string;
  queue: Queue;
  env(over?: Record<string, string>): Record<string, string>;
  ticket(over?: Partial<{ faceValue: bigint; paramsExpirationBlock: bigint; sender: Wallet }>): Promise<WinningTicketJson>;
  enqueue(t: WinningTicketJson): Promise<void>;
  transfers(fromBlock?: number): Promise<{ sender: string; recipient: string; amount: bigint; tx: string }[]>;
  mine(blocks: number): Promise<void>;
  blockNumber(): Promise<bigint>;
  /** Waits until the current round is initialised (settlement does it: SETTLEMENT_INIT_ROUNDS in env()). */
  roundReady(): Promise<bigint>;
  stop(): Promise<void>;
}

let nonce = 0;

/** anvil + our devnet (unit profile), a registered active orchestrator, a funded sender, NATS and Redis (AOF). */
export async function startHarness(opts: { deposit?: bigint; reserve?: bigint; feeShare?: bigint; profile?: 'unit' | 'e2e' } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'settlement-spec-'));
  const [anvil, nats, redis] = await Promise.all([startAnvil({ accounts: 6 }), startNats(), startRedis({ appendonly: true })]);
  const bookPath = join(dir, 'devnet.json');
  const key0 = anvil.accounts[0]?.privateKey as string;
  const devnet = await deployDevnet({ rpcUrl: anvil.rpcUrl, deployerKey: key0, profile: opts.profile ?? 'unit', addressBookPath: bookPath });
  const orchestrator = new Wallet(anvil.accounts[1]?.privateKey as string, devnet.provider);
  const sender = new Wallet(anvil.accounts[2]?.privateKey as string, devnet.provider);
  await fundActors(devnet, [orchestrator.address], { lpt: ETH(1000) });
  await registerOrchestrator(devnet, orchestrator, { stake: ETH(500), rewardCut: 0n, feeShare: opts.feeShare ?? 500_000n, serviceURI: 'https://127.0.0.1:8935' });
  await initializeNextRound(devnet);
  if ((opts.deposit ?? ETH(10)) > 0n || (opts.reserve ?? ETH(1)) > 0n) await fundDepositAndReserve(devnet, sender, opts.deposit ?? ETH(10), opts.reserve ?? ETH(1));

  const keystore = encryptKeystoreJsonSync({ address: orchestrator.address, privateKey: orchestrator.privateKey }, 'spec-password', { scrypt: { N: 1 << 10 } });
  writeFileSync(join(dir, 'keystore.json'), keystore);
  writeFileSync(join(dir, 'password'), 'spec-password\n');
  const prefix = uniquePrefix('st');
  const queue = new Queue(redemptionQueueName(prefix), { connection: { url: redis.url, maxRetriesPerRequest: null } });
  queue.on('error', () => undefined);
  const rm = devnet.contracts.roundsManager;

  const h: Harness = {
    anvil,
    nats,
    redis,
    devnet,
    dir,
    bookPath,
    orchestrator,
    sender,
    prefix,
    queue,
    env: (over = {}) => ({
      NATS_URL: nats.url,
      NATS_SUBJECT_PREFIX: prefix,
      OPS_PORT: '0',
      LOG_LEVEL: 'silent',
      LPTS_INSTANCE: 'settlement-spec',
      REDIS_URL: redis.url,
      ETH_RPC_URLS: anvil.rpcUrl,
      ETH_ADDRESS_BOOK: bookPath,
      SETTLEMENT_KEYSTORE_FILE: join(dir, 'keystore.json'),
      SETTLEMENT_KEYSTORE_PASSWORD_FILE: join(dir, 'password'),
      SETTLEMENT_ROLE: 'orchestrator',
      LEDGER_URL: 'pglite://memory',
      SETTLEMENT_REWARD: 'false',
      SETTLEMENT_INIT_ROUNDS: 'true',
      SETTLEMENT_INIT_ROUNDS_MAX_DELAY_BLOCKS: '0',
      SETTLEMENT_POLL_INTERVAL_MS: '200',
      SETTLEMENT_JOB_LOCK_MS: '2000',
      SETTLEMENT_STALLED_INTERVAL_MS: '1000',
      ...over,
    }),
    ticket: async (over = {}) => {
      const s = over.sender ?? sender;
      const round = (await rm.getFunction('lastInitializedRound')()) as bigint;
      const blockHash = (await rm.getFunction('blockHashForRound')(round)) as string;
      const rand = BigInt(id(`rand-${++nonce}-${Date.now()}`)) >> 8n;
      const fields = {
        recipient: fromHex(orchestrator.address),
        sender: fromHex(s.address),
        faceValue: over.faceValue ?? ETH(0.01),
        winProb: MAX_WIN_PROB,
        senderNonce: nonce,
        recipientRandHash: recipientRandHash(rand),
        creationRound: round,
        creationRoundBlockHash: fromHex(blockHash),
      };
      const sig = signTicket(fromHex(s.privateKey), fields);
      return {
        ticketHash: toHex(ticketHash(fields)),
        recipient: orchestrator.address,
        sender: s.address,
        faceValue: fields.faceValue.toString(),
        winProb: MAX_WIN_PROB.toString(),
        senderNonce: String(nonce),
        recipientRandHash: toHex(fields.recipientRandHash),
        creationRound: round.toString(),
        creationRoundBlockHash: blockHash,
        paramsExpirationBlock: (over.paramsExpirationBlock ?? BigInt(await devnet.provider.getBlockNumber())).toString(),
        sig: toHex(sig),
        recipientRand: rand.toString(),
      };
    },
    // As the recipient broker does it: job "redeem", id = ticket hash, data = the ticket JSON.
    enqueue: async (t) => {
      await queue.add('redeem', t, { jobId: t.ticketHash });
    },
    transfers: async (fromBlock = 0) => {
      const logs = await devnet.provider.getLogs({ address: devnet.book.contracts.TicketBroker, topics: [TRANSFER_TOPIC], fromBlock, toBlock: 'latest' });
      return logs.map((l) => ({
        sender: '0x' + (l.topics[1] ?? '').slice(26),
        recipient: '0x' + (l.topics[2] ?? '').slice(26),
        amount: BigInt(l.data),
        tx: l.transactionHash,
      }));
    },
    mine: async (blocks) => {
      await devnet.provider.send('anvil_mine', ['0x' + blocks.toString(16)]);
    },
    blockNumber: async () => BigInt(await devnet.provider.getBlockNumber()),
    roundReady: () =>
      waitFor('round initialised', async () => ((await rm.getFunction('currentRoundInitialized')()) ? ((await rm.getFunction('currentRound')()) as bigint) : undefined)),
    stop: async () => {
      await queue.close().catch(() => undefined);
      await Promise.all([anvil.stop(), nats.stop(), redis.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Polls until `fn` returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
