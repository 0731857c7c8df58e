// PEP 440 ordering for PyPI ECOSYSTEM ranges: epochs, releases of any length (1.0 == 1.0.0),
// pre-releases (a/b/rc and their spellings), post- and dev-releases, local versions.
// Legacy versions that do not parse are compared by exact string only.

export interface Pep440 {
  epoch: number;
  /** Release segments with trailing zeros removed, so 1.0 and 1.0.0 are equal. */
  release: number[];
  pre?: { phase: 0 | 1 | 2; number: number }; // 0 = a, 1 = b, 2 = rc
  post?: number;
  dev?: number;
  local: (number | string)[];
}

// The canonical regex from PEP 440 appendix B (packaging.version.VERSION_PATTERN), anchored.
const PEP440 = new RegExp(
  "^\\s*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)" +
    "(?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?" +
    "(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?" +
    "(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?)" +
    "(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$",
  "i",
);

const PHASES: Record<string, 0 | 1 | 2> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

export function parsePep440(text: string): Pep440 | undefined {
  const g = PEP440.exec(text)?.groups;
  if (!g) return undefined;
  const release = g["release"]!.split(".").map(Number);
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  const version: Pep440 = {
    epoch: g["epoch"] ? Number(g["epoch"]) : 0,
    release,
    local: g["local"] ? g["local"].toLowerCase().split(/[-_.]/).map((s) => (/^\d+$/.test(s) ? Number(s) : s)) : [],
  };
  if (g["pre"]) version.pre = { phase: PHASES[g["pre_l"]!.toLowerCase()]!, number: Number(g["pre_n"] ?? 0) };
  if (g["post"]) version.post = Number(g["post_n1"] ?? g["post_n2"] ?? 0);
  if (g["dev"]) version.dev = Number(g["dev_n"] ?? 0);
  return version;
}

/** Negative, zero or positive, like a sort comparator (packaging.version's _cmpkey order). */
export function comparePep440(a: Pep440, b: Pep440): number {
  if (a.epoch !== b.epoch) return Math.sign(a.epoch - b.epoch);
  const length = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < length; i++) {
    const diff = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return (
    compareKeys(preKey(a), preKey(b)) ||
    compareKeys([a.post ?? -Infinity], [b.post ?? -Infinity]) ||
    compareKeys([a.dev ?? Infinity], [b.dev ?? Infinity]) ||
    compareLocal(a.local, b.local)
  );
}

/** 1.0.dev0 < 1.0a1 < 1.0rc1 < 1.0 < 1.0.post1: a dev-only release sorts before every pre-release. */
function preKey(v: Pep440): number[] {
  if (v.pre) return [v.pre.phase, v.pre.number];
  if (v.post === undefined && v.dev !== undefined) return [-Infinity];
  return [Infinity];
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -Infinity;
    const y = b[i] ?? -Infinity;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** No local < any local; numeric segments sort after alphanumeric ones; a longer local is newer. */
function compareLocal(a: (number | string)[], b: (number | string)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return Math.sign(x - y);
    if (typeof x === "number") return 1;
    if (typeof y === "number") return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}
