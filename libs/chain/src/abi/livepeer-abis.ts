/**
 * Human-readable ABI fragments for every function and event the node uses (CONTRACTS.md §2).
 * Written from the signatures in CONTRACTS.md; `abi.spec.ts` checks every selector and topic
 * against the recorded values, and parameter `indexed` flags against §2's event shapes.
 */

const MANAGER_COMMON = [
  'function controller() view returns (address)',
  'event ParameterUpdate(string param)',
  'event SetController(address controller)',
] as const;

export const CONTROLLER_ABI = [
  'function getContract(bytes32 id) view returns (address)',
  'function getContractInfo(bytes32 id) view returns (address contractAddress, bytes20 gitCommitHash)',
  'function owner() view returns (address)',
  'function paused() view returns (bool)',
  'event SetContractInfo(bytes32 id, address contractAddress, bytes20 gitCommitHash)',
  'event Pause()',
  'event Unpause()',
] as const;

export const LIVEPEER_TOKEN_ABI = [
  'function balanceOf(address owner) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function totalSupply() view returns (uint256)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function transfer(address to, uint256 amount) returns (bool)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
  'event Approval(address indexed owner, address indexed spender, uint256 value)',
] as const;

export const MINTER_ABI = [
  ...MANAGER_COMMON,
  'function inflation() view returns (uint256)',
  'function inflationChange() view returns (uint256)',
  'function targetBondingRate() view returns (uint256)',
  'function currentMintableTokens() view returns (uint256)',
  'function currentMintedTokens() view returns (uint256)',
  'function getGlobalTotalSupply() view returns (uint256)',
  'event SetCurrentRewardTokens(uint256 currentMintableTokens, uint256 currentInflation)',
] as const;

export const ROUNDS_MANAGER_ABI = [
  ...MANAGER_COMMON,
  'function initializeRound()',
  'function currentRound() view returns (uint256)',
  'function currentRoundInitialized() view returns (bool)',
  'function currentRoundLocked() view returns (bool)',
  'function currentRoundStartBlock() view returns (uint256)',
  'function lastInitializedRound() view returns (uint256)',
  'function blockHashForRound(uint256 round) view returns (bytes32)',
  'function roundLength() view returns (uint256)',
  'function roundLockAmount() view returns (uint256)',
  'function blockNum() view returns (uint256)',
  'event NewRound(uint256 indexed round, bytes32 blockHash)',
] as const;

export const BONDING_MANAGER_ABI = [
  ...MANAGER_COMMON,
  'function bondWithHint(uint256 amount, address to, address oldDelegateNewPosPrev, address oldDelegateNewPosNext, address currDelegateNewPosPrev, address currDelegateNewPosNext)',
  'function unbondWithHint(uint256 amount, address newPosPrev, address newPosNext)',
  'function rebondWithHint(uint256 unbondingLockId, address newPosPrev, address newPosNext)',
  'function rebondFromUnbondedWithHint(address to, uint256 unbondingLockId, address newPosPrev, address newPosNext)',
  'function withdrawStake(uint256 unbondingLockId)',
  'function withdrawFees(address recipient, uint256 amount)',
  'function claimEarnings(uint256 endRound)',
  'function transcoder(uint256 rewardCut, uint256 feeShare)',
  'function rewardWithHint(address newPosPrev, address newPosNext)',
  'function getTranscoder(address transcoder) view returns (uint256 lastRewardRound, uint256 rewardCut, uint256 feeShare, uint256 lastActiveStakeUpdateRound, uint256 activationRound, uint256 deactivationRound, uint256 activeCumulativeRewards, uint256 cumulativeRewards, uint256 cumulativeFees, uint256 lastFeeRound)',
  'function getDelegator(address delegator) view returns (uint256 bondedAmount, uint256 fees, address delegateAddress, uint256 delegatedAmount, uint256 startRound, uint256 lastClaimRound, uint256 nextUnbondingLockId)',
  'function getDelegatorUnbondingLock(address delegator, uint256 unbondingLockId) view returns (uint256 amount, uint256 withdrawRound)',
  'function getTranscoderEarningsPoolForRound(address transcoder, uint256 round) view returns (uint256 totalStake, uint256 transcoderRewardCut, uint256 transcoderFeeShare, uint256 cumulativeRewardFactor, uint256 cumulativeFeeFactor)',
  'function getTranscoderPoolSize() view returns (uint256)',
  'function getTranscoderPoolMaxSize() view returns (uint256)',
  'function getFirstTranscoderInPool() view returns (address)',
  'function getNextTranscoderInPool(address transcoder) view returns (address)',
  'function isActiveTranscoder(address transcoder) view returns (bool)',
  'function transcoderStatus(address transcoder) view returns (uint8)',
  'function delegatorStatus(address delegator) view returns (uint8)',
  'function transcoderTotalStake(address transcoder) view returns (uint256)',
  'function getTotalBonded() view returns (uint256)',
  'function pendingStake(address delegator, uint256 endRound) view returns (uint256)',
  'function pendingFees(address delegator, uint256 endRound) view returns (uint256)',
  'function unbondingPeriod() view returns (uint64)',
  'event TranscoderUpdate(address indexed transcoder, uint256 rewardCut, uint256 feeShare)',
  'event TranscoderActivated(address indexed transcoder, uint256 activationRound)',
  'event TranscoderDeactivated(address indexed transcoder, uint256 deactivationRound)',
  'event Reward(address indexed transcoder, uint256 amount)',
  'event Bond(address indexed newDelegate, address indexed oldDelegate, address indexed delegator, uint256 additionalAmount, uint256 bondedAmount)',
  'event Unbond(address indexed delegate, address indexed delegator, uint256 unbondingLockId, uint256 amount, uint256 withdrawRound)',
  'event Rebond(address indexed delegate, address indexed delegator, uint256 unbondingLockId, uint256 amount)',
  'event WithdrawStake(address indexed delegator, uint256 unbondingLockId, uint256 amount, uint256 withdrawRound)',
  'event WithdrawFees(address indexed delegator, address recipient, uint256 amount)',
  'event EarningsClaimed(address indexed delegate, address indexed delegator, uint256 rewards, uint256 fees, uint256 startRound, uint256 endRound)',
] as const;

/** The Ticket tuple, field order significant (CONTRACTS.md §2.7). */
export const TICKET_TUPLE =
  'tuple(address recipient, address sender, uint256 faceValue, uint256 winProb, uint256 senderNonce, bytes32 recipientRandHash, bytes auxData)';

export const TICKET_BROKER_ABI = [
  ...MANAGER_COMMON,
  'function fundDeposit() payable',
  'function fundReserve() payable',
  'function fundDepositAndReserve(uint256 depositAmount, uint256 reserveAmount) payable',
  'function fundDepositAndReserveFor(address addr, uint256 depositAmount, uint256 reserveAmount) payable',
  `function redeemWinningTicket(${TICKET_TUPLE} ticket, bytes sig, uint256 recipientRand)`,
  'function unlock()',
  'function cancelUnlock()',
  'function withdraw()',
  'function getSenderInfo(address sender) view returns (tuple(uint256 deposit, uint256 withdrawRound) sender, tuple(uint256 fundsRemaining, uint256 claimedInCurrentRound) reserve)',
  'function getReserveInfo(address reserveHolder) view returns (tuple(uint256 fundsRemaining, uint256 claimedInCurrentRound) info)',
  'function claimableReserve(address reserveHolder, address claimant) view returns (uint256)',
  'function claimedReserve(address reserveHolder, address claimant) view returns (uint256)',
  'function usedTickets(bytes32 ticketHash) view returns (bool)',
  `function getTicketHash(${TICKET_TUPLE} ticket) view returns (bytes32)`,
  'function isUnlockInProgress(address sender) view returns (bool)',
  'function unlockPeriod() view returns (uint256)',
  'function ticketValidityPeriod() view returns (uint256)',
  'event DepositFunded(address indexed sender, uint256 amount)',
  'event ReserveFunded(address indexed reserveHolder, uint256 amount)',
  'event ReserveClaimed(address indexed reserveHolder, address claimant, uint256 amount)',
  'event WinningTicketRedeemed(address indexed sender, address indexed recipient, uint256 faceValue, uint256 winProb, uint256 senderNonce, uint256 recipientRand, bytes auxData)',
  'event WinningTicketTransfer(address indexed sender, address indexed recipient, uint256 amount)',
  'event Unlock(address indexed sender, uint256 startRound, uint256 endRound)',
  'event UnlockCancelled(address indexed sender)',
  'event Withdrawal(address indexed sender, uint256 deposit, uint256 reserve)',
] as const;

export const SERVICE_REGISTRY_ABI = [
  ...MANAGER_COMMON,
  'function setServiceURI(string serviceURI)',
  'function getServiceURI(address addr) view returns (string)',
  'event ServiceURIUpdate(address indexed addr, string serviceURI)',
] as const;

/** Every ABI by contract name (the Controller registry names of CONTRACTS.md §1.1). */
export const LIVEPEER_ABIS = {
  Controller: CONTROLLER_ABI,
  LivepeerToken: LIVEPEER_TOKEN_ABI,
  Minter: MINTER_ABI,
  RoundsManager: ROUNDS_MANAGER_ABI,
  BondingManager: BONDING_MANAGER_ABI,
  TicketBroker: TICKET_BROKER_ABI,
  ServiceRegistry: SERVICE_REGISTRY_ABI,
} as const;

export type LivepeerContractName = keyof typeof LIVEPEER_ABIS;
