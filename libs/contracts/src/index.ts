export { CONTRACT_NAMES, SOLC_VERSION, SOLC_SETTINGS, ARTIFACTS_DIR, SOLIDITY_DIR, CONTRACTS_ROOT, compileAll, writeArtifacts, readSources, sourcesHash } from './compile';
export type { Artifact, ArtifactManifest, ContractName } from './compile';
export { loadArtifact, loadManifest, contractAt, contractFactory } from './artifacts';
export { PROFILES, isProfileName } from './profiles';
export type { DeployProfile, ProfileName } from './profiles';
export {
  REGISTERED_NAMES,
  deployDevnet,
  localProvider,
  readAddressBook,
  writeAddressBook,
  mineTo,
  initializeNextRound,
  fundActors,
  registerOrchestrator,
  callReward,
  fundDepositAndReserve,
} from './deployer';
export type { AddressBook, Devnet, DevnetContracts, DeployOptions, OrchestratorRegistration, RegisteredName } from './deployer';
export { startDevchain, parseDevchainArgs } from './devchain';
export type { Devchain, DevchainOptions } from './devchain';
