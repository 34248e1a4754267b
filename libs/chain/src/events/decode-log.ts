import { getAddress, Interface, type LogDescription } from 'ethers';
import { BONDING_MANAGER_ABI, ROUNDS_MANAGER_ABI, SERVICE_REGISTRY_ABI, TICKET_BROKER_ABI } from '../abi/livepeer-abis';
import type { RawLog } from '../tx/tx-manager';

/** The events the node's block watcher follows (★ in CONTRACTS.md §2), plus a few it logs. */
export type ChainEvent =
  | { name: 'NewRound'; contract: 'RoundsManager'; round: bigint; blockHash: string }
  | { name: 'TranscoderActivated'; contract: 'BondingManager'; transcoder: string; activationRound: bigint }
  | { name: 'TranscoderDeactivated'; contract: 'BondingManager'; transcoder: string; deactivationRound: bigint }
  | { name: 'TranscoderUpdate'; contract: 'BondingManager'; transcoder: string; rewardCut: bigint; feeShare: bigint }
  | { name: 'Reward'; contract: 'BondingManager'; transcoder: string; amount: bigint }
  | { name: 'Bond'; contract: 'BondingManager'; newDelegate: string; oldDelegate: string; delegator: string; additionalAmount: bigint; bondedAmount: bigint }
  | { name: 'Unbond'; contract: 'BondingManager'; delegate: string; delegator: string; unbondingLockId: bigint; amount: bigint; withdrawRound: bigint }
  | { name: 'Rebond'; contract: 'BondingManager'; delegate: string; delegator: string; unbondingLockId: bigint; amount: bigint }
  | { name: 'WithdrawStake'; contract: 'BondingManager'; delegator: string; unbondingLockId: bigint; amount: bigint; withdrawRound: bigint }
  | { name: 'DepositFunded'; contract: 'TicketBroker'; sender: string; amount: bigint }
  | { name: 'ReserveFunded'; contract: 'TicketBroker'; reserveHolder: string; amount: bigint }
  | { name: 'ReserveClaimed'; contract: 'TicketBroker'; reserveHolder: string; claimant: string; amount: bigint }
  | { name: 'WinningTicketTransfer'; contract: 'TicketBroker'; sender: string; recipient: string; amount: bigint }
  | {
      name: 'WinningTicketRedeemed';
      contract: 'TicketBroker';
      sender: string;
      recipient: string;
      faceValue: bigint;
      winProb: bigint;
      senderNonce: bigint;
      recipientRand: bigint;
      auxData: string;
    }
  | { name: 'Unlock'; contract: 'TicketBroker'; sender: string; startRound: bigint; endRound: bigint }
  | { name: 'UnlockCancelled'; contract: 'TicketBroker'; sender: string }
  | { name: 'Withdrawal'; contract: 'TicketBroker'; sender: string; deposit: bigint; reserve: bigint }
  | { name: 'ServiceURIUpdate'; contract: 'ServiceRegistry'; addr: string; serviceURI: string };

export type ChainEventName = ChainEvent['name'];
type EventContract = ChainEvent['contract'];

/** A decoded event with where it came from. */
export type DecodedLog = ChainEvent & { address: string; blockNumber?: bigint; transactionHash?: string; logIndex?: number };

const SOURCES: Record<EventContract, Interface> = {
  RoundsManager: new Interface(ROUNDS_MANAGER_ABI),
  BondingManager: new Interface(BONDING_MANAGER_ABI),
  TicketBroker: new Interface(TICKET_BROKER_ABI),
  ServiceRegistry: new Interface(SERVICE_REGISTRY_ABI),
};

const WATCHED: Record<EventContract, readonly ChainEventName[]> = {
  RoundsManager: ['NewRound'],
  BondingManager: ['TranscoderActivated', 'TranscoderDeactivated', 'TranscoderUpdate', 'Reward', 'Bond', 'Unbond', 'Rebond', 'WithdrawStake'],
  TicketBroker: ['DepositFunded', 'ReserveFunded', 'ReserveClaimed', 'WinningTicketTransfer', 'WinningTicketRedeemed', 'Unlock', 'UnlockCancelled', 'Withdrawal'],
  ServiceRegistry: ['ServiceURIUpdate'],
};

/** topic0 → (contract, name) for every decodable event. */
const BY_TOPIC = new Map<string, { contract: EventContract; name: ChainEventName }>();
for (const [contract, names] of Object.entries(WATCHED) as [EventContract, readonly ChainEventName[]][]) {
  for (const name of names) {
    const ev = SOURCES[contract].getEvent(name);
    if (ev) BY_TOPIC.set(ev.topicHash, { contract, name });
  }
}

/** topic0 of every decodable event, by name (for eth_getLogs filters). */
export const CHAIN_EVENT_TOPICS: Readonly<Record<ChainEventName, string>> = Object.freeze(
  Object.fromEntries([...BY_TOPIC].map(([topic, { name }]) => [name, topic])) as Record<ChainEventName, string>,
);

/** Which address emits each contract's events; set to reject look-alike logs from other contracts. */
export type EventSources = Partial<Record<EventContract, string | readonly string[]>>;

/**
 * Maps a raw log to a typed event. Returns undefined for a topic it does not know, or (when
 * `sources` names the contract) for a log emitted by another address. Throws if a known topic
 * carries data that does not decode (wrong `indexed` layout).
 */
export function decodeLog(log: RawLog, sources?: EventSources): DecodedLog | undefined {
  const topic0 = log.topics[0]?.toLowerCase();
  if (!topic0) return undefined;
  const hit = BY_TOPIC.get(topic0);
  if (!hit) return undefined;
  const allowed = sources?.[hit.contract];
  if (allowed !== undefined) {
    const list = (typeof allowed === 'string' ? [allowed] : allowed).map((a) => a.toLowerCase());
    if (!list.includes(log.address.toLowerCase())) return undefined;
  }
  const desc = SOURCES[hit.contract].parseLog({ topics: log.topics, data: log.data });
  if (!desc) return undefined;
  return {
    ...fields(desc),
    name: hit.name,
    contract: hit.contract,
    address: getAddress(log.address),
    ...(log.blockNumber ? { blockNumber: BigInt(log.blockNumber) } : {}),
    ...(log.transactionHash ? { transactionHash: log.transactionHash } : {}),
    ...(log.logIndex ? { logIndex: Number(BigInt(log.logIndex)) } : {}),
  } as DecodedLog;
}

function fields(desc: LogDescription): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  desc.fragment.inputs.forEach((input, i) => {
    out[input.name] = desc.args[i];
  });
  return out;
}
