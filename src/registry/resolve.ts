// Resolve a registry spec to the archive to scan: npm packuments and the PyPI JSON API.
import { IngestError } from "../core/errors.js";
import { fetchArchive, fetchMetadata, type Digest, type RegistryOptions } from "./http.js";
import { formatSpec, type PackageSpec } from "./spec.js";

export interface ResolvedArchive {
  fileName: string;
  data: Buffer;
}

interface Packument {
  "dist-tags"?: Record<string, string>;
  versions?: Record<string, { dist?: { tarball?: string; integrity?: string; shasum?: string } }>;
}

interface PypiRelease {
  info?: { version?: string };
  urls?: { filename: string; url: string; packagetype: string; digests?: { sha256?: string } }[];
}

export async function fetchSpec(spec: PackageSpec, options: RegistryOptions): Promise<ResolvedArchive> {
  return spec.ecosystem === "npm" ? fetchNpm(spec, options) : fetchPypi(spec, options);
}

async function fetchNpm(spec: PackageSpec, options: RegistryOptions): Promise<ResolvedArchive> {
  const path = spec.name.startsWith("@") ? `@${encodeURIComponent(spec.name.slice(1))}` : encodeURIComponent(spec.name);
  const packument = (await fetchMetadata(`${options.npmRegistry}/${path}`, `npm-${spec.name}`, options, "application/vnd.npm.install-v1+json")) as Packument;
  const version = packument["dist-tags"]?.[spec.version ?? "latest"] ?? spec.version;
  const dist = version ? packument.versions?.[version]?.dist : undefined;
  if (!version || !dist?.tarball) throw new IngestError(`${formatSpec(spec)}: no such version in the registry`);
  return { fileName: `${spec.name.replace("/", "-")}-${version}.tgz`, data: await fetchArchive(dist.tarball, npmDigest(dist), options) };
}

function npmDigest(dist: { integrity?: string; shasum?: string }): Digest {
  const sri = /^sha512-([A-Za-z0-9+/=]+)$/.exec(dist.integrity?.split(/\s+/).find((s) => s.startsWith("sha512-")) ?? "");
  if (sri) return { algorithm: "sha512", value: Buffer.from(sri[1]!, "base64").toString("hex") };
  if (dist.shasum) return { algorithm: "sha1", value: dist.shasum.toLowerCase() };
  throw new IngestError("registry gave no integrity for this tarball; refusing to scan an unverifiable download");
}

async function fetchPypi(spec: PackageSpec, options: RegistryOptions): Promise<ResolvedArchive> {
  const versionPath = spec.version ? `/${encodeURIComponent(spec.version)}` : "";
  const release = (await fetchMetadata(
    `${options.pypiUrl}/pypi/${encodeURIComponent(spec.name)}${versionPath}/json`,
    `pypi-${spec.name}-${spec.version ?? "latest"}`,
    options,
  )) as PypiRelease;
  // The sdist holds setup.py (install-time code); a wheel is the fallback.
  const files = release.urls ?? [];
  const chosen = files.find((f) => f.packagetype === "sdist") ?? files.find((f) => f.packagetype === "bdist_wheel");
  if (!chosen?.digests?.sha256) throw new IngestError(`${formatSpec(spec)}: no sdist or wheel with a sha256 digest`);
  return { fileName: chosen.filename, data: await fetchArchive(chosen.url, { algorithm: "sha256", value: chosen.digests.sha256.toLowerCase() }, options) };
}
