import { parseEther } from 'ethers';

/** Devnet parameter set (CONTRACTS.md §4.3). */
export interface DeployProfile {
  name: 'unit' | 'e2e';
  /** anvil block time in seconds; undefined = automine. */
  blockTime: number | undefined;
  roundLength: bigint;
  roundLockAmount: bigint;
  numActiveTranscoders: bigint;
  unbondingPeriod: bigint;
  unlockPeriod: bigint;
  ticketValidityPeriod: bigint;
  inflation: bigint;
  inflationChange: bigint;
  targetBondingRate: bigint;
  /** LPT minted to the deployer. */
  lptSupply: bigint;
}

const COMMON = {
  roundLockAmount: 100_000n,
  unbondingPeriod: 2n,
  unlockPeriod: 2n,
  ticketValidityPeriod: 2n,
  inflation: 220_500n,
  inflationChange: 500n,
  targetBondingRate: 500_000_000n,
  lptSupply: parseEther('10000000'),
} as const;

export const PROFILES = {
  unit: { name: 'unit', blockTime: undefined, roundLength: 10n, numActiveTranscoders: 3n, ...COMMON },
  e2e: { name: 'e2e', blockTime: 1, roundLength: 50n, numActiveTranscoders: 10n, ...COMMON },
} as const satisfies Record<string, DeployProfile>;

export type ProfileName = keyof typeof PROFILES;

export function isProfileName(v: string): v is ProfileName {
  return v === 'unit' || v === 'e2e';
}
