// SemVer 2.0.0 ordering (https://semver.org/#spec-item-11), for OSV SEMVER ranges and
// npm ECOSYSTEM ranges. Only ordering is needed here, not npm's range syntax: OSV
// ranges are lists of introduced/fixed/last_affected events, never "^1.2".

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Dot-separated prerelease identifiers; empty for a release. Build metadata is dropped (it never orders). */
  prerelease: (number | string)[];
}

const SEMVER = /^[v=]?\s*(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** Parses "1.2.3", "v1.2.3-rc.1+build"; undefined for anything else (npm's registry only holds valid ones). */
export function parseSemver(text: string): SemVer | undefined {
  const match = SEMVER.exec(text.trim());
  if (!match) return undefined;
  const prerelease = match[4] ? match[4].split(".").map((id) => (/^(0|[1-9]\d*)$/.test(id) ? Number(id) : id)) : [];
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease };
}

/** Negative, zero or positive, like a sort comparator. */
export function compareSemver(a: SemVer, b: SemVer): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return Math.sign(core);
  // A release is newer than any of its prereleases: 1.0.0-rc.1 < 1.0.0.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return Math.sign(b.prerelease.length - a.prerelease.length);
  const length = Math.max(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < length; i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    // A longer set of identifiers is newer when all before are equal: alpha < alpha.1.
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    // Numeric identifiers are older than alphanumeric ones, and compare as numbers.
    if (typeof x === "number" && typeof y === "number") return Math.sign(x - y);
    if (typeof x === "number") return -1;
    if (typeof y === "number") return 1;
    return x < y ? -1 : 1; // ASCII order, as the spec says.
  }
  return 0;
}
