import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Contract, ContractFactory, type ContractRunner, type InterfaceAbi } from 'ethers';
import { ARTIFACTS_DIR, type Artifact, type ArtifactManifest, type ContractName } from './compile';

const cache = new Map<string, Artifact>();

/** The committed artifact (ABI + creation bytecode) of one contract. */
export function loadArtifact(name: ContractName): Artifact {
  let a = cache.get(name);
  if (!a) {
    a = JSON.parse(readFileSync(join(ARTIFACTS_DIR, `${name}.json`), 'utf8')) as Artifact;
    cache.set(name, a);
  }
  return a;
}

/** The committed `artifacts/manifest.json`. */
export function loadManifest(): ArtifactManifest {
  return JSON.parse(readFileSync(join(ARTIFACTS_DIR, 'manifest.json'), 'utf8')) as ArtifactManifest;
}

/** An ethers Contract for a deployed instance of one of our contracts. */
export function contractAt(name: ContractName, address: string, runner?: ContractRunner | null): Contract {
  return new Contract(address, loadArtifact(name).abi as InterfaceAbi, runner);
}

/** A ContractFactory for one of our contracts. */
export function contractFactory(name: ContractName, runner?: ContractRunner | null): ContractFactory {
  const a = loadArtifact(name);
  return new ContractFactory(a.abi as InterfaceAbi, a.bytecode, runner);
}
