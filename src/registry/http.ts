// HTTP for registries: node-fetch with a timeout, a content cache on disk, and
// --offline that reads only the cache and says clearly what it lacks.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import fetch from "node-fetch";
import { IngestError, errorMessage } from "../core/errors.js";

export interface RegistryOptions {
  offline: boolean;
  cacheDir: string;
  npmRegistry: string;
  pypiUrl: string;
  timeoutMs: number;
}

export function defaultRegistryOptions(env: NodeJS.ProcessEnv = process.env): RegistryOptions {
  const cacheHome = env["XDG_CACHE_HOME"] || join(homedir(), ".cache");
  return {
    offline: false,
    cacheDir: env["EXFILSCAN_CACHE_DIR"] || join(cacheHome, "exfilscan"),
    npmRegistry: (env["npm_config_registry"] || "https://registry.npmjs.org").replace(/\/+$/, ""),
    pypiUrl: (env["EXFILSCAN_PYPI_URL"] || "https://pypi.org").replace(/\/+$/, ""),
    timeoutMs: 30_000,
  };
}

function writeAtomically(file: string, data: Buffer | string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, file);
}

async function download(url: string, options: RegistryOptions, accept?: string): Promise<Buffer> {
  let response;
  try {
    response = await fetch(url, {
      headers: accept ? { accept } : {},
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new IngestError(`registry unreachable (${url}): ${errorMessage(error)}`);
  }
  if (!response.ok) throw new IngestError(`registry answered ${response.status} ${response.statusText} for ${url}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Metadata (packuments, PyPI JSON): fetched fresh online, read from the cache offline. */
export async function fetchMetadata(url: string, cacheKey: string, options: RegistryOptions, accept?: string): Promise<unknown> {
  const file = join(options.cacheDir, "metadata", `${cacheKey.replace(/[^a-z0-9@._-]+/gi, "_")}.json`);
  if (options.offline) {
    if (!existsSync(file)) throw new IngestError(`--offline: no cached metadata for ${cacheKey} (run once online to fill ${options.cacheDir})`);
    return JSON.parse(readFileSync(file, "utf8"));
  }
  const data = await download(url, options, accept);
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString("utf8"));
  } catch {
    throw new IngestError(`registry sent invalid JSON for ${url}`);
  }
  writeAtomically(file, data);
  return parsed;
}

export interface Digest {
  algorithm: "sha512" | "sha256" | "sha1";
  /** hex */
  value: string;
}

/** Archives are cached by content digest, so a fleet can share one cache directory. */
export async function fetchArchive(url: string, digest: Digest, options: RegistryOptions): Promise<Buffer> {
  const file = join(options.cacheDir, "archives", `${digest.algorithm}-${digest.value}`);
  if (existsSync(file)) {
    const cached = readFileSync(file);
    if (hexDigest(cached, digest.algorithm) === digest.value) return cached;
  }
  if (options.offline) throw new IngestError(`--offline: ${url} is not in the cache (${options.cacheDir})`);
  const data = await download(url, options);
  const actual = hexDigest(data, digest.algorithm);
  if (actual !== digest.value) {
    throw new IngestError(`integrity check failed for ${url}: expected ${digest.algorithm} ${digest.value}, got ${actual}`);
  }
  writeAtomically(file, data);
  return data;
}

export function hexDigest(data: Buffer, algorithm: Digest["algorithm"]): string {
  return createHash(algorithm).update(data).digest("hex");
}
