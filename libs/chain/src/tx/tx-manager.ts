import { Transaction, type TransactionLike } from 'ethers';
import { ChainError, isChainError } from '../errors/chain-error';
import { decodeRevertData, revertedError, toChainError } from '../rpc/revert';
import { type RpcClient, RpcResponseError } from '../rpc/rpc-client';

/** Signs transactions for one account (an ethers Wallet fits). */
export interface TxSigner {
  readonly address: string;
  signTransaction(tx: TransactionLike<string>): Promise<string>;
}

/** Anything that gives the gas price to offer (a GasPriceOracle fits). */
export interface GasPriceSource {
  getGasPrice(): Promise<bigint>;
}

export interface TxRequest {
  /** Omit to create a contract. */
  to?: string;
  data?: string;
  value?: bigint;
  /** Skip estimation and use this limit. */
  gasLimit?: bigint;
  /** Label for errors and logs, e.g. "TicketBroker.redeemWinningTicket". */
  label?: string;
  /**
   * Awaited for every broadcast (the first and each replacement) after the transaction is signed and
   * before the raw bytes go to the node: record `hash` and `nonce` durably here, and no crash can leave
   * a transaction on the wire that the caller does not know of (`lookup` / `resume` find it again).
   * A throw cancels that broadcast: the send fails before its first one, a replacement is skipped.
   */
  onBroadcast?: (b: TxBroadcast) => Promise<void> | void;
}

/** A signed transaction about to be broadcast (what `TxRequest.onBroadcast` sees). */
export interface TxBroadcast {
  hash: string;
  nonce: number;
  from: string;
  gasPrice: bigint;
  gasLimit: bigint;
  /** 0 for the first broadcast of this nonce, then 1, 2, … for replacements. */
  replacement: number;
  label: string;
}

export interface TxReceipt {
  transactionHash: string;
  blockNumber: bigint;
  blockHash: string;
  status: 0 | 1;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  logs: RawLog[];
}

/** A log as JSON-RPC returns it. */
export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber?: string;
  transactionHash?: string;
  logIndex?: string;
}

export interface TxAttempt {
  hash: string;
  gasPrice: bigint;
}

export interface TxResult {
  hash: string;
  nonce: number;
  gasLimit: bigint;
  receipt: TxReceipt;
  /** Every broadcast for this nonce, first to last (more than one after replacements). */
  attempts: TxAttempt[];
}

/** A transaction broadcast earlier, perhaps by a process that has died since: its nonce and every broadcast for it. */
export interface SentTx {
  nonce: number;
  attempts: readonly TxAttempt[];
}

/**
 * What the node says about a SentTx now.
 * - `mined`: one of its hashes has a receipt (success or failure).
 * - `pending`: the node holds one of its hashes, not mined yet.
 * - `unknown`: the node knows none of them and the nonce is still free (the crash came before the
 *   broadcast, or the node lost it): re-sending at the same nonce is safe (at most one can be mined).
 * - `dropped`: the node knows none of them and the nonce went to another transaction: none of them
 *   can ever be mined; send anew.
 */
export type TxLookup =
  | { state: 'mined'; hash: string; receipt: TxReceipt }
  | { state: 'pending'; hash: string; gasPrice: bigint; gasLimit: bigint }
  | { state: 'unknown'; nonce: number }
  | { state: 'dropped'; nonce: number };

/** Sends transactions to the endpoint (RPC) and reports what happened. */
export interface TxSender {
  readonly address: string;
  send(req: TxRequest): Promise<TxResult>;
}

export interface TxManagerOptions {
  chainId: bigint;
  gasPrice: GasPriceSource;
  /** Never offer more than this (wei). */
  maxGasPrice: bigint;
  /** Added to eth_estimateGas, in percent. Default 20. */
  gasMarginPercent?: number;
  /** Replacement bump in percent; at least 10 (node rule). Default 12. */
  bumpPercent?: number;
  /** Wait this long for a receipt before replacing with a higher price. Default 30 000 ms. */
  replaceAfterMs?: number;
  /** Give up (TX_TIMEOUT) after this long in total. Default 180 000 ms. */
  timeoutMs?: number;
  /** Receipt polling interval. Default 500 ms. */
  pollMs?: number;
  /** A locally-issued nonce above the chain's pending count is trusted this long (endpoints lagging behind). Default 30 000 ms. */
  localNonceTtlMs?: number;
}

/** The node already holds this exact transaction (e.g. a failover re-sent it): it is in flight, not a conflict. */
const ALREADY_KNOWN = /already known|known transaction|already imported|transaction already exists/i;
/** The nonce is taken: by a mined transaction, or by a pending one this price cannot replace. */
const NONCE_TOO_LOW = /nonce too low|nonce has already been used|replacement transaction underpriced|nonce.*(lower|smaller)/i;

/**
 * Transaction manager for one signer (PROTOCOL.md §8 A2/A12).
 *
 * - Nonce: the chain's `pending` count is the source of truth; sends for the signer are serialised
 *   (nonce pick + broadcast), so concurrent callers get consecutive nonces.
 * - Gas: `eth_estimateGas` + margin; an estimation revert surfaces as ChainError REVERTED with the reason.
 * - Price: from the oracle, refused above `maxGasPrice` (GAS_PRICE_ABOVE_MAX); if no receipt comes
 *   within `replaceAfterMs` the same nonce is re-sent at +`bumpPercent` %, never above `maxGasPrice`.
 * - A mined failure is replayed with eth_call at its block to recover the revert string.
 * - Crash safety: `onBroadcast` sees each signed transaction before the node does; `lookup` and
 *   `resume` take a recorded transaction up again (its receipt, the wait for it, or a re-send at its nonce).
 * Legacy (type 0, EIP-155) transactions: the price is one number, which Arbitrum and anvil accept.
 */
export class TxManager implements TxSender {
  private lock: Promise<unknown> = Promise.resolve();
  private localNext?: { nonce: number; at: number };
  private readonly gasMargin: bigint;
  private readonly bump: bigint;
  private readonly replaceAfterMs: number;
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly localNonceTtlMs: number;

  constructor(
    private readonly rpc: RpcClient,
    private readonly signer: TxSigner,
    private readonly options: TxManagerOptions,
  ) {
    this.gasMargin = BigInt(Math.round(options.gasMarginPercent ?? 20));
    const bump = Math.ceil(options.bumpPercent ?? 12);
    if (bump < 10) throw new Error('bumpPercent must be at least 10');
    this.bump = BigInt(bump);
    this.replaceAfterMs = options.replaceAfterMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 180_000;
    this.pollMs = options.pollMs ?? 500;
    this.localNonceTtlMs = options.localNonceTtlMs ?? 30_000;
  }

  get address(): string {
    return this.signer.address;
  }

  /** The oracle's gas price, refused (retryable) above the configured maximum. */
  private async currentGasPrice(label: string): Promise<bigint> {
    const gasPrice = await this.options.gasPrice.getGasPrice();
    if (gasPrice > this.options.maxGasPrice) {
      throw new ChainError('GAS_PRICE_ABOVE_MAX', `${label}: gas price ${gasPrice} above max ${this.options.maxGasPrice}`, {
        retryable: true,
        details: { gasPrice, maxGasPrice: this.options.maxGasPrice, label },
      });
    }
    return gasPrice;
  }

  /** Estimates, prices, signs, sends and waits for the receipt (replacing while it waits). */
  async send(req: TxRequest): Promise<TxResult> {
    const label = req.label ?? 'transaction';
    const gasLimit = req.gasLimit ?? (await this.estimate(req));
    const gasPrice = await this.currentGasPrice(label);
    const { nonce, hash } = await this.serialised(() => this.broadcastNew(req, gasLimit, gasPrice, label));
    const attempts: TxAttempt[] = [{ hash, gasPrice }];
    const receipt = await this.waitWithReplacement(req, gasLimit, nonce, attempts, label);
    return this.finish(req, receipt, nonce, gasLimit, attempts, label);
  }

  /** Where a transaction broadcast earlier stands (see TxLookup); read-only. */
  async lookup(sent: SentTx): Promise<TxLookup> {
    const hashes = sent.attempts.map((a) => a.hash);
    const mined = await this.findReceipt(sent.attempts);
    if (mined) return { state: 'mined', hash: mined.transactionHash, receipt: mined };
    for (const hash of [...hashes].reverse()) {
      const tx = await this.rpc.request<RpcTx | null>('eth_getTransactionByHash', [hash]);
      if (!tx) continue;
      if (tx.blockNumber) {
        const r = await this.findReceipt([{ hash, gasPrice: 0n }]);
        if (r) return { state: 'mined', hash, receipt: r };
      }
      return { state: 'pending', hash, gasPrice: BigInt(tx.gasPrice ?? '0x0'), gasLimit: BigInt(tx.gas) };
    }
    const minedCount = Number(BigInt(await this.rpc.request<string>('eth_getTransactionCount', [this.signer.address, 'latest'])));
    if (minedCount <= sent.nonce) return { state: 'unknown', nonce: sent.nonce };
    // The nonce is taken by a mined transaction: ours if it was mined just now, otherwise none of ours ever can be.
    const late = await this.findReceipt(sent.attempts);
    return late ? { state: 'mined', hash: late.transactionHash, receipt: late } : { state: 'dropped', nonce: sent.nonce };
  }

  /**
   * Takes up a transaction broadcast earlier (e.g. by a process killed before the receipt), by `lookup`
   * (or the caller's `found`): mined → its result (a mined failure throws REVERTED, as `send` does);
   * pending → waits for it, replacing at the same nonce as `send` does; unknown → re-sent at the same
   * nonce when that is the account's next one (fresh estimate and price), then waited for; dropped, or
   * unknown with other transactions around that nonce → ChainError TX_DROPPED (send anew).
   * `req` must be the same call; its `onBroadcast` sees every new broadcast.
   */
  async resume(req: TxRequest, sent: SentTx, found?: TxLookup): Promise<TxResult> {
    const label = req.label ?? 'transaction';
    const now = found ?? (await this.lookup(sent));
    const attempts = [...sent.attempts];
    const { nonce } = sent;
    switch (now.state) {
      case 'mined':
        return this.finish(req, now.receipt, nonce, await this.gasLimitOf(now.hash, req), attempts, label);
      case 'pending': {
        const receipt = await this.waitWithReplacement(req, now.gasLimit, nonce, attempts, label, now.gasPrice);
        return this.finish(req, receipt, nonce, now.gasLimit, attempts, label);
      }
      case 'unknown': {
        const gasLimit = req.gasLimit ?? (await this.estimate(req));
        const gasPrice = await this.currentGasPrice(label);
        const hash = await this.serialised(async () => {
          const next = await this.chainNonce();
          if (next !== nonce) throw this.dropped(sent, label, `the account's next nonce is ${next}`);
          const h = await this.broadcast(req, gasLimit, gasPrice, nonce, attempts.length).catch((e: unknown) => {
            throw toChainError(e instanceof BroadcastHookError ? e.cause : e, { method: label, to: req.to });
          });
          this.localNext = { nonce: nonce + 1, at: Date.now() };
          return h;
        });
        attempts.push({ hash, gasPrice });
        const receipt = await this.waitWithReplacement(req, gasLimit, nonce, attempts, label);
        return this.finish(req, receipt, nonce, gasLimit, attempts, label);
      }
      case 'dropped':
        throw this.dropped(sent, label, 'the nonce went to another transaction');
    }
  }

  /** eth_estimateGas + margin; a revert becomes ChainError REVERTED with the reason. */
  async estimate(req: TxRequest): Promise<bigint> {
    try {
      const est = BigInt(await this.rpc.request<string>('eth_estimateGas', [this.callObject(req)]));
      return est + (est * this.gasMargin) / 100n;
    } catch (e) {
      throw toChainError(e, { method: req.label, to: req.to, from: this.signer.address });
    }
  }

  /** The next price for a replacement: +bump % (rounded up), or undefined when that exceeds the max. */
  nextGasPrice(previous: bigint): bigint | undefined {
    const bumped = (previous * (100n + this.bump) + 99n) / 100n;
    return bumped > this.options.maxGasPrice ? undefined : bumped;
  }

  private async finish(req: TxRequest, receipt: TxReceipt, nonce: number, gasLimit: bigint, attempts: TxAttempt[], label: string): Promise<TxResult> {
    if (receipt.status !== 1) throw await this.minedRevert(req, receipt, label);
    return { hash: receipt.transactionHash, nonce, gasLimit, receipt, attempts };
  }

  private async gasLimitOf(hash: string, req: TxRequest): Promise<bigint> {
    const tx = await this.rpc.request<RpcTx | null>('eth_getTransactionByHash', [hash]).catch(() => null);
    return tx ? BigInt(tx.gas) : (req.gasLimit ?? 0n);
  }

  private dropped(sent: SentTx, label: string, why: string): ChainError {
    return new ChainError('TX_DROPPED', `${label}: nonce ${sent.nonce} cannot carry this transaction any more: ${why}`, {
      retryable: true,
      details: { nonce: sent.nonce, from: this.signer.address, hashes: sent.attempts.map((a) => a.hash).join(','), label },
    });
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async chainNonce(): Promise<number> {
    return Number(BigInt(await this.rpc.request<string>('eth_getTransactionCount', [this.signer.address, 'pending'])));
  }

  private async pickNonce(): Promise<number> {
    const pending = await this.chainNonce();
    const local = this.localNext;
    if (local && Date.now() - local.at < this.localNonceTtlMs && local.nonce > pending) return local.nonce;
    return pending;
  }

  private async broadcastNew(req: TxRequest, gasLimit: bigint, gasPrice: bigint, label: string): Promise<{ nonce: number; hash: string }> {
    let lastErr: unknown;
    for (let tries = 0; tries < 3; tries++) {
      const nonce = tries === 0 ? await this.pickNonce() : await this.chainNonce();
      try {
        const hash = await this.broadcast(req, gasLimit, gasPrice, nonce, 0);
        this.localNext = { nonce: nonce + 1, at: Date.now() };
        return { nonce, hash };
      } catch (e) {
        lastErr = e;
        if (e instanceof BroadcastHookError) throw e.cause;
        if (!(e instanceof RpcResponseError && NONCE_TOO_LOW.test(e.message))) throw toChainError(e, { method: label, to: req.to });
        this.localNext = undefined; // our view was stale: trust the chain
      }
    }
    throw new ChainError('NONCE_CONFLICT', `${label}: nonce rejected three times`, {
      retryable: true,
      details: { from: this.signer.address, label, error: lastErr instanceof Error ? lastErr.message : String(lastErr) },
      cause: lastErr,
    });
  }

  /** Signs, hands the hash to `onBroadcast` (a throw there comes back as BroadcastHookError, nothing sent), then sends. */
  private async broadcast(req: TxRequest, gasLimit: bigint, gasPrice: bigint, nonce: number, replacement: number): Promise<string> {
    const raw = await this.signer.signTransaction({
      type: 0,
      chainId: this.options.chainId,
      nonce,
      gasPrice,
      gasLimit,
      to: req.to ?? null,
      data: req.data ?? '0x',
      value: req.value ?? 0n,
    });
    const hash = Transaction.from(raw).hash as string;
    if (req.onBroadcast) {
      try {
        await req.onBroadcast({ hash, nonce, from: this.signer.address, gasPrice, gasLimit, replacement, label: req.label ?? 'transaction' });
      } catch (e) {
        throw new BroadcastHookError(e);
      }
    }
    try {
      const sent = await this.rpc.request<string>('eth_sendRawTransaction', [raw]);
      return typeof sent === 'string' ? sent : hash;
    } catch (e) {
      if (e instanceof RpcResponseError && ALREADY_KNOWN.test(e.message)) return hash;
      throw e;
    }
  }

  /** Polls for a receipt of any attempt; replaces after `replaceAfterMs` (from `floorPrice` or the last attempt's price, whichever is higher). */
  private async waitWithReplacement(req: TxRequest, gasLimit: bigint, nonce: number, attempts: TxAttempt[], label: string, floorPrice = 0n): Promise<TxReceipt> {
    const start = Date.now();
    let lastBroadcast = start;
    let blockedByMax = false;
    for (;;) {
      const receipt = await this.findReceipt(attempts);
      if (receipt) return receipt;
      const now = Date.now();
      const last = attempts[attempts.length - 1] as TxAttempt;
      const lastPrice = last.gasPrice > floorPrice ? last.gasPrice : floorPrice;
      if (now - start >= this.timeoutMs) {
        throw new ChainError('TX_TIMEOUT', `${label}: no receipt after ${this.timeoutMs} ms (nonce ${nonce}, ${attempts.length} broadcasts)`, {
          retryable: true,
          details: {
            nonce,
            from: this.signer.address,
            gasPrice: lastPrice,
            maxGasPrice: this.options.maxGasPrice,
            attempts: attempts.length,
            lastHash: last.hash,
            hashes: attempts.map((a) => a.hash).join(','),
            replacementBlockedByMax: blockedByMax,
            label,
          },
        });
      }
      if (now - lastBroadcast >= this.replaceAfterMs && !blockedByMax) {
        const market = await this.options.gasPrice.getGasPrice().catch(() => 0n);
        const bumped = this.nextGasPrice(lastPrice);
        if (bumped === undefined) {
          blockedByMax = true;
        } else {
          const price = market > bumped && market <= this.options.maxGasPrice ? market : bumped;
          try {
            const hash = await this.serialised(() => this.broadcast(req, gasLimit, price, nonce, attempts.length));
            attempts.push({ hash, gasPrice: price });
          } catch (e) {
            // onBroadcast refused: this replacement was never sent; the earlier ones are still out there.
            // "nonce too low": an earlier attempt was mined; the next poll finds its receipt.
            if (!(e instanceof BroadcastHookError) && !(e instanceof RpcResponseError && NONCE_TOO_LOW.test(e.message))) {
              throw toChainError(e, { method: label, to: req.to });
            }
          }
          lastBroadcast = Date.now();
        }
      }
      await sleep(Math.min(this.pollMs, Math.max(1, this.timeoutMs - (Date.now() - start))));
    }
  }

  private async findReceipt(attempts: readonly TxAttempt[]): Promise<TxReceipt | undefined> {
    for (const a of [...attempts].reverse()) {
      const r = await this.rpc.request<RpcReceipt | null>('eth_getTransactionReceipt', [a.hash]);
      if (r) return parseReceipt(r);
    }
    return undefined;
  }

  private async minedRevert(req: TxRequest, receipt: TxReceipt, label: string): Promise<ChainError> {
    const ctx = { method: label, to: req.to, from: this.signer.address, blockNumber: receipt.blockNumber, txHash: receipt.transactionHash };
    try {
      const parent = '0x' + (receipt.blockNumber - 1n).toString(16);
      await this.rpc.request('eth_call', [this.callObject(req), parent]);
      // The call succeeds on the parent state: the failure came from state within the block (or out of gas).
      return revertedError(decodeRevertData('0x'), ctx);
    } catch (e) {
      const err = toChainError(e, ctx);
      return isChainError(err) ? err : revertedError(decodeRevertData('0x'), ctx, e);
    }
  }

  private callObject(req: TxRequest): Record<string, string> {
    return {
      from: this.signer.address,
      ...(req.to ? { to: req.to } : {}),
      data: req.data ?? '0x',
      ...(req.value ? { value: '0x' + req.value.toString(16) } : {}),
    };
  }
}

/** `onBroadcast` threw: the transaction was not sent. */
class BroadcastHookError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'BroadcastHookError';
  }
}

interface RpcTx {
  hash: string;
  blockNumber: string | null;
  gas: string;
  gasPrice?: string;
}

interface RpcReceipt {
  transactionHash: string;
  blockNumber: string;
  blockHash: string;
  status: string;
  gasUsed: string;
  effectiveGasPrice?: string;
  logs: RawLog[];
}

function parseReceipt(r: RpcReceipt): TxReceipt {
  return {
    transactionHash: r.transactionHash,
    blockNumber: BigInt(r.blockNumber),
    blockHash: r.blockHash,
    status: BigInt(r.status) === 1n ? 1 : 0,
    gasUsed: BigInt(r.gasUsed),
    effectiveGasPrice: BigInt(r.effectiveGasPrice ?? '0x0'),
    logs: r.logs,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
