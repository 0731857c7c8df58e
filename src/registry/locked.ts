// Fetch the archive of a package version pinned by a lockfile and verify it against the
// lockfile's own digest (or, when the lockfile records none, the registry's).
import { IngestError } from "../core/errors.js";
import { normalizePypiName } from "../deps/lockfiles/common.js";
import type { ExpectedDigest, ResolvedPackage } from "../deps/types.js";
import { registryFor } from "./config.js";
import { fetchArchive, fetchMetadata, RegistryStatusError, type Digest, type RegistryOptions } from "./http.js";
import { trimSlashes } from "../core/trim.js";

export interface LockedArchive {
  fileName: string;
  data: Buffer;
  /** The digest the bytes were verified against (also the cache key). */
  digest: Digest;
  /** lockfile: verified against the lockfile's digest; registry: the lockfile had none. */
  verifiedAgainst: "lockfile" | "registry";
  url: string;
}

const STRENGTH: Record<Digest["algorithm"], number> = { sha512: 5, sha384: 4, sha256: 3, sha1: 2, md5: 1 };

export function strongest(digests: ExpectedDigest[]): Digest | undefined {
  return [...digests].sort((a, b) => STRENGTH[b.algorithm] - STRENGTH[a.algorithm])[0];
}

interface NpmDist {
  tarball?: string;
  integrity?: string;
  shasum?: string;
}

const PUBLIC_NPM = /^https?:\/\/registry\.(npmjs\.org|yarnpkg\.com)\//;

export async function fetchLockedNpm(pkg: ResolvedPackage, options: RegistryOptions): Promise<LockedArchive> {
  if (!pkg.version) throw new IngestError("no version to fetch");
  const registry = registryFor(pkg.name, options.npmrc, options.npmRegistry);
  let digest = strongest(pkg.integrity);
  let verifiedAgainst: LockedArchive["verifiedAgainst"] = "lockfile";
  let url = pkg.resolved && /^https?:/.test(pkg.resolved) ? pkg.resolved.replace(/#.*$/, "") : undefined;
  // A lockfile written against the public registry is fetched from the configured mirror.
  if (url && PUBLIC_NPM.test(url) && !PUBLIC_NPM.test(`${registry}/`)) url = url.replace(PUBLIC_NPM, `${registry}/`);
  // npm 11 lockfiles record no `resolved`: with an integrity to verify against, the registry's
  // conventional tarball path is tried before the packument (often megabytes) is downloaded.
  const conventional = `${registry}/${pkg.name}/-/${pkg.name.split("/").pop()}-${pkg.version}.tgz`;
  if (!url && digest) {
    try {
      const data = await fetchArchive(conventional, digest, options);
      return { fileName: `${pkg.name.replace("/", "-")}-${pkg.version}.tgz`, data, digest, verifiedAgainst, url: conventional };
    } catch (error) {
      // A registry with other tarball paths (404): its packument says where the tarball is.
      if (options.offline || !(error instanceof RegistryStatusError && error.status === 404)) throw error;
    }
  }
  if (!url || !digest) {
    const path = pkg.name.startsWith("@") ? `@${encodeURIComponent(pkg.name.slice(1))}` : encodeURIComponent(pkg.name);
    const packument = (await fetchMetadata(`${registry}/${path}`, `npm-${pkg.name}`, options, "application/vnd.npm.install-v1+json")) as {
      versions?: Record<string, { dist?: NpmDist }>;
    };
    const dist = packument.versions?.[pkg.version]?.dist;
    if (!dist?.tarball) throw new IngestError(`${pkg.name}@${pkg.version}: no such version in the registry (${registry})`);
    url ??= dist.tarball;
    if (!digest) {
      digest = registryDigest(dist);
      verifiedAgainst = "registry";
    }
  }
  if (!digest) throw new IngestError(`${pkg.name}@${pkg.version}: neither the lockfile nor the registry gives an integrity; refusing to scan an unverifiable download`);
  const data = await fetchArchive(url, digest, options);
  return { fileName: `${pkg.name.replace("/", "-")}-${pkg.version}.tgz`, data, digest, verifiedAgainst, url };
}

function registryDigest(dist: NpmDist): Digest | undefined {
  const sri = /^sha512-([A-Za-z0-9+/=]+)$/.exec(dist.integrity?.split(/\s+/).find((s) => s.startsWith("sha512-")) ?? "");
  if (sri) return { algorithm: "sha512", value: Buffer.from(sri[1]!, "base64").toString("hex") };
  return dist.shasum ? { algorithm: "sha1", value: dist.shasum.toLowerCase() } : undefined;
}

interface IndexFile {
  filename: string;
  url: string;
  sha256?: string;
}

const isSdist = (name: string) => /\.(tar\.gz|zip|tar\.bz2|tgz)$/i.test(name);
/**
 * The files of one release on a simple-index page: `<name>-<version>` then `-` (wheel) or an
 * sdist suffix; the name's separators as any of `-_.`. The version comes from a lockfile, so
 * it is matched as text (a `+local` part or a hostile `(a+)+` is never a pattern).
 */
export function releaseFilePattern(normalized: string, version: string): RegExp {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const name = normalized.split("-").map(literal).join("[-_.]");
  return new RegExp(`^${name}-${literal(version)}(-|\\.tar|\\.zip|\\.tgz)`, "i");
}

export const isWheel = (name: string) => /\.whl$/i.test(name);

/** Files of one release: the PyPI JSON API, or the PEP 691 simple API of another index. */
async function releaseFiles(name: string, version: string, index: string, options: RegistryOptions): Promise<IndexFile[]> {
  const normalized = normalizePypiName(name);
  // pip also reads file:// and local-folder indexes; this tool asks registries over HTTP only.
  if (!/^https?:\/\//i.test(index)) throw new IngestError(`${index}: not an http(s) index; not read`);
  if (index === options.pypiUrl) {
    const release = (await fetchMetadata(`${index}/pypi/${encodeURIComponent(normalized)}/${encodeURIComponent(version)}/json`, `pypi-${normalized}-${version}`, options)) as {
      urls?: { filename: string; url: string; digests?: { sha256?: string } }[];
    };
    return (release.urls ?? []).map((f) => ({ filename: f.filename, url: f.url, ...(f.digests?.sha256 ? { sha256: f.digests.sha256.toLowerCase() } : {}) }));
  }
  const page = (await fetchMetadata(`${index}/${normalized}/`, `simple-${Buffer.from(index).toString("hex").slice(0, 40)}-${normalized}`, options, "application/vnd.pypi.simple.v1+json")) as {
    files?: { filename: string; url: string; hashes?: { sha256?: string } }[];
  };
  const ofVersion = releaseFilePattern(normalized, version);
  return (page.files ?? [])
    .filter((f) => ofVersion.test(f.filename))
    .map((f) => ({ filename: f.filename, url: new URL(f.url, `${index}/${normalized}/`).href, ...(f.hashes?.sha256 ? { sha256: f.hashes.sha256.toLowerCase() } : {}) }));
}

/**
 * The indexes to ask, in order: the lockfile's own (requirements --index-url, Pipfile sources)
 * when it names any; else pip's configured index (or pypi.org's JSON API), then pip's extra
 * indexes. pypi.org's simple API is asked through its JSON API.
 */
function indexesFor(options: RegistryOptions, fromLockfile: string[]): string[] {
  const pip = options.pipIndexes;
  const urls = fromLockfile.length ? fromLockfile : [pip?.index ?? options.pypiUrl, ...(pip?.extra ?? [])];
  return [...new Set(urls.map(trimSlashes).map((u) => (/^https:\/\/pypi\.org\/simple$/.test(u) ? options.pypiUrl : u)))];
}

/**
 * The wheels of a release whose sha256 the lockfile pins, with their URLs: from the lockfile
 * itself when it names URLs (uv.lock), else from the index (poetry/pdm name the files but not
 * where they are; requirements --hash and Pipfile.lock give only the digests).
 */
export async function pinnedWheels(pkg: ResolvedPackage, options: RegistryOptions, indexUrls: string[] = []): Promise<{ filename: string; url: string; sha256: string }[]> {
  if (!pkg.version) throw new IngestError("no version to fetch");
  const expected = new Set(pkg.integrity.filter((d) => d.algorithm === "sha256").map((d) => d.value));
  const named = (pkg.files ?? []).filter((f) => isWheel(f.name) && f.digest?.algorithm === "sha256" && expected.has(f.digest.value));
  if (named.length && named.every((f) => f.url)) return named.map((f) => ({ filename: f.name, url: f.url!, sha256: f.digest!.value }));
  const errors: string[] = [];
  for (const index of indexesFor(options, indexUrls)) {
    try {
      const files = (await releaseFiles(pkg.name, pkg.version, index, options)).filter((f) => isWheel(f.filename) && f.sha256 && expected.has(f.sha256));
      if (files.length) return files.map((f) => ({ filename: f.filename, url: f.url, sha256: f.sha256! }));
      errors.push(`${index}: no wheel of ${pkg.version} with a pinned sha256`);
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  throw new IngestError(`${pkg.name}==${pkg.version}: ${errors.join("; ")}`);
}

export async function fetchLockedPypi(pkg: ResolvedPackage, options: RegistryOptions, indexUrls: string[] = []): Promise<LockedArchive> {
  if (!pkg.version) throw new IngestError("no version to fetch");
  const expected = new Set(pkg.integrity.filter((d) => d.algorithm === "sha256").map((d) => d.value));
  // uv.lock names the exact file URLs: no index lookup needed.
  let files: IndexFile[] = (pkg.files ?? []).flatMap((f) => (f.url && f.digest?.algorithm === "sha256" ? [{ filename: f.name, url: f.url, sha256: f.digest.value }] : []));
  const errors: string[] = [];
  if (!files.length) {
    for (const index of indexesFor(options, indexUrls)) {
      try {
        files = await releaseFiles(pkg.name, pkg.version, index, options);
        if (files.length) break;
        errors.push(`${index}: no files for ${pkg.version}`);
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
  }
  if (!files.length) throw new IngestError(`${pkg.name}==${pkg.version}: ${errors.join("; ") || "no release files"}`);
  // The sdist holds setup.py (install-time code); a wheel is the fallback. Files the lockfile pins first.
  const rank = (f: IndexFile) => (f.sha256 && expected.has(f.sha256) ? 0 : 2) + (isSdist(f.filename) ? 0 : isWheel(f.filename) ? 1 : 1.5);
  const chosen = [...files].sort((a, b) => rank(a) - rank(b) || a.filename.localeCompare(b.filename))[0]!;
  const pinned = chosen.sha256 && expected.has(chosen.sha256);
  let digest: Digest;
  let verifiedAgainst: LockedArchive["verifiedAgainst"] = "lockfile";
  if (pinned) digest = { algorithm: "sha256", value: chosen.sha256! };
  else if (expected.size) digest = { algorithm: "sha256", value: [...expected][0]! }; // registry's file is not the pinned one: the check below fails loudly
  else if (chosen.sha256) {
    digest = { algorithm: "sha256", value: chosen.sha256 };
    verifiedAgainst = "registry";
  } else throw new IngestError(`${pkg.name}==${pkg.version}: no sha256 for ${chosen.filename} in the lockfile or the index; refusing to scan an unverifiable download`);
  const data = await fetchArchive(chosen.url, digest, options).catch((error: unknown) => {
    // With several pinned hashes, the file must match one of them, not the first.
    if (expected.size > 1 && error instanceof Error && error.name === "IntegrityError") {
      const actual = (error as unknown as { actual: string }).actual;
      if (expected.has(actual)) return fetchArchive(chosen.url, { algorithm: "sha256", value: actual }, options);
    }
    throw error;
  });
  return { fileName: chosen.filename, data, digest, verifiedAgainst, url: chosen.url };
}
