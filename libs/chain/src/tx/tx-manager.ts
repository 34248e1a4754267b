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

  /** Estimates, prices, signs, sends and waits for the receipt (replacing while it waits). */
  async send(req: TxRequest): Promise<TxResult> {
    const label = req.label ?? 'transaction';
    const gasLimit = req.gasLimit ?? (await this.estimate(req));
    const gasPrice = await this.options.gasPrice.getGasPrice();
    if (gasPrice > this.options.maxGasPrice) {
      throw new ChainError('GAS_PRICE_ABOVE_MAX', `${label}: gas price ${gasPrice} above max ${this.options.maxGasPrice}`, {
        retryable: true,
        details: { gasPrice, maxGasPrice: this.options.maxGasPrice, label },
      });
    }
    const { nonce, hash } = await this.serialised(() => this.broadcastNew(req, gasLimit, gasPrice, label));
    const attempts: TxAttempt[] = [{ hash, gasPrice }];
    const receipt = await this.waitWithReplacement(req, gasLimit, nonce, attempts, label);
    if (receipt.status !== 1) throw await this.minedRevert(req, receipt, label);
    return { hash: receipt.transactionHash, nonce, gasLimit, receipt, attempts };
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
        const hash = await this.broadcast(req, gasLimit, gasPrice, nonce);
        this.localNext = { nonce: nonce + 1, at: Date.now() };
        return { nonce, hash };
      } catch (e) {
        lastErr = e;
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

  private async broadcast(req: TxRequest, gasLimit: bigint, gasPrice: bigint, nonce: number): Promise<string> {
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
    try {
      const sent = await this.rpc.request<string>('eth_sendRawTransaction', [raw]);
      return typeof sent === 'string' ? sent : hash;
    } catch (e) {
      if (e instanceof RpcResponseError && ALREADY_KNOWN.test(e.message)) return hash;
      throw e;
    }
  }

  private async waitWithReplacement(req: TxRequest, gasLimit: bigint, nonce: number, attempts: TxAttempt[], label: string): Promise<TxReceipt> {
    const start = Date.now();
    let lastBroadcast = start;
    let blockedByMax = false;
    for (;;) {
      const receipt = await this.findReceipt(attempts);
      if (receipt) return receipt;
      const now = Date.now();
      const last = attempts[attempts.length - 1] as TxAttempt;
      if (now - start >= this.timeoutMs) {
        throw new ChainError('TX_TIMEOUT', `${label}: no receipt after ${this.timeoutMs} ms (nonce ${nonce}, ${attempts.length} broadcasts)`, {
          retryable: true,
          details: {
            nonce,
            from: this.signer.address,
            gasPrice: last.gasPrice,
            maxGasPrice: this.options.maxGasPrice,
            attempts: attempts.length,
            lastHash: last.hash,
            replacementBlockedByMax: blockedByMax,
            label,
          },
        });
      }
      if (now - lastBroadcast >= this.replaceAfterMs && !blockedByMax) {
        const market = await this.options.gasPrice.getGasPrice().catch(() => 0n);
        const bumped = this.nextGasPrice(last.gasPrice);
        if (bumped === undefined) {
          blockedByMax = true;
        } else {
          const price = market > bumped && market <= this.options.maxGasPrice ? market : bumped;
          try {
            const hash = await this.serialised(() => this.broadcast(req, gasLimit, price, nonce));
            attempts.push({ hash, gasPrice: price });
          } catch (e) {
            // "nonce too low": an earlier attempt was mined; the next poll finds its receipt.
            if (!(e instanceof RpcResponseError && NONCE_TOO_LOW.test(e.message))) throw toChainError(e, { method: label, to: req.to });
          }
          lastBroadcast = Date.now();
        }
      }
      await sleep(Math.min(this.pollMs, Math.max(1, this.timeoutMs - (Date.now() - start))));
    }
  }

  private async findReceipt(attempts: TxAttempt[]): Promise<TxReceipt | undefined> {
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
