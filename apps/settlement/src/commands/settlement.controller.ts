import type { TxResult } from '@lpts/chain';
import { SettlementCommands, type ReplyOf, type RequestOf } from '@lpts/protocol';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { getAddress } from 'ethers';
import { SETTLEMENT_CORE, SettlementCore } from '../service/settlement.core';

type TxReply = ReplyOf<typeof SettlementCommands.fund>;

/** Settlement's NATS commands: chain state from the watcher's cache, writes through the one tx manager. */
@Controller()
export class SettlementController {
  constructor(@Inject(SETTLEMENT_CORE) private readonly core: SettlementCore) {}

  @MessagePattern(SettlementCommands.state.pattern)
  async state(@Payload() _req: RequestOf<typeof SettlementCommands.state>): Promise<ReplyOf<typeof SettlementCommands.state>> {
    const w = this.core.watcher;
    return w.chainStateJson(w.latest ?? (await w.refresh()));
  }

  @MessagePattern(SettlementCommands.sender.pattern)
  async sender(@Payload() req: RequestOf<typeof SettlementCommands.sender>): Promise<ReplyOf<typeof SettlementCommands.sender>> {
    const w = this.core.watcher;
    const cached = w.senderView(req.sender);
    return w.senderStateJson(cached ?? (await w.readSender(req.sender)));
  }

  @MessagePattern(SettlementCommands.fund.pattern)
  fund(@Payload() req: RequestOf<typeof SettlementCommands.fund>): Promise<TxReply> {
    return this.write('fund', () => this.core.chain.clients.ticketBroker.fundDepositAndReserve(BigInt(req.deposit), BigInt(req.reserve)));
  }

  @MessagePattern(SettlementCommands.unlock.pattern)
  unlock(@Payload() _req: RequestOf<typeof SettlementCommands.unlock>): Promise<TxReply> {
    return this.write('unlock', () => this.core.chain.clients.ticketBroker.unlock());
  }

  @MessagePattern(SettlementCommands.cancelUnlock.pattern)
  cancelUnlock(@Payload() _req: RequestOf<typeof SettlementCommands.cancelUnlock>): Promise<TxReply> {
    return this.write('cancelUnlock', () => this.core.chain.clients.ticketBroker.cancelUnlock());
  }

  @MessagePattern(SettlementCommands.withdraw.pattern)
  withdraw(@Payload() _req: RequestOf<typeof SettlementCommands.withdraw>): Promise<TxReply> {
    return this.write('withdraw', () => this.core.chain.clients.ticketBroker.withdraw());
  }

  @MessagePattern(SettlementCommands.bond.pattern)
  bond(@Payload() req: RequestOf<typeof SettlementCommands.bond>): Promise<TxReply> {
    const { livepeerToken, bondingManager } = this.core.chain.clients;
    const amount = BigInt(req.amount);
    const to = getAddress(req.to ?? this.core.chain.address);
    return this.write('bond', async () => {
      const allowance = await livepeerToken.allowance(this.core.chain.address, bondingManager.address);
      if (allowance < amount) {
        const a = await livepeerToken.approve(bondingManager.address, amount);
        this.core.metrics.tx('approve', a.receipt, true);
      }
      return bondingManager.bondWithHint(amount, to);
    });
  }

  @MessagePattern(SettlementCommands.setTranscoder.pattern)
  setTranscoder(@Payload() req: RequestOf<typeof SettlementCommands.setTranscoder>): Promise<TxReply> {
    return this.write('transcoder', () => this.core.chain.clients.bondingManager.transcoder(BigInt(req.rewardCut), BigInt(req.feeShare)));
  }

  @MessagePattern(SettlementCommands.setServiceUri.pattern)
  setServiceUri(@Payload() req: RequestOf<typeof SettlementCommands.setServiceUri>): Promise<TxReply> {
    return this.write('setServiceURI', () => this.core.chain.clients.serviceRegistry.setServiceURI(req.uri));
  }

  @MessagePattern(SettlementCommands.reward.pattern)
  async reward(@Payload() _req: RequestOf<typeof SettlementCommands.reward>): Promise<TxReply> {
    const round = await this.core.chain.clients.roundsManager.currentRound();
    const res = await this.core.rounds.reward(round);
    return txReply(res);
  }

  @MessagePattern(SettlementCommands.initializeRound.pattern)
  initializeRound(@Payload() _req: RequestOf<typeof SettlementCommands.initializeRound>): Promise<TxReply> {
    return this.write('initializeRound', async () => {
      const res = await this.core.chain.clients.roundsManager.initializeRound();
      this.core.metrics.roundsInitialized.inc();
      return res;
    });
  }

  @MessagePattern(SettlementCommands.redemptions.pattern)
  async redemptions(@Payload() req: RequestOf<typeof SettlementCommands.redemptions>): Promise<ReplyOf<typeof SettlementCommands.redemptions>> {
    const rows = await this.core.ledger.list({ state: req.state, limit: req.limit ?? 100 });
    return {
      tickets: rows.map((r) => ({ ticketHash: r.ticketHash, state: r.state, faceValue: r.faceValue, reason: r.reason, txHash: r.txHash, updatedAt: r.updatedAt })),
    };
  }

  private async write(kind: string, fn: () => Promise<TxResult>): Promise<TxReply> {
    try {
      const res = await fn();
      this.core.metrics.tx(kind, res.receipt, true);
      void this.core.watcher.refresh().catch(() => undefined);
      return txReply(res);
    } catch (e) {
      this.core.metrics.tx(kind, undefined, false);
      throw e;
    }
  }
}

function txReply(res: TxResult): TxReply {
  return { txHash: res.hash, blockNumber: res.receipt.blockNumber.toString() };
}
