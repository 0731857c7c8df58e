// HTTP for registries: node-fetch with a timeout, a content cache on disk, and
// --offline that reads only the cache and says clearly what it lacks.
import { createHash } from "../core/hash.js";
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { IngestError, errorMessage } from "../core/errors.js";
import { authorizationFor, type NpmConfig } from "./config.js";
import { proxyAgent, proxyFor, proxyFromEnv, proxySettingsFor, redactProxy, type ProxySettings } from "./proxy.js";
import { trimSlashes } from "../core/trim.js";

export interface RegistryOptions {
  offline: boolean;
  cacheDir: string;
  npmRegistry: string;
  pypiUrl: string;
  timeoutMs: number;
  /** .npmrc: scoped registries and per-host credentials (sent only to their host). */
  npmrc?: NpmConfig;
  /** Attempts per request on network errors, 429 and 5xx (default 3), with exponential backoff. */
  attempts?: number;
  /** First backoff delay in ms (default 250). */
  backoffMs?: number;
  /** Largest response body accepted, counted while it streams in (default MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment (.npmrc's proxy keys are in `npmrc`). */
  proxy?: ProxySettings;
  /**
   * pip's own index configuration (PIP_INDEX_URL / PIP_EXTRA_INDEX_URL / pip.conf), for lockfiles
   * that name no index: `index` replaces `pypiUrl`, `extra` are asked after it.
   */
  pipIndexes?: { index?: string; extra: string[] };
  /** Told the size of every response body actually received over the network (not cache reads). */
  onDownload?: (bytes: number) => void;
}

/** A response body larger than this is cut off while streaming and the download fails. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

/** A URL as it may be shown: user and password (from --registry or an index URL) replaced by "***". */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = parsed.username ? "***" : "";
    parsed.password = parsed.password ? "***" : "";
    return parsed.href;
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, "//***@");
  }
}

/** Response bodies are read chunk by chunk and refused past `max` bytes, before they fill memory. */
async function readBounded(body: AsyncIterable<Uint8Array | string> | null, declared: string | null, max: number, shown: string): Promise<Buffer> {
  if (declared !== null && Number(declared) > max) throw new BodyTooLargeError(`response for ${shown} declares ${declared} bytes, over the ${max}-byte cap`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body ?? []) {
    size += chunk.length;
    if (size > max) throw new BodyTooLargeError(`response for ${shown} is over the ${max}-byte cap; download stopped`);
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

class BodyTooLargeError extends IngestError {
  override name = "BodyTooLargeError";
}

const HEX_LENGTH: Record<Digest["algorithm"], number> = { md5: 32, sha1: 40, sha256: 64, sha384: 96, sha512: 128 };

/**
 * A digest from a lockfile or a registry answer is checked before any use: only lowercase
 * hex of the algorithm's length, so it can never become a path ("../../dev/zero").
 */
export function validDigest(digest: Digest): Digest {
  if (!(digest.algorithm in HEX_LENGTH) || typeof digest.value !== "string" || digest.value.length !== HEX_LENGTH[digest.algorithm] || !/^[0-9a-f]+$/.test(digest.value)) {
    throw new IngestError(`invalid ${String(digest.algorithm)} digest ${JSON.stringify(String(digest.value).slice(0, 140))}: not ${HEX_LENGTH[digest.algorithm] ?? "?"} hex digits; refusing to use it`);
  }
  return digest;
}

export function defaultRegistryOptions(env: NodeJS.ProcessEnv = process.env): RegistryOptions {
  const cacheHome = env["XDG_CACHE_HOME"] || join(homedir(), ".cache");
  return {
    offline: false,
    cacheDir: env["EXFILSCAN_CACHE_DIR"] || join(cacheHome, "exfilscan"),
    npmRegistry: trimSlashes(env["npm_config_registry"] || "https://registry.npmjs.org"),
    pypiUrl: trimSlashes(env["EXFILSCAN_PYPI_URL"] || "https://pypi.org"),
    timeoutMs: 30_000,
    proxy: proxyFromEnv(env),
  };
}

export function writeAtomically(file: string, data: Buffer | string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, file);
}

/** A registry answer that is not worth retrying (404, 401...). */
export class RegistryStatusError extends IngestError {
  override name = "RegistryStatusError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function download(url: string, options: RegistryOptions, accept?: string): Promise<Buffer> {
  const shown = redactUrl(url);
  const headers: Record<string, string> = accept ? { accept } : {};
  const authorization = authorizationFor(url, options.npmrc);
  if (authorization) headers["authorization"] = authorization;
  const npmRegistries = [options.npmRegistry, options.npmrc?.registry, ...Object.values(options.npmrc?.scopes ?? {})].filter((r): r is string => Boolean(r));
  const proxy = proxyFor(url, proxySettingsFor(url, options.proxy, options.npmrc?.proxy, npmRegistries));
  // Resolved before the first attempt: a malformed proxy setting is a configuration error, not a retry.
  const agent = proxy ? await proxyAgent(proxy) : undefined;
  const via = proxy ? ` via proxy ${redactProxy(proxy)}` : "";
  const attempts = Math.max(1, options.attempts ?? 3);
  let lastError: IngestError | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep((options.backoffMs ?? 250) * 2 ** (attempt - 1));
    let response;
    try {
      const { default: fetch } = await import("node-fetch");
      response = await fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs), ...(agent ? { agent } : {}) });
    } catch (error) {
      lastError = new IngestError(`registry unreachable (${shown}${via}): ${redactAll(errorMessage(error), url, shown)}`);
      continue;
    }
    if (response.ok) {
      try {
        const body = await readBounded(response.body, response.headers.get("content-length"), options.maxBodyBytes ?? MAX_BODY_BYTES, shown);
        options.onDownload?.(body.length);
        return body;
      } catch (error) {
        if (error instanceof BodyTooLargeError) throw error;
        lastError = new IngestError(`registry unreachable (${shown}): ${redactAll(errorMessage(error), url, shown)}`);
        continue;
      }
    }
    const error = new RegistryStatusError(`registry answered ${response.status} ${response.statusText} for ${shown}`, response.status);
    if (response.status !== 429 && response.status < 500) throw error;
    lastError = error;
  }
  throw new IngestError(`${lastError?.message ?? `cannot download ${shown}`}${attempts > 1 ? ` (after ${attempts} attempts)` : ""}`);
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
    throw new IngestError(`registry sent invalid JSON for ${redactUrl(url)}`);
  }
  writeAtomically(file, data);
  return parsed;
}

export interface Digest {
  algorithm: "sha512" | "sha384" | "sha256" | "sha1" | "md5";
  /** hex */
  value: string;
}

/** Archives are cached by content digest, so a fleet can share one cache directory. */
export async function fetchArchive(url: string, digest: Digest, options: RegistryOptions): Promise<Buffer> {
  validDigest(digest);
  const file = join(options.cacheDir, "archives", `${digest.algorithm}-${digest.value}`);
  if (existsSync(file)) {
    const cached = readFileSync(file);
    if (hexDigest(cached, digest.algorithm) === digest.value) return cached;
  }
  if (options.offline) throw new IngestError(`--offline: ${redactUrl(url)} is not in the cache (${options.cacheDir})`);
  const data = await download(url, options);
  const actual = hexDigest(data, digest.algorithm);
  if (actual !== digest.value) throw new IntegrityError(url, digest, actual);
  writeAtomically(file, data);
  return data;
}

/** The downloaded bytes are not the ones expected: never cached, never scanned as that package. */
export class IntegrityError extends IngestError {
  override name = "IntegrityError";
  constructor(
    readonly url: string,
    readonly expected: Digest,
    readonly actual: string,
  ) {
    super(`integrity check failed for ${redactUrl(url)}: expected ${expected.algorithm} ${expected.value}, got ${actual}`);
  }
}

/** An archive already in the cache under this digest (verified again on read), else undefined. */
export function cachedArchive(digest: Digest, options: Pick<RegistryOptions, "cacheDir">): Buffer | undefined {
  validDigest(digest);
  const file = join(options.cacheDir, "archives", `${digest.algorithm}-${digest.value}`);
  if (!existsSync(file)) return undefined;
  const cached = readFileSync(file);
  return hexDigest(cached, digest.algorithm) === digest.value ? cached : undefined;
}

/** Error texts from the HTTP stack may quote the URL: never with its password. */
function redactAll(message: string, url: string, shown: string): string {
  return url === shown ? message : message.split(url).join(shown);
}

export function hexDigest(data: Buffer, algorithm: Digest["algorithm"]): string {
  return createHash(algorithm).update(data).digest("hex");
}
