import { redemptionQueueName, toChecksumAddress, toHex, type WinningTicketJson } from '@lpts/protocol';
import { bytesToBigInt } from '@lpts/protocol';
import type { WinningTicket } from '@lpts/pm';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** bullmq job name settlement consumes. */
export const REDEEM_JOB = 'redeem';

export function winningTicketJson(w: WinningTicket): WinningTicketJson {
  const t = w.ticket;
  return {
    ticketHash: toHex(w.ticketHash),
    recipient: toChecksumAddress(t.recipient),
    sender: toChecksumAddress(t.sender),
    faceValue: t.faceValue.toString(),
    winProb: t.winProb.toString(),
    senderNonce: String(t.senderNonce),
    recipientRandHash: toHex(t.recipientRandHash),
    creationRound: t.creationRound.toString(),
    creationRoundBlockHash: toHex(t.creationRoundBlockHash),
    paramsExpirationBlock: t.paramsExpirationBlock.toString(),
    sig: toHex(w.sig),
    recipientRand: bytesToBigInt(w.recipientRand).toString(),
  };
}

/**
 * The durable hand-off of winning tickets to settlement: bullmq queue redemptionQueueName(prefix),
 * job `redeem`, job id = ticket hash (a second add of the same ticket is a no-op), kept after
 * completion (bounded) so a replayed winner is never redeemed twice from here.
 */
export class WinnerQueue {
  readonly queue: Queue;

  constructor(connection: Redis, natsPrefix: string) {
    this.queue = new Queue(redemptionQueueName(natsPrefix), { connection });
  }

  get name(): string {
    return this.queue.name;
  }

  /** Resolves once every winner is stored in Redis (AOF decides how durable that is). */
  async add(winners: readonly WinningTicket[]): Promise<void> {
    await Promise.all(
      winners.map((w) => {
        const data = winningTicketJson(w);
        return this.queue.add(REDEEM_JOB, data, {
          jobId: data.ticketHash,
          attempts: 1000,
          backoff: { type: 'exponential', delay: 15_000 },
          removeOnComplete: { age: 30 * 24 * 3600, count: 100_000 },
          removeOnFail: false,
        });
      }),
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
