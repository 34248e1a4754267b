import {
  InMemoryBalances,
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
  type TicketSigner,
} from '@lpts/pm';
import { CONFIG } from '@lpts/platform';
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
import { BrokerError } from '../common/broker.errors';
import { ratFromJson, ratToJson } from '../common/rational-json';
import { CHAIN_VIEW, SENDER_DEPS } from '../common/tokens';
import type { TicketBrokerConfig } from '../config/ticket-broker.env';
import { BrokerMetrics } from '../metrics/broker.metrics';

type Cmds = typeof SenderBrokerCommands;

export interface SenderDeps {
  readonly signer: TicketSigner;
}

/**
 * The gateway operator's side (§5.6, §6.5, §6.6): holds the key, one PM session (nonce counter) per
 * recipientRandHash, credit per (recipient, O session); refuses expired params (retryable: fetch
 * fresh ones), prices more than doubled within a session, and params the deposit/reserve cannot back.
 * State is in this process: run one sender broker per key.
 */
@Injectable()
export class SenderService {
  readonly #sessions = new Map<string, PmSession>();
  readonly #initialPrices = new Map<string, Rational>();
  readonly #balances = new InMemoryBalances();
  readonly #config: SenderConfig;

  constructor(
    @Inject(SENDER_DEPS) private readonly deps: SenderDeps,
    @Inject(CHAIN_VIEW) private readonly chain: ChainStateView,
    @Inject(CONFIG) config: TicketBrokerConfig,
    private readonly metrics: BrokerMetrics,
  ) {
    this.#config = {
      maxTicketEV: { num: config.BROKER_MAX_TICKET_EV, den: 1n },
      maxTotalEV: { num: config.BROKER_MAX_TOTAL_EV, den: 1n },
      depositMultiplier: config.BROKER_DEPOSIT_MULTIPLIER,
    };
    chain.onNewBlock((block) => this.#dropExpiredSessions(block));
  }

  get address(): string {
    return toChecksumAddress(this.deps.signer.address);
  }

  createPayment(req: RequestOf<Cmds['createPayment']>): ReplyOf<Cmds['createPayment']> {
    try {
      const reply = this.#create(req);
      this.metrics.paymentsCreated.inc();
      this.metrics.ticketsCreated.inc(reply.numTickets);
      return reply;
    } catch (e) {
      if (isTicketError(e)) this.metrics.paymentsRefused.inc({ code: e.code });
      throw e;
    }
  }

  #create(req: RequestOf<Cmds['createPayment']>): ReplyOf<Cmds['createPayment']> {
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
    const recipient = addressFromWire(tp.recipient);
    const recipientKey = accountKey(recipient);
    const priceKey = `${recipientKey}:${req.session}`;
    const initial = this.#initialPrices.get(priceKey);
    if (priceInfo === undefined || priceInfo.pixelsPerUnit === 0n) checkPriceNotDoubled(priceInfo, initial ?? RAT_ZERO); // throws MISSING_PRICE
    const price = priceRational(priceInfo as PriceInfo);
    if (initial !== undefined) checkPriceNotDoubled(priceInfo, initial); // > 2 × the session's first price (§5.6)
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
    // params, EV, funding (§6.5) before any credit is touched; expired params → retryable PARAMS_EXPIRED (refresh)
    const ev = validateTicketParams(params, 1, view, this.#config);
    const session = this.#session(params);
    const existing = this.#balances.reserve(recipientKey, req.session);
    try {
      const need = ticketsNeeded(existing, ratFromJson(req.feeEstimate), ev);
      const batch = need.numTickets > 0 ? createTicketBatch(session, this.deps.signer, need.numTickets, view, this.#config) : undefined;
      const exp = batch?.expirationParams ?? params.expirationParams ?? chain.expirationParams;
      const payment = WireCodecs.Payment.create({
        ticketParams: tp,
        sender: this.deps.signer.address,
        expirationParams: { creationRound: exp.creationRound, creationRoundBlockHash: exp.creationRoundBlockHash },
        ticketSenderParams: (batch?.senderParams ?? []).map((t) => ({ senderNonce: t.senderNonce, sig: t.sig })),
        expectedPrice: info.priceInfo,
      });
      if (initial === undefined) this.#initialPrices.set(priceKey, price);
      return {
        payment: encodePaymentHeader(payment),
        numTickets: need.numTickets,
        ev: ratToJson(ev),
        staged: ratToJson(ratAdd(existing, need.newCredit)),
      };
    } catch (e) {
      this.#balances.credit(recipientKey, req.session, existing); // nothing was sent: the credit goes back
      throw e;
    }
  }

  settle(req: RequestOf<Cmds['settle']>): ReplyOf<Cmds['settle']> {
    const key = req.recipient.toLowerCase();
    const staged = ratFromJson(req.staged);
    if (req.outcome === 'completed') this.#balances.credit(key, req.session, ratSub(staged, ratFromJson(req.debit)));
    else if (req.outcome === 'not-sent') this.#balances.credit(key, req.session, staged);
    // 'lost': the request reached the O but no valid response came: the credit is gone (§6.6)
    return { balance: ratToJson(this.#balances.balance(key, req.session) ?? RAT_ZERO) };
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

  /** New params (every OrchestratorInfo update) start a new PM session (§6.5). */
  #session(params: TicketParams): PmSession {
    const id = toHex(params.recipientRandHash);
    let s = this.#sessions.get(id);
    if (s === undefined) {
      s = new PmSession(params);
      this.#sessions.set(id, s);
    }
    return s;
  }

  #dropExpiredSessions(l1Block: bigint): void {
    for (const [id, s] of this.#sessions) if (s.params.expirationBlock <= l1Block) this.#sessions.delete(id);
    this.#balances.prune();
  }
}
