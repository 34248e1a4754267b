import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Contracts whose ABI + bytecode go to `artifacts/`. */
export const CONTRACT_NAMES = [
  'BondingManager',
  'Controller',
  'LivepeerToken',
  'Minter',
  'RoundsManager',
  'ServiceRegistry',
  'TicketBroker',
] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export const SOLC_VERSION = '0.8.30';

/** Fixed compiler settings: changing any of them changes every artifact. */
export const SOLC_SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  metadata: { bytecodeHash: 'none', appendCBOR: false },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const;

export const CONTRACTS_ROOT = resolve(__dirname, '..');
export const SOLIDITY_DIR = join(CONTRACTS_ROOT, 'solidity');
export const ARTIFACTS_DIR = join(CONTRACTS_ROOT, 'artifacts');

export interface Artifact {
  contractName: ContractName;
  abi: unknown[];
  bytecode: string;
  deployedBytecodeSize: number;
}

export interface ArtifactManifest {
  solcVersion: string;
  settings: typeof SOLC_SETTINGS;
  /** sha256 over the sorted (file name, content) pairs and the settings; see {@link sourcesHash}. */
  sourcesHash: string;
  sizes: Record<string, number>;
}

/** Sorted solidity sources: file name → content. */
export function readSources(dir = SOLIDITY_DIR): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sol')).sort()) {
    out[file] = readFileSync(join(dir, file), 'utf8');
  }
  return out;
}

/** Content hash of the sources plus compiler version and settings. */
export function sourcesHash(sources: Record<string, string> = readSources()): string {
  const h = createHash('sha256');
  h.update(`solc ${SOLC_VERSION}\n${JSON.stringify(SOLC_SETTINGS)}\n`);
  for (const name of Object.keys(sources).sort()) {
    h.update(`${name}\n${sources[name]?.length ?? 0}\n${sources[name] ?? ''}\n`);
  }
  return `0x${h.digest('hex')}`;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>;
}

/** Compiles every source with solc-js; throws on any compiler error. */
export function compileAll(sources: Record<string, string> = readSources()): { artifacts: Artifact[]; manifest: ArtifactManifest } {
  const solc = require('solc') as { version(): string; compile(input: string): string };
  if (!solc.version().startsWith(SOLC_VERSION)) {
    throw new Error(`solc ${SOLC_VERSION} required, found ${solc.version()}`);
  }
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.keys(sources).sort().map((k) => [k, { content: sources[k] }])),
    settings: SOLC_SETTINGS,
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const artifacts: Artifact[] = [];
  const sizes: Record<string, number> = {};
  for (const name of CONTRACT_NAMES) {
    const compiled = output.contracts[`${name}.sol`]?.[name];
    if (!compiled) throw new Error(`missing compiler output for ${name}`);
    const size = compiled.evm.deployedBytecode.object.length / 2;
    if (size > 24576) throw new Error(`${name} is ${size} bytes, over the EIP-170 limit`);
    sizes[name] = size;
    artifacts.push({ contractName: name, abi: compiled.abi, bytecode: `0x${compiled.evm.bytecode.object}`, deployedBytecodeSize: size });
  }
  return { artifacts, manifest: { solcVersion: SOLC_VERSION, settings: SOLC_SETTINGS, sourcesHash: sourcesHash(sources), sizes } };
}

/** Compiles and writes `artifacts/<Name>.json` plus `artifacts/manifest.json`. */
export function writeArtifacts(dir = ARTIFACTS_DIR): ArtifactManifest {
  const { artifacts, manifest } = compileAll();
  mkdirSync(dir, { recursive: true });
  for (const a of artifacts) writeFileSync(join(dir, `${a.contractName}.json`), `${JSON.stringify(a, null, 2)}\n`);
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** CLI entry (`nx run contracts:compile`): compile and print the sizes. */
export function main(): void {
  const started = Date.now();
  const manifest = writeArtifacts();
  console.log(JSON.stringify({ ...manifest.sizes, sourcesHash: manifest.sourcesHash, ms: Date.now() - started }));
}
