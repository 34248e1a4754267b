/**
 * The lenient semver Go's gateways use for `minVersion`/`runnerVersion` (Masterminds-style):
 * optional `v`, one to three numeric parts (missing ones are 0), optional `-prerelease` and
 * `+build`. Pre-release and build suffixes are ignored when comparing (PROTOCOL.md §4.3 rule 1).
 */
export interface SemVer {
  major: bigint;
  minor: bigint;
  patch: bigint;
}

const SEMVER = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function parseSemVer(text: string): SemVer | undefined {
  const m = SEMVER.exec(text.trim());
  if (!m) return undefined;
  return { major: BigInt(m[1] as string), minor: BigInt(m[2] ?? '0'), patch: BigInt(m[3] ?? '0') };
}

export function compareSemVer(a: SemVer, b: SemVer): -1 | 0 | 1 {
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  return 0;
}

/**
 * Rule 1 of §4.3: an empty minimum always passes; an unparsable minimum passes; the actual version
 * must be non-empty, not `undefined`, parsable and ≥ the minimum (suffixes stripped on both sides).
 */
export function satisfiesMinVersion(actual: string | undefined, minimum: string | undefined): boolean {
  if (minimum === undefined || minimum === '') return true;
  const min = parseSemVer(minimum);
  if (min === undefined) return true;
  if (actual === undefined || actual === '' || actual === 'undefined') return false;
  const ver = parseSemVer(actual);
  if (ver === undefined) return false;
  return compareSemVer(ver, min) >= 0;
}
