import type { Capabilities } from '../gen/net/lp_rpc_pb';
import { LEGACY_BITSTRING, bitstringMissing, bitstringSubset, isLegacyOnly } from './capabilities';
import { satisfiesMinVersion } from './semver';

/** Text an O answers when the job's capabilities do not fit (§2.5 step 5). */
export const INCOMPATIBLE_CAPABILITIES = 'incompatible capabilities';

/** Which rule of §4.3 failed. */
export const IncompatibilityReason = {
  /** Rule 1: O version missing, unparsable or below J's minVersion. */
  VERSION: 'VERSION',
  /** Rule 2: O has mandatory capabilities the job lacks. */
  MANDATORIES: 'MANDATORIES',
  /** Rule 3: O constrains the capability but does not list the model. */
  MODEL_MISSING: 'MODEL_MISSING',
  /** Rule 3: the job requires a warm model and O's is cold. */
  MODEL_NOT_WARM: 'MODEL_NOT_WARM',
  /** Rule 3: O's runner version is below the job's runnerVersion. */
  RUNNER_VERSION: 'RUNNER_VERSION',
  /** Rule 4: the job needs capabilities O lacks (or more bitstring words than O has). */
  BITSTRING: 'BITSTRING',
  /** O sent no capabilities and the job needs more than the legacy set. */
  NO_CAPABILITIES: 'NO_CAPABILITIES',
} as const;
export type IncompatibilityReason = (typeof IncompatibilityReason)[keyof typeof IncompatibilityReason];

export type CompatibilityResult =
  | { compatible: true }
  | { compatible: false; reason: IncompatibilityReason; explanation: string; details: Record<string, string | number | boolean> };

function fail(
  reason: IncompatibilityReason,
  explanation: string,
  details: Record<string, string | number | boolean>,
): CompatibilityResult {
  return { compatible: false, reason, explanation, details };
}

/**
 * Checks a job's capabilities J against an orchestrator's O (PROTOCOL.md §4.3); all rules must hold.
 * A job without capabilities is the empty set (compatible with anything). An O that sent none is
 * accepted only for legacy-only jobs.
 */
export function checkCompatibility(job: Capabilities | undefined, orch: Capabilities | undefined): CompatibilityResult {
  if (job === undefined) return { compatible: true };
  if (orch === undefined) {
    if (isLegacyOnly(job.bitstring)) return { compatible: true };
    return fail('NO_CAPABILITIES', 'orchestrator sent no capabilities and the job needs more than the legacy set', {
      missing: bitstringMissing(job.bitstring, LEGACY_BITSTRING).join(','),
    });
  }

  // 1. version
  const minVersion = job.constraints?.minVersion ?? '';
  if (!satisfiesMinVersion(orch.version, minVersion)) {
    return fail('VERSION', `orchestrator version "${orch.version}" is below the minimum ${minVersion}`, {
      orchestratorVersion: orch.version,
      minVersion,
    });
  }

  // 2. O.mandatories ⊆ J.bitstring
  if (!bitstringSubset(orch.mandatories, job.bitstring)) {
    return fail('MANDATORIES', 'job lacks capabilities the orchestrator makes mandatory', {
      missing: bitstringMissing(orch.mandatories, job.bitstring).join(','),
      mandatoryWords: orch.mandatories.length,
      jobWords: job.bitstring.length,
    });
  }

  // 3. per-capability model constraints
  for (const [capKey, jobCons] of Object.entries(job.constraints?.PerCapability ?? {})) {
    const cap = Number(capKey);
    const orchCons = orch.constraints?.PerCapability[cap];
    if (orchCons === undefined) continue;
    for (const [model, want] of Object.entries(jobCons.models)) {
      const have = orchCons.models[model];
      if (have === undefined) {
        return fail('MODEL_MISSING', `orchestrator does not offer model ${model} for capability ${cap}`, { capability: cap, model });
      }
      if (want.warm && !have.warm) {
        return fail('MODEL_NOT_WARM', `model ${model} for capability ${cap} is not warm`, { capability: cap, model });
      }
      if (!satisfiesMinVersion(have.runnerVersion, want.runnerVersion)) {
        return fail('RUNNER_VERSION', `runner version "${have.runnerVersion}" of model ${model} is below ${want.runnerVersion}`, {
          capability: cap,
          model,
          runnerVersion: have.runnerVersion,
          minRunnerVersion: want.runnerVersion,
        });
      }
    }
  }

  // 4. J.bitstring ⊆ O.bitstring
  if (!bitstringSubset(job.bitstring, orch.bitstring)) {
    return fail('BITSTRING', 'orchestrator lacks capabilities the job needs', {
      missing: bitstringMissing(job.bitstring, orch.bitstring).join(','),
      jobWords: job.bitstring.length,
      orchestratorWords: orch.bitstring.length,
    });
  }
  return { compatible: true };
}
