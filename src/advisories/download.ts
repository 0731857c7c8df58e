// Downloads one ecosystem's OSV bulk export with node-fetch. Conditional on the stored
// ETag, so an unchanged export costs one request and no bytes.
import fetch from "node-fetch";
import type { OsvEcosystem } from "./types.js";
import { trimSlashes } from "../core/trim.js";

export class DownloadError extends Error {
  override name = "DownloadError";
}

/** The npm export is a few hundred MB; anything far beyond is not an OSV export. */
const kMaxArchiveBytes = 2 * 1024 * 1024 * 1024;
const kTimeoutMs = 30 * 60 * 1000;

export type DownloadResult =
  | { status: "not-modified"; url: string }
  | { status: "downloaded"; url: string; data: Uint8Array; etag?: string };

export function exportUrl(baseUrl: string, ecosystem: OsvEcosystem): string {
  return `${trimSlashes(baseUrl)}/${encodeURIComponent(ecosystem)}/all.zip`;
}

export async function downloadExport(baseUrl: string, ecosystem: OsvEcosystem, etag?: string): Promise<DownloadResult> {
  const url = exportUrl(baseUrl, ecosystem);
  let response;
  try {
    response = await fetch(url, {
      headers: { "user-agent": "exfilscan", ...(etag ? { "if-none-match": etag } : {}) },
      signal: AbortSignal.timeout(kTimeoutMs),
    });
  } catch (error) {
    throw new DownloadError(`could not connect: ${(error as Error).message}`);
  }
  if (response.status === 304 && etag) return { status: "not-modified", url };
  if (response.status !== 200) {
    throw new DownloadError(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`);
  }
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > kMaxArchiveBytes) throw new DownloadError(`archive of ${declared} bytes is over the ${kMaxArchiveBytes}-byte cap`);
  let data: Uint8Array;
  try {
    data = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new DownloadError(`download interrupted: ${(error as Error).message}`);
  }
  // With a content-encoding, content-length counts the encoded bytes, not these.
  const encoded = (response.headers.get("content-encoding") ?? "identity") !== "identity";
  if (Number.isFinite(declared) && !encoded && data.length !== declared) {
    throw new DownloadError(`download truncated: got ${data.length} of ${declared} bytes`);
  }
  const newEtag = response.headers.get("etag");
  return { status: "downloaded", url, data, ...(newEtag ? { etag: newEtag } : {}) };
}
