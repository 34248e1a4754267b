import {
  PmSession,
  RAT_ZERO,
  TicketErrorCode,
  accountKey,
  checkPriceNotDoubled,
  createTicketBatch,
  isTicketError,
  priceRational,
  ratAdd,
  ratCmp,
  ratMul,
  ratMulInt,
  ratSub,
  reserveAlloc,
  ticketError,
  ticketsNeeded,
  validateTicketParams,
  type PriceInfo,
  type Rational,
  type SenderBatchView,
  type SenderConfig,
  type TicketParams,
} from '@lpts/pm';
import { CONFIG, LOGGER, type Logger } from '@lpts/platform';
import {
  WireCodecs,
  addressFromWire,
  bigIntFromWire,
  encodePaymentHeader,
  hash32FromWire,
  toChecksumAddress,
  toHex,
  type OrchestratorInfo,
  type ReplyOf,
  type RequestOf,
  type SenderBrokerCommands,
} from '@lpts/protocol';
import { Inject, Injectable } from '@nestjs/common';
import { ChainStateView, type ChainSnapshot } from '../chain/chain-state.view';
import { BrokerError, withStateTimeout } from '../common/broker.errors';
import { ratFromJson, ratToJson } from '../common/rational-json';
import { CHAIN_VIEW, SENDER_DEPS } from '../common/tokens';
import type { TicketBrokerConfig } from '../config/ticket-broker.env';
import { BrokerMetrics } from '../metrics/broker.metrics';
import { SenderSessions, type SenderReservation } from '../state/sender-sessions';
import type { SenderDeps } from './sender.deps';

export type { SenderDeps } from './sender.deps';

type Cmds = typeof SenderBrokerCommands;

const MAX_UINT32 = 0xffffffff;

/** A PM session whose nonces were reserved in Redis: createTicketBatch takes them from that range. */
class ReservedSession extends PmSession {
  #next: number;
  readonly #end: number;

  constructor(params: TicketParams, r: SenderReservation) {
    super(params);
    this.#next = r.first;
    this.#end = r.first + r.count;
  }

  override get lastNonce(): number {
    return this.#next - 1;
  }

  override takeNonces(count: number): number {
    if (this.#next + count - 1 > MAX_UINT32) {
      throw ticketError(TicketErrorCode.NONCE_OVERFLOW, 'ticket senderNonce would overflow uint32', { lastNonce: this.#next - 1, requested: count, session: this.id });
    }
    if (this.#next + count > this.#end) throw new Error(`${count} nonces asked, ${this.#end - this.#next} reserved`);
    const first = this.#next;
    this.#next += count;
    return first;
  }
}

/**
 * The gateway operator's side (§5.6, §6.5, §6.6): holds the key, one PM session (nonce counter) per
 * recipientRandHash, credit per (recipient, O session); refuses expired params (retryable: fetch
 * fresh ones), prices more than doubled within a session, and params the deposit/reserve cannot back.
 * Nonce counters, initial prices and credit are in Redis under the sender's address: a restarted
 * broker continues where it stopped, and replicas with the same key never reuse a nonce. A Redis
 * failure refuses the payment with the retryable BrokerError STATE_UNAVAILABLE.
 */
@Injectable()
export class SenderService {
  readonly #config: SenderConfig;
  readonly #timeoutMs: number;

  constructor(
    @Inject(SENDER_DEPS) private readonly deps: SenderDeps,
    @Inject(CHAIN_VIEW) private readonly chain: ChainStateView,
    @Inject(CONFIG) config: TicketBrokerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: BrokerMetrics,
  ) {
    this.#config = {
      maxTicketEV: { num: config.BROKER_MAX_TICKET_EV, den: 1n },
      maxTotalEV: { num: config.BROKER_MAX_TOTAL_EV, den: 1n },
      depositMultiplier: config.BROKER_DEPOSIT_MULTIPLIER,
    };
    this.#timeoutMs = config.BROKER_REDIS_TIMEOUT_MS;
  }

  get address(): string {
    return toChecksumAddress(this.deps.signer.address);
  }

  async createPayment(req: RequestOf<Cmds['createPayment']>): Promise<ReplyOf<Cmds['createPayment']>> {
    try {
      const reply = await this.#create(req);
      this.metrics.paymentsCreated.inc();
      this.metrics.ticketsCreated.inc(reply.numTickets);
      return reply;
    } catch (e) {
      if (isTicketError(e) || e instanceof BrokerError) this.metrics.paymentsRefused.inc({ code: e.code });
      throw e;
    }
  }

  async #create(req: RequestOf<Cmds['createPayment']>): Promise<ReplyOf<Cmds['createPayment']>> {
    let info: OrchestratorInfo;
    try {
      info = WireCodecs.OrchestratorInfo.decodeBase64(req.orchestratorInfo);
    } catch (e) {
      throw new BrokerError('INVALID_PAYMENT', `invalid orchestratorInfo: ${(e as Error).message}`, { details: { session: req.session }, cause: e });
    }
    const tp = info.ticketParams;
    if (tp === undefined) throw ticketError(TicketErrorCode.PARAMS_MISSING, 'ticketParams is nil');
    const priceInfo: PriceInfo | undefined =
      info.priceInfo === undefined ? undefined : { pricePerUnit: info.priceInfo.pricePerUnit, pixelsPerUnit: info.priceInfo.pixelsPerUnit };
    if (priceInfo === undefined || priceInfo.pixelsPerUnit === 0n) checkPriceNotDoubled(priceInfo, RAT_ZERO); // throws MISSING_PRICE
    const price = priceRational(priceInfo as PriceInfo);
    const recipient = addressFromWire(tp.recipient);
    const recipientKey = accountKey(recipient);
    const params: TicketParams = {
      recipient,
      faceValue: bigIntFromWire(tp.faceValue),
      winProb: bigIntFromWire(tp.winProb),
      recipientRandHash: hash32FromWire(tp.recipientRandHash),
      seed: tp.seed,
      expirationBlock: bigIntFromWire(tp.expirationBlock),
      price,
      expirationParams:
        tp.expirationParams === undefined
          ? undefined
          : { creationRound: tp.expirationParams.creationRound, creationRoundBlockHash: hash32FromWire(tp.expirationParams.creationRoundBlockHash) },
    };
    const chain = this.chain.snapshot();
    const view = this.#view(chain);
    // params, EV, funding (§6.5) before any state is touched; expired params → retryable PARAMS_EXPIRED (refresh)
    const ev = validateTicketParams(params, 1, view, this.#config);
    const fee = ratFromJson(req.feeEstimate);
    const nonceTtlMs = SenderSessions.nonceTtlMs(params.expirationBlock, chain.lastSeenL1Block);
    const reserveNonces = (count: number) =>
      this.deps.sessions.reserve(toHex(params.recipientRandHash), count, nonceTtlMs, recipientKey, req.session, price);
    // one round trip: the credit is taken out, and as many nonces as the fee can need with no credit
    // are reserved (nonces the credit makes unnecessary are skipped: gaps are harmless)
    const { existing, nonces } = await this.#reserve(recipientKey, req.session, () => reserveNonces(ticketsNeeded(RAT_ZERO, fee, ev).numTickets));
    try {
      if (nonces.initialPrice !== undefined) checkPriceNotDoubled(priceInfo, nonces.initialPrice); // > 2 × the session's first price (§5.6)
      const need = ticketsNeeded(existing, fee, ev);
      let range = nonces;
      if (need.numTickets > range.count) {
        // a negative balance (debits above the staged credit) needs more: a second round trip
        range = await withStateTimeout('reserve nonces', this.#timeoutMs, () => reserveNonces(need.numTickets));
      }
      const batch = need.numTickets > 0 ? createTicketBatch(new ReservedSession(params, range), this.deps.signer, need.numTickets, view, this.#config) : undefined;
      const exp = batch?.expirationParams ?? params.expirationParams ?? chain.expirationParams;
      const payment = WireCodecs.Payment.create({
        ticketParams: tp,
        sender: this.deps.signer.address,
        expirationParams: { creationRound: exp.creationRound, creationRoundBlockHash: exp.creationRoundBlockHash },
        ticketSenderParams: (batch?.senderParams ?? []).map((t) => ({ senderNonce: t.senderNonce, sig: t.sig })),
        expectedPrice: info.priceInfo,
      });
      return {
        payment: encodePaymentHeader(payment),
        numTickets: need.numTickets,
        ev: ratToJson(ev),
        staged: ratToJson(ratAdd(existing, need.newCredit)),
      };
    } catch (e) {
      await this.#giveBack(recipientKey, req.session, existing); // nothing was sent: the credit goes back
      throw e;
    }
  }

  /**
   * Takes the (recipient, session) credit out and runs `nonces` (SenderSessions.reserve) at the same
   * time, so both cost one round trip. Any failure → STATE_UNAVAILABLE, and a credit taken out
   * (also one that lands after the timeout) goes back.
   */
  async #reserve(
    recipientKey: string,
    session: string,
    nonces: () => Promise<SenderReservation>,
  ): Promise<{ existing: Rational; nonces: SenderReservation }> {
    const credit = this.deps.balances.reserve(recipientKey, session);
    let used = false;
    try {
      const [existing, r] = await withStateTimeout('reserve credit and nonces', this.#timeoutMs, () => Promise.all([credit, nonces()]));
      used = true;
      return { existing, nonces: r };
    } finally {
      if (!used) {
        credit.then(
          (c) => this.#giveBack(recipientKey, session, c),
          () => undefined,
        );
      }
    }
  }

  async #giveBack(recipientKey: string, session: string, amount: Rational): Promise<void> {
    if (amount.num === 0n) return;
    try {
      await withStateTimeout('give back credit', this.#timeoutMs, () => this.deps.balances.credit(recipientKey, session, amount));
    } catch (e) {
      this.logger.warn({ err: (e as Error).message, recipient: recipientKey, session, amount: `${amount.num}/${amount.den}` }, 'credit of a refused payment not given back');
    }
  }

  async settle(req: RequestOf<Cmds['settle']>): Promise<ReplyOf<Cmds['settle']>> {
    const key = req.recipient.toLowerCase();
    const staged = ratFromJson(req.staged);
    // 'lost': the request reached the O but no valid response came: the credit is gone (§6.6)
    const back = req.outcome === 'completed' ? ratSub(staged, ratFromJson(req.debit)) : req.outcome === 'not-sent' ? staged : undefined;
    const balance = await withStateTimeout('settle balance', this.#timeoutMs, () =>
      back === undefined ? this.deps.balances.balance(key, req.session) : this.deps.balances.add(key, req.session, back),
    );
    return { balance: ratToJson(balance ?? RAT_ZERO) };
  }

  runway(req: RequestOf<Cmds['runway']>): ReplyOf<Cmds['runway']> {
    const chain = this.chain.snapshot();
    const info = this.#ownInfo(chain);
    const alloc = reserveAlloc(info.reserve, chain.activePoolSize, 0n);
    let minutesLeft: number | null = null;
    if (req.pricePerPixel !== undefined && req.pixelsPerSecond !== undefined) {
      const perMinute = ratMulInt(ratMul(ratFromJson(req.pricePerPixel), { num: BigInt(req.pixelsPerSecond), den: 1n }), 60n);
      const funds = info.deposit + alloc;
      if (perMinute.num <= 0n) minutesLeft = null;
      else if (ratCmp({ num: funds, den: 1n }, RAT_ZERO) <= 0) minutesLeft = 0;
      else minutesLeft = Number((funds * perMinute.den * 1000n) / perMinute.num) / 1000;
    }
    return {
      sender: this.address,
      deposit: info.deposit.toString(),
      reserve: info.reserve.fundsRemaining.toString(),
      withdrawRound: info.withdrawRound.toString(),
      activePoolSize: Number(chain.activePoolSize),
      perOrchestratorAllocation: alloc.toString(),
      minutesLeft,
    };
  }

  #view(chain: ChainSnapshot): SenderBatchView {
    return {
      lastSeenL1Block: chain.lastSeenL1Block,
      lastInitializedRound: chain.lastInitializedRound,
      lastInitializedL1BlockHash: chain.expirationParams.creationRoundBlockHash,
      senderInfo: () => this.#ownInfo(chain),
    };
  }

  #ownInfo(chain: ChainSnapshot) {
    const info = chain.senderInfo(this.deps.signer.address);
    if (info === undefined) {
      throw new BrokerError('CHAIN_STATE_MISSING', `no funding state for sender ${this.address} in the chain-state KV yet`, {
        retryable: true,
        details: { sender: this.address },
      });
    }
    return info;
  }
}
