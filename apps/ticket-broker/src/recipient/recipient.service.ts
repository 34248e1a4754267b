import { performance } from 'node:perf_hooks';
import {
  RAT_ZERO,
  TicketErrorCode,
  accountKey,
  generateTicketParams,
  isTicketError,
  maxFloat,
  rat,
  receivePayment,
  reserveAlloc,
  ticketError,
  NonceCheck,
  type Balances,
  type Rational,
  type SeenNonces,
} from '@lpts/pm';
import {
  CONFIG,
  LOGGER,
  type Logger,
} from '@lpts/platform';
import {
  addressToBytes,
  decodePaymentHeader,
  toChecksumAddress,
  toHex,
  type Payment,
  type RecipientBrokerCommands,
  type ReplyOf,
  type RequestOf,
} from '@lpts/protocol';
import { Inject, Injectable } from '@nestjs/common';
import { ChainStateView, type ChainSnapshot } from '../chain/chain-state.view';
import { BrokerError, withStateTimeout } from '../common/broker.errors';
import { ratFromJson, ratToJson } from '../common/rational-json';
import { CHAIN_VIEW, RECIPIENT_DEPS } from '../common/tokens';
import type { TicketBrokerConfig } from '../config/ticket-broker.env';
import { BrokerMetrics } from '../metrics/broker.metrics';
import { incomingPayment } from './payment-input';
import type { RecipientDeps } from './recipient.deps';

type Cmds = typeof RecipientBrokerCommands;

const CHECKSUMS_KEPT = 4096;
const checksums = new Map<string, string>();
/** EIP-55 form of a 0x-hex address (a keccak each): remembered for the senders seen recently. */
function checksumOf(hex: string): string {
  let c = checksums.get(hex);
  if (c === undefined) {
    c = toChecksumAddress(hex);
    if (checksums.size >= CHECKSUMS_KEPT) checksums.clear();
    checksums.set(hex, c);
  }
  return c;
}

/** SeenNonces that accepts everything and records what pm asked, in order (the dry run). */
class RecordingNonces implements SeenNonces {
  readonly #calls: { key: string; nonce: number; expirationBlock: bigint }[] = [];
  check(key: string, nonce: number, expirationBlock: bigint): NonceCheck {
    this.#calls.push({ key, nonce, expirationBlock });
    return NonceCheck.ACCEPTED;
  }
  /** One payment = one PM session: one key and expiration block for all its nonces. */
  claim(): { key: string; nonces: number[]; expirationBlock: bigint } | undefined {
    const first = this.#calls[0];
    if (first === undefined) return undefined;
    return { key: first.key, nonces: this.#calls.map((c) => c.nonce), expirationBlock: first.expirationBlock };
  }
  prune(): number {
    return 0;
  }
  count(): number {
    return 0;
  }
}

/** SeenNonces answering with a claim's results, in the order pm asks (the same order as the dry run). */
class ReplayNonces implements SeenNonces {
  #i = 0;
  constructor(private readonly results: readonly NonceCheck[]) {}
  check(): NonceCheck {
    return this.results[this.#i++] ?? NonceCheck.ALREADY_SEEN;
  }
  prune(): number {
    return 0;
  }
  count(): number {
    return 0;
  }
}

/** Balances as pm's receivePayment sees them: the credit is only recorded, and booked after winners are queued. */
class DeferredCredit implements Balances {
  amount: Rational | undefined;
  credit(_account: string, _session: string, amount: Rational): void {
    this.amount = amount;
  }
  debit(): never {
    throw new Error('receivePayment does not debit');
  }
  reserve(): never {
    throw new Error('receivePayment does not reserve');
  }
  balance(): undefined {
    return undefined;
  }
  prune(): number {
    return 0;
  }
}

/**
 * The orchestrator operator's side (§6.4, §6.7, §6.8): quotes TicketParams, validates and credits
 * payments with shared Redis state, hands winners to settlement before acknowledging, books debits.
 */
@Injectable()
export class RecipientService {
  private readonly timeoutMs: number;

  constructor(
    @Inject(RECIPIENT_DEPS) private readonly deps: RecipientDeps,
    @Inject(CHAIN_VIEW) private readonly chain: ChainStateView,
    @Inject(CONFIG) private readonly config: TicketBrokerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: BrokerMetrics,
  ) {
    this.timeoutMs = config.BROKER_REDIS_TIMEOUT_MS;
  }

  async quoteParams(req: RequestOf<Cmds['quoteParams']>): Promise<ReplyOf<Cmds['quoteParams']>> {
    await this.chain.ensureSender(req.sender);
    const chain = this.chain.snapshot();
    const sender = addressToBytes(req.sender);
    try {
      const pixelsPerUnit = BigInt(req.price.pixelsPerUnit);
      if (pixelsPerUnit === 0n) {
        throw ticketError(TicketErrorCode.INVALID_EXPECTED_PRICE, 'invalid expected price sent with payment err="pixels per unit is 0"', {
          pricePerUnit: req.price.pricePerUnit,
          pixelsPerUnit: 0n,
        });
      }
      const mf = this.#maxFloat(chain, req.sender);
      const exp = chain.expirationParams;
      const zeroHash = exp.creationRoundBlockHash.every((b) => b === 0);
      const p = generateTicketParams(
        this.deps.secret,
        { ev: this.config.BROKER_TICKET_EV, redeemGas: this.config.BROKER_REDEEM_GAS, maxFaceValue: this.config.BROKER_MAX_FACE_VALUE },
        {
          recipient: this.deps.recipient,
          sender,
          price: rat(BigInt(req.price.pricePerUnit), pixelsPerUnit),
          gasPrice: chain.gasPrice ?? this.config.BROKER_GAS_PRICE_WEI,
          maxFloat: mf.maxFloat,
          lastSeenL1Block: chain.lastSeenL1Block,
          // settlement already applied the zero-hash fallback (§6.4): make generateTicketParams keep (creationRound, hash) as given
          lastInitializedRound: zeroHash ? exp.creationRound + 1n : exp.creationRound,
          lastInitializedL1BlockHash: exp.creationRoundBlockHash,
          previousRoundL1BlockHash: exp.creationRoundBlockHash,
        },
      );
      this.metrics.paramsIssued.inc();
      const ep = p.expirationParams ?? exp;
      return {
        ticketParams: {
          recipient: toChecksumAddress(p.recipient),
          faceValue: p.faceValue.toString(),
          winProb: p.winProb.toString(),
          recipientRandHash: toHex(p.recipientRandHash),
          seed: toHex(p.seed),
          expirationBlock: p.expirationBlock.toString(),
          expirationParams: { creationRound: ep.creationRound.toString(), creationRoundBlockHash: toHex(ep.creationRoundBlockHash) },
        },
      };
    } catch (e) {
      if (isTicketError(e)) this.metrics.paramsRefused.inc({ code: e.code });
      throw e;
    }
  }

  async receivePayment(req: RequestOf<Cmds['receivePayment']>): Promise<ReplyOf<Cmds['receivePayment']>> {
    const end = this.metrics.paymentSeconds.startTimer();
    try {
      const reply = await this.#receive(req);
      if (reply.error) this.metrics.paymentsRejected.inc({ code: reply.error.code });
      this.metrics.paymentsReceived.inc({ outcome: reply.error ? 'rejected' : 'credited' });
      return reply;
    } catch (e) {
      const code = e instanceof BrokerError ? e.code : 'INTERNAL';
      this.metrics.paymentsRejected.inc({ code });
      this.metrics.paymentsReceived.inc({ outcome: 'unavailable' });
      throw e;
    } finally {
      end();
    }
  }

  async #receive(req: RequestOf<Cmds['receivePayment']>): Promise<ReplyOf<Cmds['receivePayment']>> {
    let payment: Payment;
    try {
      payment = decodePaymentHeader(req.payment);
    } catch (e) {
      throw new BrokerError('INVALID_PAYMENT', `invalid payment: ${(e as Error).message}`, { details: { session: req.session }, cause: e });
    }
    const incoming = incomingPayment(payment);
    const senderHex = incoming.sender !== undefined && incoming.sender.length === 20 ? toHex(incoming.sender) : undefined;
    if (senderHex !== undefined) await this.chain.ensureSender(senderHex);
    const chain = this.chain.snapshot();
    this.metrics.ticketsReceived.inc(incoming.ticketSenderParams.length);
    const started = performance.now();
    const remaining = () => Math.max(1, this.timeoutMs - (performance.now() - started));
    // writes that reach Redis after this (its clock) are no-ops: a refused payment is never credited later
    // (a margin before our own timeout, so a write applied just in time is also answered in time)
    const deadline = Math.floor(this.deps.redisNow() + this.timeoutMs - Math.min(250, this.timeoutMs / 4));
    let credit = new DeferredCredit();
    let fixPrice: { sender: Uint8Array; session: string; price: Rational } | undefined;
    const run = (seenNonces: SeenNonces) => {
      credit = new DeferredCredit();
      fixPrice = undefined;
      const ctx = {
        recipientAddresses: this.deps.recipientAddresses,
        secret: this.deps.secret,
        chain,
        seenNonces,
        balances: credit,
        balanceSession: req.session,
        // applied below, in the same script as the credit when there is one
        fixSessionPrice: (sender: Uint8Array, session: string, price: Rational) => {
          fixPrice = { sender, session, price };
        },
      };
      return receivePayment(incoming, ctx).catch((e: unknown) => {
        if (e instanceof RangeError) {
          throw new BrokerError('INVALID_PAYMENT', `invalid payment: ${e.message}`, { details: { session: req.session }, cause: e });
        }
        throw e;
      });
    };
    // 1. validate in process, every nonce assumed fresh (records which nonces pm checks, in order)
    const recorded = new RecordingNonces();
    let outcome = await run(recorded);
    const account = incoming.sender && incoming.sender.length > 0 ? accountKey(incoming.sender) : undefined;
    const fixArgs = () => (fixPrice === undefined ? undefined : this.deps.prices.fixArgs(accountKey(fixPrice.sender), fixPrice.session, fixPrice.price));
    let balance: Rational | undefined;
    let booked = false;
    const claim = recorded.claim();
    if (claim !== undefined) {
      // 2. claim the nonces atomically; with no winner to queue first, credit in the same round trip
      let results: NonceCheck[];
      if (outcome.winners.length === 0 && credit.amount !== undefined && account !== undefined) {
        const amount = credit.amount;
        const fix = fixArgs();
        const r = await withStateTimeout('claim nonces and credit', remaining(), () =>
          this.deps.balances.claimAndCredit(this.deps.nonces, claim, account, req.session, amount, fix, deadline),
        );
        results = r.results;
        if (r.balance !== undefined) {
          balance = r.balance;
          booked = true;
        }
      } else {
        results = await withStateTimeout('claim nonces', remaining(), () => this.deps.nonces.checkMany(claim.key, claim.nonces, claim.expirationBlock, deadline));
      }
      // 3. a nonce was seen or over the cap: the exact outcome, replaying the claim's answers
      if (results.some((r) => r !== NonceCheck.ACCEPTED)) outcome = await run(new ReplayNonces(results));
    }
    // 4. durable hand-off of every winner (also those of a refused ticket, §6.7 step 8) before any credit or ack
    if (outcome.winners.length > 0) {
      await withStateTimeout('queue winning tickets', remaining(), () => this.deps.winners.add(outcome.winners));
      this.metrics.winnersQueued.inc(outcome.winners.length);
      this.logger.info({ winners: outcome.winners.map((w) => toHex(w.ticketHash)), sender: account }, 'winning tickets queued');
    }
    if (!booked) {
      const fix = fixArgs();
      if (account !== undefined && credit.amount !== undefined) {
        const amount = credit.amount;
        balance = await withStateTimeout('credit balance', remaining(), () => this.deps.balances.add(account, req.session, amount, fix, deadline));
      } else {
        await withStateTimeout('fix session price, read balance', remaining(), async () => {
          const [, b] = await Promise.all([
            fix === undefined ? undefined : this.deps.prices.fix(accountKey((fixPrice as { sender: Uint8Array }).sender), req.session, (fixPrice as { price: Rational }).price),
            account === undefined ? undefined : this.deps.balances.balance(account, req.session),
          ]);
          balance = b;
        });
      }
    }
    if (credit.amount !== undefined) this.metrics.ticketsCredited.inc(outcome.creditedTickets);
    const reply: ReplyOf<Cmds['receivePayment']> = {
      sender: senderHex === undefined ? null : checksumOf(senderHex),
      credited: ratToJson(outcome.credited),
      creditedTickets: outcome.creditedTickets,
      winners: outcome.winners.length,
      balance: ratToJson(balance ?? RAT_ZERO),
    };
    if (outcome.error !== undefined) {
      const w = outcome.error.toWire();
      const details: Record<string, string | number | boolean | null> = {};
      for (const [k, v] of Object.entries(w.details)) if (v !== undefined) details[k] = v;
      reply.error = { ...w, details };
    }
    return reply;
  }

  async debit(req: RequestOf<Cmds['debit']>): Promise<ReplyOf<Cmds['debit']>> {
    const amount = ratFromJson(req.amount);
    const balance = await withStateTimeout('debit balance', this.timeoutMs, () =>
      this.deps.balances.add(req.sender.toLowerCase(), req.session, { num: -amount.num, den: amount.den }),
    );
    return { balance: ratToJson(balance) };
  }

  async balance(req: RequestOf<Cmds['balance']>): Promise<ReplyOf<Cmds['balance']>> {
    const b = await withStateTimeout('read balance', this.timeoutMs, () => this.deps.balances.balance(req.sender.toLowerCase(), req.session));
    return { balance: ratToJson(b ?? RAT_ZERO) };
  }

  async maxFloat(req: RequestOf<Cmds['maxFloat']>): Promise<ReplyOf<Cmds['maxFloat']>> {
    await this.chain.ensureSender(req.sender);
    const r = this.#maxFloat(this.chain.snapshot(), req.sender);
    return {
      maxFloat: r.maxFloat.toString(),
      reserveAlloc: r.reserveAlloc.toString(),
      pendingAmount: r.pendingAmount.toString(),
      deposit: r.deposit.toString(),
    };
  }

  #maxFloat(chain: ChainSnapshot, sender: string): { maxFloat: bigint; reserveAlloc: bigint; pendingAmount: bigint; deposit: bigint } {
    const s = chain.senderState(sender);
    if (s === undefined) {
      const addr = toChecksumAddress(sender);
      throw ticketError(TicketErrorCode.SENDER_INFO_UNAVAILABLE, `could not get sender info for ${addr}: unknown sender`, { sender: addr });
    }
    const alloc = reserveAlloc(
      { fundsRemaining: BigInt(s.reserve.fundsRemaining), claimedInCurrentRound: BigInt(s.reserve.claimedInCurrentRound) },
      chain.activePoolSize,
      BigInt(s.claimedReserve ?? '0'),
    );
    const pending = BigInt(s.pendingAmount ?? '0');
    const deposit = BigInt(s.deposit);
    return { maxFloat: maxFloat(alloc, deposit, pending), reserveAlloc: alloc, pendingAmount: pending, deposit };
  }
}
