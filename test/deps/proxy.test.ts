// Registry fetches through a proxy: a loopback CONNECT proxy written here counts the tunnels
// it opens and records the CONNECT headers it receives. HTTPS_PROXY/HTTP_PROXY/NO_PROXY from
// the environment, .npmrc `proxy`/`https-proxy`/`noproxy` for the npm registries; tokens
// travel inside the tunnel to their own host only; --offline opens nothing.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResultCache } from "../../src/deps/cache.js";
import { readInputs, scanDependencies } from "../../src/deps/scan.js";
import { createAnalyzer } from "../../src/deps/workers.js";
import { DEFAULT_LIMITS } from "../../src/ingest/index.js";
import { parseNpmrc } from "../../src/registry/config.js";
import { defaultRegistryOptions, download, type RegistryOptions } from "../../src/registry/http.js";
import { bypassesProxy, proxyFor, proxyFromEnv, proxySettingsFor } from "../../src/registry/proxy.js";
import { loadSignatures, type Signatures } from "../../src/rules/signatures.js";
import { LOCKFILES } from "./helpers.js";
import { TestRegistry } from "./registry-server.js";

class ConnectProxy {
  readonly tunnels: { target: string; headers: IncomingHttpHeaders }[] = [];
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  url = "";
  async start(): Promise<void> {
    this.server = createServer((_req, res) => res.writeHead(405).end("CONNECT only"));
    this.server.on("connect", (req, client: Socket, head: Buffer) => {
      this.tunnels.push({ target: req.url ?? "", headers: req.headers });
      const [host, port] = (req.url ?? "").split(":");
      const upstream = connect(Number(port), host!, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("error", () => s.destroy());
        s.on("close", () => this.sockets.delete(s));
      }
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const registry = new TestRegistry([
  { ecosystem: "npm", name: "tidy-format", version: "2.0.0", dir: join(LOCKFILES, "packages", "npm", "tidy-format") },
  { ecosystem: "npm", name: "@private/private-lib", version: "1.0.0", dir: join(LOCKFILES, "packages", "npm", "private-lib"), token: "s3cret-token" },
]);
const proxy = new ConnectProxy();
let signatures: Signatures;
beforeAll(async () => {
  signatures = loadSignatures();
  await Promise.all([registry.start(), proxy.start()]);
});
afterAll(async () => {
  await Promise.all([registry.stop(), proxy.stop()]);
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "exfilscan-proxy-lock-"));
  const packages: Record<string, unknown> = { "": { dependencies: { "tidy-format": "*", "@private/private-lib": "*" } } };
  packages["node_modules/tidy-format"] = { version: "2.0.0", resolved: `${registry.base}/tidy-format/-/tidy-format-2.0.0.tgz`, integrity: registry.sri("tidy-format@2.0.0") };
  packages["node_modules/@private/private-lib"] = { version: "1.0.0", integrity: registry.sri("@private/private-lib@1.0.0") };
  writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages }, null, 2));
  return dir;
}

function options(env: NodeJS.ProcessEnv, extra: Partial<RegistryOptions> = {}): RegistryOptions {
  return {
    ...defaultRegistryOptions(env),
    npmRegistry: registry.base,
    pypiUrl: registry.base,
    cacheDir: mkdtempSync(join(tmpdir(), "exfilscan-proxy-cache-")),
    timeoutMs: 5000,
    attempts: 1,
    npmrc: parseNpmrc(`@private:registry=${registry.base}/private/\n//${new URL(registry.base).host}/private/:_authToken=s3cret-token\n`),
    ...extra,
  };
}

async function run(reg: RegistryOptions, version = "proxy-test", dir = project()) {
  return scanDependencies(await readInputs([dir], false), { signatures, limits: DEFAULT_LIMITS, registry: reg, analyzer: createAnalyzer(1, signatures, []), cache: new ResultCache(reg.cacheDir, version) });
}

describe("registry fetches through a proxy", () => {
  it("HTTP_PROXY: every request goes through a CONNECT tunnel to the registry; the token is never shown to the proxy", async () => {
    const before = proxy.tunnels.length;
    const hits = registry.hits.length;
    const report = await run(options({ HTTP_PROXY: proxy.url }));
    expect(report.deps!.notAnalysed).toEqual([]);
    expect(report.targets.map((t) => t.name).sort()).toEqual(["@private/private-lib", "tidy-format"]);
    const opened = proxy.tunnels.slice(before);
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.every((t) => t.target === new URL(registry.base).host)).toBe(true);
    expect(opened.some((t) => JSON.stringify(t.headers).includes("s3cret-token"))).toBe(false);
    // The registry still got the token, inside the tunnel, for its private path only.
    const sent = registry.authHeaders.slice(hits).filter((h) => h.authorization);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((h) => h.url.startsWith("/private/@private/") && h.authorization === "Bearer s3cret-token")).toBe(true);
  });

  it("NO_PROXY naming the registry host: direct connections, no tunnel", async () => {
    const before = proxy.tunnels.length;
    const report = await run(options({ HTTP_PROXY: proxy.url, NO_PROXY: "example.invalid, 127.0.0.1" }));
    expect(report.targets).toHaveLength(2);
    expect(proxy.tunnels.length).toBe(before);
  });

  it(".npmrc proxy= applies to the npm registry when the environment names none", async () => {
    const before = proxy.tunnels.length;
    const reg = options({});
    reg.npmrc = parseNpmrc(`proxy=${proxy.url}\n@private:registry=${registry.base}/private/\n//${new URL(registry.base).host}/private/:_authToken=s3cret-token\n`);
    const report = await run(reg);
    expect(report.targets).toHaveLength(2);
    expect(proxy.tunnels.length).toBeGreaterThan(before);
  });

  it("--offline opens no connection, through the proxy or not", async () => {
    const before = proxy.tunnels.length;
    const hits = registry.hits.length;
    const report = await run(options({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url }, { offline: true }));
    expect(report.deps!.notAnalysed).toHaveLength(2);
    expect(proxy.tunnels.length).toBe(before);
    expect(registry.hits.length).toBe(hits);
  });

  it("a dead proxy is an error naming the proxy without its password; nothing is reported clean", async () => {
    const dead = `http://user:pa55word@127.0.0.1:1`;
    await expect(download(`${registry.base}/tidy-format`, options({ HTTP_PROXY: dead }))).rejects.toThrow(/via proxy http:\/\/\*\*\*@127\.0\.0\.1:1\//);
    await expect(download(`${registry.base}/tidy-format`, options({ HTTP_PROXY: dead }))).rejects.not.toThrow(/pa55word/);
    await expect(download(`${registry.base}/tidy-format`, options({ HTTP_PROXY: "http://[bad" }))).rejects.toThrow(/is not a URL/);
  });
});

describe("bytes downloaded", () => {
  it("counts what was received, never what the archive cache served", async () => {
    const reg = options({});
    const dir = project();
    const cold = await run(reg, "v1", dir);
    const archives = [...registry.archives.values()].reduce((n, a) => n + a.length, 0);
    expect(cold.deps!.downloadedBytes).toBe(archives); // the two archives (no packument: the conventional tarball path served both)
    // Another analysis version: both packages analysed again, from the archives already cached.
    const hits = registry.hits.length;
    const again = await run({ ...reg, offline: true }, "v2", dir);
    expect(again.deps).toMatchObject({ scanned: 2, fromCache: 0, downloadedBytes: 0 });
    expect(registry.hits.length).toBe(hits);
  });
});

describe("proxy settings", () => {
  it("reads either case, prefers the lower-case name, and falls back from https to http as npm does", () => {
    expect(proxyFromEnv({ https_proxy: "http://a:1", HTTPS_PROXY: "http://b:1", HTTP_PROXY: "http://c:1", no_proxy: "x" })).toEqual({ https: "http://a:1", http: "http://c:1", noProxy: "x" });
    expect(proxyFor("https://registry.npmjs.org/x", { http: "http://c:1" })).toBe("http://c:1");
    expect(proxyFor("http://registry.local/x", { https: "http://a:1" })).toBeUndefined();
  });

  it("NO_PROXY: exact host, domain suffix with or without a dot, host:port, IPv6, *", () => {
    const by = (url: string, list: string) => bypassesProxy(new URL(url), list);
    expect(by("https://registry.npmjs.org/", "npmjs.org")).toBe(true);
    expect(by("https://registry.npmjs.org/", ".npmjs.org")).toBe(true);
    expect(by("https://evilnpmjs.org/", "npmjs.org")).toBe(false);
    expect(by("http://10.0.0.5:8080/", "10.0.0.5:8080")).toBe(true);
    expect(by("http://10.0.0.5:8081/", "10.0.0.5:8080")).toBe(false);
    expect(by("http://[::1]:4873/", "::1")).toBe(true);
    expect(by("http://[::1]:4873/", "[::1]:4873")).toBe(true);
    expect(by("https://pypi.org/", "*")).toBe(true);
    expect(by("https://pypi.org/", "")).toBe(false);
  });

  it(".npmrc proxy keys are used for the npm registries only, over the environment's", () => {
    const npmrc = parseNpmrc("https-proxy=http://npm-proxy:8080\nnoproxy=internal.example\n");
    expect(npmrc.proxy).toEqual({ https: "http://npm-proxy:8080", noProxy: "internal.example" });
    const env = { https: "http://corp:3128" };
    expect(proxySettingsFor("https://registry.npmjs.org/left-pad", env, npmrc.proxy, ["https://registry.npmjs.org"])).toEqual({ https: "http://npm-proxy:8080", noProxy: "internal.example" });
    expect(proxySettingsFor("https://pypi.org/pypi/six/json", env, npmrc.proxy, ["https://registry.npmjs.org"])).toEqual(env);
  });
});
