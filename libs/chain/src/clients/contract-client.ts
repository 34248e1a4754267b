import { type InterfaceAbi, Interface, type Result } from 'ethers';
import { ChainError } from '../errors/chain-error';
import { toChainError } from '../rpc/revert';
import type { RpcCall, RpcClient } from '../rpc/rpc-client';
import type { TxResult, TxSender } from '../tx/tx-manager';

export interface ContractClientDeps {
  rpc: RpcClient;
  /** Needed only for state-changing calls. */
  tx?: TxSender;
  /** Block tag for reads. Default 'latest'. */
  blockTag?: string;
}

/**
 * Base of the typed contract clients: reads are eth_call (reverts → ChainError REVERTED with the
 * reason), writes go through the TxSender, and `encodeRead`/`decodeRead` let batch readers
 * put many reads in one JSON-RPC batch.
 */
export abstract class ContractClient {
  readonly iface: Interface;

  protected constructor(
    readonly name: string,
    readonly address: string,
    abi: InterfaceAbi,
    protected readonly deps: ContractClientDeps,
  ) {
    this.iface = new Interface(abi);
  }

  /** The eth_call request for `fn(args)`, for batching. */
  encodeRead(fn: string, args: readonly unknown[] = []): RpcCall {
    return {
      method: 'eth_call',
      params: [{ to: this.address, data: this.iface.encodeFunctionData(fn, args) }, this.deps.blockTag ?? 'latest'],
    };
  }

  /** Decodes the hex an eth_call for `fn` returned. */
  decodeRead(fn: string, data: unknown): Result {
    if (typeof data !== 'string' || data === '0x') {
      throw new ChainError('RPC_ERROR', `${this.name}.${fn}: empty answer (is ${this.address} a ${this.name}?)`, {
        details: { to: this.address, method: `${this.name}.${fn}` },
      });
    }
    return this.iface.decodeFunctionResult(fn, data);
  }

  protected async read(fn: string, args: readonly unknown[] = []): Promise<Result> {
    const call = this.encodeRead(fn, args);
    let data: unknown;
    try {
      data = await this.deps.rpc.request(call.method, call.params);
    } catch (e) {
      throw toChainError(e, { method: `${this.name}.${fn}`, to: this.address });
    }
    return this.decodeRead(fn, data);
  }

  protected async readOne<T>(fn: string, args: readonly unknown[] = []): Promise<T> {
    return (await this.read(fn, args))[0] as T;
  }

  protected write(fn: string, args: readonly unknown[] = [], value?: bigint): Promise<TxResult> {
    const tx = this.deps.tx;
    if (!tx) throw new Error(`${this.name}.${fn}: this client has no TxSender (read-only)`);
    return tx.send({
      to: this.address,
      data: this.iface.encodeFunctionData(fn, args),
      ...(value === undefined ? {} : { value }),
      label: `${this.name}.${fn}`,
    });
  }
}
