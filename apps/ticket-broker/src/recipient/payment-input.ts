import type { IncomingPayment } from '@lpts/pm';
import { addressFromWire, bigIntFromWire, hash32FromWire, type Payment } from '@lpts/protocol';

/** net.Payment → pm's IncomingPayment, parsing fields the way Go does (§0: minimal BE ints, last-20/32 bytes). */
export function incomingPayment(p: Payment): IncomingPayment {
  const tp = p.ticketParams;
  return {
    sender: p.sender.length === 0 ? undefined : addressFromWire(p.sender),
    ticketParams:
      tp === undefined
        ? undefined
        : {
            recipient: addressFromWire(tp.recipient),
            faceValue: bigIntFromWire(tp.faceValue),
            winProb: bigIntFromWire(tp.winProb),
            recipientRandHash: hash32FromWire(tp.recipientRandHash),
            seed: tp.seed,
            expirationBlock: bigIntFromWire(tp.expirationBlock),
          },
    expirationParams:
      p.expirationParams === undefined
        ? undefined
        : {
            creationRound: p.expirationParams.creationRound,
            creationRoundBlockHash: hash32FromWire(p.expirationParams.creationRoundBlockHash),
          },
    expectedPrice:
      p.expectedPrice === undefined
        ? undefined
        : { pricePerUnit: p.expectedPrice.pricePerUnit, pixelsPerUnit: p.expectedPrice.pixelsPerUnit },
    ticketSenderParams: p.ticketSenderParams.map((t) => ({ senderNonce: t.senderNonce, sig: t.sig })),
  };
}
