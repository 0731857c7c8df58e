// Issue #16, part 3 (registry): bodies bounded while streaming, digests checked as hex
// before any use, passwords in registry URLs never shown, .npmrc credentials never sent
// to another host after a redirect. Loopback servers only, started and stopped here.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { existsSync, mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseNpmrc } from "../../src/registry/config.js";
import { cachedArchive, defaultRegistryOptions, download, fetchArchive, redactUrl, type RegistryOptions } from "../../src/registry/http.js";

let registry: Server;
let other: Server;
let base: string;
let otherBase: string;
const seenByOther: IncomingHttpHeaders[] = [];
const sentToRegistry: (string | undefined)[] = [];

beforeAll(async () => {
  registry = createServer((req, res) => {
    if (req.url === "/big-declared") return res.writeHead(200, { "content-length": String(64 * 1024 * 1024) }).end();
    if (req.url === "/big-chunked") {
      // No content-length: only counting while streaming can stop it.
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 120);
      for (let i = 0; i < 64; i++) res.write(chunk);
      return res.end();
    }
    if (req.url === "/redirect") sentToRegistry.push(req.headers["authorization"]);
    if (req.url === "/redirect") return res.writeHead(302, { location: `${otherBase}/landing` }).end();
    return res.writeHead(404).end("not found");
  });
  other = createServer((req, res) => {
    seenByOther.push(req.headers);
    res.writeHead(200).end("ok");
  });
  await new Promise<void>((resolve) => registry.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
  // Same machine, another host name: a different origin for credentials.
  otherBase = `http://localhost:${(other.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => registry.close(() => resolve()));
  await new Promise<void>((resolve) => other.close(() => resolve()));
});

const options = (extra: Partial<RegistryOptions> = {}): RegistryOptions => ({
  ...defaultRegistryOptions({}),
  cacheDir: mkdtempSync(join(tmpdir(), "exfilscan-reg-")),
  attempts: 1,
  timeoutMs: 10_000,
  ...extra,
});

describe("registry responses and digests from hostile servers", () => {
  it("refuses a body whose declared length is over the cap, before reading it", async () => {
    await expect(download(`${base}/big-declared`, options({ maxBodyBytes: 1024 * 1024 }))).rejects.toThrow(/declares 67108864 bytes, over the 1048576-byte cap/);
  });

  it("stops a chunked body at the cap while it streams", async () => {
    await expect(download(`${base}/big-chunked`, options({ maxBodyBytes: 1024 * 1024 }))).rejects.toThrow(/over the 1048576-byte cap; download stopped/);
  });

  it("never uses a digest that is not hex of the right length (it would become a cache path)", async () => {
    const opts = options();
    for (const value of ["../../../../dev/zero", "a".repeat(39), "A".repeat(40), `${"a".repeat(38)}/x`]) {
      expect(() => cachedArchive({ algorithm: "sha1", value }, opts)).toThrow(/invalid sha1 digest/);
      await expect(fetchArchive(`${base}/x.tgz`, { algorithm: "sha1", value }, opts)).rejects.toThrow(/invalid sha1 digest/);
    }
    expect(existsSync(join(opts.cacheDir, "archives"))).toBe(false);
  });

  it("never shows the password of a registry URL", async () => {
    const url = `${base.replace("//", "//alice:s3cr3t-pw@")}/missing`;
    const error = await download(url, options()).catch((e: Error) => e);
    expect(String(error)).toContain("//***:***@127.0.0.1");
    expect(String(error)).not.toContain("s3cr3t-pw");
    expect(redactUrl("https://bob:hunter2@registry.example/x")).toBe("https://***:***@registry.example/x");
    const unreachable = await download("http://carol:pa55word@127.0.0.1:1/x", options()).catch((e: Error) => e);
    expect(String(unreachable)).not.toContain("pa55word");
  });

  it("does not send .npmrc credentials to the host a redirect leads to", async () => {
    const host = base.replace(/^http:/, "");
    const npmrc = parseNpmrc(`${host}/:_authToken=npm_SECRET_TOKEN_0123456789\n`, {});
    seenByOther.length = 0;
    await download(`${base}/redirect`, options({ npmrc }));
    // The registry itself got the token (so the test has one to leak), the other host did not.
    expect(sentToRegistry.at(-1)).toBe("Bearer npm_SECRET_TOKEN_0123456789");
    expect(seenByOther).toHaveLength(1);
    expect(seenByOther[0]!["authorization"]).toBeUndefined();
    expect(JSON.stringify(seenByOther[0])).not.toContain("SECRET");
  });
});
