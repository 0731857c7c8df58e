import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, loadTarget } from "../../src/ingest/index.js";
import { defaultRegistryOptions, type RegistryOptions } from "../../src/registry/http.js";
import { parseSpec } from "../../src/registry/spec.js";
import { makeTar, makeZip } from "../helpers/archives.js";

const tarball = makeTar([
  { path: "package/package.json", content: JSON.stringify({ name: "@acme/widget", version: "2.0.0" }) },
  { path: "package/index.js", content: "module.exports = 42;\n" },
]);
const sdist = makeTar([
  { path: "demo-1.0/PKG-INFO", content: "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n" },
  { path: "demo-1.0/demo/__init__.py", content: "x = 1\n" },
]);
const wheelOnly = makeZip({ "w/__init__.py": "y = 2\n", "w-3.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: w\nVersion: 3.0\n" });
const sri = (data: Buffer) => `sha512-${createHash("sha512").update(data).digest("base64")}`;
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

let server: Server;
let base: string;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? "");
    const json = (body: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    switch (req.url) {
      case "/@acme%2Fwidget":
        return json({
          "dist-tags": { latest: "2.0.0" },
          versions: {
            "2.0.0": { dist: { tarball: `${base}/tarballs/widget-2.0.0.tgz`, integrity: sri(tarball) } },
            "1.0.0": { dist: { tarball: `${base}/tarballs/widget-2.0.0.tgz`, integrity: sri(Buffer.from("other")) } },
          },
        });
      case "/tarballs/widget-2.0.0.tgz":
        return res.writeHead(200).end(tarball);
      case "/pypi/demo/1.0/json":
        return json({ urls: [{ filename: "demo-1.0.tar.gz", url: `${base}/files/demo-1.0.tar.gz`, packagetype: "sdist", digests: { sha256: sha256(sdist) } }] });
      case "/files/demo-1.0.tar.gz":
        return res.writeHead(200).end(sdist);
      case "/pypi/w/json":
        return json({ urls: [{ filename: "w-3.0-py3-none-any.whl", url: `${base}/files/w.whl`, packagetype: "bdist_wheel", digests: { sha256: sha256(wheelOnly) } }] });
      case "/files/w.whl":
        return res.writeHead(200).end(wheelOnly);
      default:
        return res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function options(extra: Partial<RegistryOptions> = {}): RegistryOptions {
  return { ...defaultRegistryOptions({}), npmRegistry: base, pypiUrl: base, cacheDir: mkdtempSync(join(tmpdir(), "exfilscan-cache-")), timeoutMs: 5000, ...extra };
}

describe("registry specs", () => {
  it("parses specs and leaves paths alone", () => {
    expect(parseSpec("npm:@acme/widget@2.0.0")).toEqual({ ecosystem: "npm", name: "@acme/widget", version: "2.0.0" });
    expect(parseSpec("pypi:requests")).toEqual({ ecosystem: "pypi", name: "requests" });
    expect(parseSpec("./npm:thing")).toBeUndefined();
    expect(parseSpec("pkg.tgz")).toBeUndefined();
  });

  it("downloads an npm tarball by dist-tag, verifies integrity, and scans it from the cache offline", async () => {
    const opts = options();
    const pkg = await loadTarget("npm:@acme/widget", DEFAULT_LIMITS, opts);
    expect(pkg).toMatchObject({ ecosystem: "npm", name: "@acme/widget", version: "2.0.0" });
    expect([...pkg.files.keys()].sort()).toEqual(["index.js", "package.json"]);
    const before = hits.length;
    const offline = await loadTarget("npm:@acme/widget@2.0.0", DEFAULT_LIMITS, { ...opts, offline: true });
    expect(offline.name).toBe("@acme/widget");
    expect(hits.length).toBe(before);
  });

  it("refuses a tarball whose integrity does not match", async () => {
    await expect(loadTarget("npm:@acme/widget@1.0.0", DEFAULT_LIMITS, options())).rejects.toThrow(/integrity check failed/);
  });

  it("fails clearly offline when the cache lacks the package, and on 404 and unreachable registries", async () => {
    await expect(loadTarget("npm:@acme/widget", DEFAULT_LIMITS, options({ offline: true }))).rejects.toThrow(/--offline: no cached metadata/);
    await expect(loadTarget("npm:missing-pkg", DEFAULT_LIMITS, options())).rejects.toThrow(/answered 404/);
    await expect(loadTarget("npm:x", DEFAULT_LIMITS, options({ npmRegistry: "http://127.0.0.1:1" }))).rejects.toThrow(/registry unreachable/);
  });

  it("prefers the sdist on PyPI and falls back to a wheel", async () => {
    expect(await loadTarget("pypi:demo@1.0", DEFAULT_LIMITS, options())).toMatchObject({ ecosystem: "pypi", name: "demo", version: "1.0" });
    expect(await loadTarget("pypi:w", DEFAULT_LIMITS, options())).toMatchObject({ ecosystem: "pypi", name: "w", version: "3.0" });
  });
});
