import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  ChainStateKeys,
  WireCodecs,
  bytesToBigInt,
  chainStateBucket,
  fromHex,
  ticketParamsToWire,
  type ChainStateJson,
  type RecipientBrokerCommands,
  type ReplyOf,
  type SenderStateJson,
  type TranscoderStateJson,
} from '@lpts/protocol';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { Wallet, encryptKeystoreJson } from 'ethers';
import { createApp, type TicketBrokerApp } from '../bootstrap';

/** Orchestrator (recipient) and gateway (sender) test identities. */
export const O_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
export const O_ADDRESS = new Wallet(O_KEY).address;
export const HASH = (b: number) => '0x' + b.toString(16).padStart(2, '0').repeat(32);

export function chainState(over: Partial<ChainStateJson> = {}): ChainStateJson {
  return {
    chainId: 412346,
    blockNumber: '5000',
    l1BlockNumber: '1000',
    blockHash: HASH(7),
    currentRound: '100',
    lastInitializedRound: '100',
    currentRoundInitialized: true,
    currentRoundLocked: false,
    currentRoundStartBlock: '990',
    roundLength: '100',
    expirationParams: { creationRound: '100', creationRoundBlockHash: HASH(9) },
    activePoolSize: 1,
    gasPrice: '1',
    updatedAt: Date.now(),
    ...over,
  };
}

export function senderState(sender: string, over: Partial<SenderStateJson> = {}): SenderStateJson {
  return {
    sender,
    deposit: String(10n ** 18n),
    withdrawRound: '0',
    reserve: { fundsRemaining: String(10n ** 18n), claimedInCurrentRound: '0' },
    claimedReserve: '0',
    pendingAmount: '0',
    updatedAt: Date.now(),
    ...over,
  };
}

export function transcoderState(address: string, active = true): TranscoderStateJson {
  return {
    address,
    registered: true,
    active,
    activationRound: '1',
    deactivationRound: '0',
    stake: '1000',
    serviceUri: 'https://127.0.0.1:8935',
    updatedAt: Date.now(),
  };
}

/** Writes chain state into the KV bucket exactly as settlement would. */
export class ChainStateWriter {
  private constructor(readonly kv: KV) {}

  static async open(nc: NatsConnection, prefix: string): Promise<ChainStateWriter> {
    return new ChainStateWriter(await new Kvm(nc).create(chainStateBucket(prefix)));
  }

  async latest(s: ChainStateJson): Promise<void> {
    await this.kv.put(ChainStateKeys.latest, JSON.stringify(s));
  }
  async sender(s: SenderStateJson): Promise<void> {
    await this.kv.put(ChainStateKeys.sender(s.sender), JSON.stringify(s));
  }
  async transcoder(s: TranscoderStateJson): Promise<void> {
    await this.kv.put(ChainStateKeys.transcoder(s.address), JSON.stringify(s));
  }
}

/** A low-cost scrypt keystore + password file for a fresh or given key. */
export async function writeKeystore(privateKey?: string): Promise<{ dir: string; keystore: string; password: string; address: string; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-keystore-'));
  const wallet = privateKey ? new Wallet(privateKey) : new Wallet('0x' + randomBytes(32).toString('hex'));
  const pass = 'spec-password';
  const json = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, pass, { scrypt: { N: 1 << 10 } });
  const keystore = join(dir, 'key.json');
  const password = join(dir, 'password');
  writeFileSync(keystore, json);
  writeFileSync(password, pass + '\n');
  return { dir, keystore, password, address: wallet.address, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function baseEnv(natsUrl: string, prefix: string, instance: string): NodeJS.ProcessEnv {
  return { NATS_URL: natsUrl, NATS_SUBJECT_PREFIX: prefix, OPS_PORT: '0', LOG_LEVEL: 'silent', LPTS_INSTANCE: instance };
}

export function recipientApp(natsUrl: string, redisUrl: string, prefix: string, instance: string, extra: NodeJS.ProcessEnv = {}): Promise<TicketBrokerApp> {
  return createApp({
    ...baseEnv(natsUrl, prefix, instance),
    BROKER_MODE: 'recipient',
    BROKER_RECIPIENT_ADDRESS: O_ADDRESS,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `${prefix}:`,
    ...extra,
  });
}

export function senderApp(
  natsUrl: string,
  redisUrl: string,
  prefix: string,
  instance: string,
  ks: { keystore: string; password: string },
  extra: NodeJS.ProcessEnv = {},
): Promise<TicketBrokerApp> {
  return createApp({
    ...baseEnv(natsUrl, prefix, instance),
    BROKER_MODE: 'sender',
    BROKER_KEYSTORE_FILE: ks.keystore,
    BROKER_KEYSTORE_PASSWORD_FILE: ks.password,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `${prefix}:`,
    ...extra,
  });
}

/** What an orchestrator sends a gateway: OrchestratorInfo with the quoted params and price (base64). */
export function orchestratorInfo(
  quote: ReplyOf<typeof RecipientBrokerCommands.quoteParams>,
  price: { pricePerUnit: bigint; pixelsPerUnit: bigint },
): string {
  const tp = quote.ticketParams;
  return WireCodecs.OrchestratorInfo.encodeBase64(
    WireCodecs.OrchestratorInfo.create({
      transcoder: 'https://127.0.0.1:8935',
      address: fromHex(tp.recipient),
      priceInfo: price,
      ticketParams: ticketParamsToWire({
        recipient: fromHex(tp.recipient),
        faceValue: BigInt(tp.faceValue),
        winProb: BigInt(tp.winProb),
        recipientRandHash: fromHex(tp.recipientRandHash),
        seed: bytesToBigInt(fromHex(tp.seed)),
        expirationBlock: BigInt(tp.expirationBlock),
        expirationParams: {
          creationRound: BigInt(tp.expirationParams.creationRound),
          creationRoundBlockHash: fromHex(tp.expirationParams.creationRoundBlockHash),
        },
      }),
    }),
  );
}

/** Polls until `check` stops throwing/returns true (chain-state watch, Redis reconnects). */
export async function eventually(check: () => unknown | Promise<unknown>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if ((await check()) !== false) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms: ${last instanceof Error ? last.message : String(last)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
