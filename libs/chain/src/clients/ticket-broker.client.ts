import { TICKET_BROKER_ABI } from '../abi/livepeer-abis';
import type { TxResult } from '../tx/tx-manager';
import { ContractClient, type ContractClientDeps } from './contract-client';

/** The on-chain Ticket tuple (CONTRACTS.md §2.7); auxData = creationRound ‖ creationRoundBlockHash. */
export interface Ticket {
  recipient: string;
  sender: string;
  faceValue: bigint;
  winProb: bigint;
  senderNonce: bigint;
  recipientRandHash: string;
  auxData: string;
}

export interface SenderInfo {
  sender: { deposit: bigint; withdrawRound: bigint };
  reserve: ReserveInfo;
}

export interface ReserveInfo {
  fundsRemaining: bigint;
  claimedInCurrentRound: bigint;
}

function ticketTuple(t: Ticket): unknown[] {
  return [t.recipient, t.sender, t.faceValue, t.winProb, t.senderNonce, t.recipientRandHash, t.auxData];
}

export class TicketBrokerClient extends ContractClient {
  constructor(address: string, deps: ContractClientDeps) {
    super('TicketBroker', address, TICKET_BROKER_ABI, deps);
  }

  // ---- reads ----
  async getSenderInfo(sender: string): Promise<SenderInfo> {
    const r = await this.read('getSenderInfo', [sender]);
    const s = r[0];
    const res = r[1];
    return {
      sender: { deposit: s[0], withdrawRound: s[1] },
      reserve: { fundsRemaining: res[0], claimedInCurrentRound: res[1] },
    };
  }
  async getReserveInfo(holder: string): Promise<ReserveInfo> {
    const r = (await this.read('getReserveInfo', [holder]))[0];
    return { fundsRemaining: r[0], claimedInCurrentRound: r[1] };
  }
  claimableReserve(holder: string, claimant: string): Promise<bigint> {
    return this.readOne('claimableReserve', [holder, claimant]);
  }
  claimedReserve(holder: string, claimant: string): Promise<bigint> {
    return this.readOne('claimedReserve', [holder, claimant]);
  }
  usedTickets(ticketHash: string): Promise<boolean> {
    return this.readOne('usedTickets', [ticketHash]);
  }
  getTicketHash(ticket: Ticket): Promise<string> {
    return this.readOne('getTicketHash', [ticketTuple(ticket)]);
  }
  isUnlockInProgress(sender: string): Promise<boolean> {
    return this.readOne('isUnlockInProgress', [sender]);
  }
  unlockPeriod(): Promise<bigint> {
    return this.readOne('unlockPeriod');
  }
  ticketValidityPeriod(): Promise<bigint> {
    return this.readOne('ticketValidityPeriod');
  }

  // ---- writes ----
  fundDeposit(amount: bigint): Promise<TxResult> {
    return this.write('fundDeposit', [], amount);
  }
  fundReserve(amount: bigint): Promise<TxResult> {
    return this.write('fundReserve', [], amount);
  }
  fundDepositAndReserve(deposit: bigint, reserve: bigint): Promise<TxResult> {
    return this.write('fundDepositAndReserve', [deposit, reserve], deposit + reserve);
  }
  fundDepositAndReserveFor(sender: string, deposit: bigint, reserve: bigint): Promise<TxResult> {
    return this.write('fundDepositAndReserveFor', [sender, deposit, reserve], deposit + reserve);
  }
  redeemWinningTicket(ticket: Ticket, sig: string, recipientRand: bigint): Promise<TxResult> {
    return this.write('redeemWinningTicket', [ticketTuple(ticket), sig, recipientRand]);
  }
  unlock(): Promise<TxResult> {
    return this.write('unlock');
  }
  cancelUnlock(): Promise<TxResult> {
    return this.write('cancelUnlock');
  }
  withdraw(): Promise<TxResult> {
    return this.write('withdraw');
  }
}
