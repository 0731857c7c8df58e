// `exfilscan signatures update` against a loopback OSV server: first import, a changed
// export, and failures that must leave the old store exactly as it was.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readStoreFile } from "../../src/advisories/store.js";
import { updateAdvisories, type UpdateReport } from "../../src/advisories/update.js";
import { runCliAsync } from "./cli-async.js";
import { osvRecords, startOsvServer, zipRecords, type OsvServer, type Route } from "./osv-server.js";

let server: OsvServer;
let dir: string;
let store: string;
const npmZip = zipRecords(osvRecords("npm"));
const pypiZip = zipRecords(osvRecords("PyPI"));

beforeAll(async () => {
  server = await startOsvServer();
});
afterAll(() => server.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "exfilscan-osv-"));
  store = join(dir, "advisories.json");
  server.routes.clear();
  server.requests.length = 0;
  server.routes.set("/npm/all.zip", { kind: "zip", body: npmZip, etag: '"npm-1"' });
  server.routes.set("/PyPI/all.zip", { kind: "zip", body: pypiZip, etag: '"pypi-1"' });
});

/** The update itself, in process: its report is what `--format json` prints. */
const update = () => updateAdvisories({ storeFile: store, baseUrl: server.url, ecosystems: ["npm", "PyPI"], now: new Date("2099-07-01T00:00:00Z") });
/** The command, as a user runs it. */
const cli = (args: string[] = [], env: Record<string, string> = {}) =>
  runCliAsync(["signatures", "update", "--store", store, ...args], { env: { EXFILSCAN_OSV_URL: server.url, ...env } });

describe("updating the advisory store", () => {
  it("imports only non-withdrawn MAL- advisories per ecosystem into an empty store", async () => {
    const report = await update();
    expect(report.errors).toEqual([]);
    expect(report.written).toBe(true);
    expect(report.ecosystems.map((e) => [e.ecosystem, e.status, e.added, e.removed])).toEqual([
      ["npm", "updated", ["MAL-2099-1001", "MAL-2099-1002", "MAL-2099-1003"], []],
      ["PyPI", "updated", ["MAL-2099-2001", "MAL-2099-2002"], []],
    ]);
    const data = readStoreFile(store)!;
    expect(data).toMatchObject({ schemaVersion: 1, updatedAt: "2099-07-01T00:00:00.000Z" });
    expect(data.ecosystems.npm).toMatchObject({ etag: '"npm-1"', size: npmZip.length, url: `${server.url}/npm/all.zip`, fetchedAt: "2099-07-01T00:00:00.000Z" });
    expect(data.ecosystems.npm!.advisories.find((a) => a.id === "MAL-2099-1003")).toEqual({
      id: "MAL-2099-1003",
      summary: "Malicious code in @acme-tools/cli (npm)",
      modified: "2099-03-05T09:30:00Z",
      affected: [
        {
          name: "@acme-tools/cli",
          versions: [],
          ranges: [{ type: "SEMVER", events: [{ introduced: "3.0.0-beta.2" }, { fixed: "3.1.0" }, { introduced: "3.2.0" }, { last_affected: "3.2.4" }] }],
        },
      ],
    });
    // Neither the GHSA/PYSEC records nor the withdrawn MAL- one are kept.
    const ids = [...data.ecosystems.npm!.advisories, ...data.ecosystems.PyPI!.advisories].map((a) => a.id);
    expect(ids.filter((id) => !id.startsWith("MAL-") || id === "MAL-2099-1004")).toEqual([]);
  });

  it("reports added, removed and changed advisories on the next update, sending the stored ETags", async () => {
    await update();
    const later = osvRecords("npm");
    delete later["MAL-2099-1001.json"];
    later["MAL-2099-1002.json"] = later["MAL-2099-1002.json"]!.replace('"2.4.2" ]', '"2.4.2", "2.4.5" ]');
    Object.assign(later, osvRecords("later"));
    server.routes.set("/npm/all.zip", { kind: "zip", body: zipRecords(later), etag: '"npm-2"' });
    server.requests.length = 0;

    const report = await update();
    expect(report.errors).toEqual([]);
    expect(report.ecosystems).toMatchObject([
      { ecosystem: "npm", status: "updated", advisories: 3, added: ["MAL-2099-1005"], removed: ["MAL-2099-1001"], changed: ["MAL-2099-1002"] },
      { ecosystem: "PyPI", status: "unchanged", advisories: 2, added: [], removed: [], changed: [] },
    ]);
    expect(server.requests).toEqual([
      { path: "/npm/all.zip", ifNoneMatch: '"npm-1"' },
      { path: "/PyPI/all.zip", ifNoneMatch: '"pypi-1"' },
    ]);
    const data = readStoreFile(store)!;
    expect(data.ecosystems.npm!.etag).toBe('"npm-2"');
    expect(data.ecosystems.PyPI!.advisories.map((a) => a.id)).toEqual(["MAL-2099-2001", "MAL-2099-2002"]);
  });

  const failures: [string, Route, RegExp][] = [
    ["a server error", { kind: "status", status: 500 }, /HTTP 500/],
    ["a download cut short", { kind: "truncated", body: npmZip, bytes: Math.floor(npmZip.length / 2) }, /interrupted|truncated/],
    ["a short body that is not a whole zip", { kind: "raw", body: npmZip.subarray(0, npmZip.length - 30) }, /not a complete zip/],
    ["garbage", { kind: "raw", body: Buffer.from("<html>maintenance</html>") }, /not a complete zip/],
    ["a zip with no records", { kind: "raw", body: zipRecords({}) }, /no OSV records/],
    ["a corrupt record", { kind: "raw", body: zipRecords({ ...osvRecords("npm"), "MAL-2099-1009.json": '{"id": "MAL-2099-1009", ' }) }, /MAL-2099-1009\.json is not valid JSON/],
  ];

  it.each(failures)("keeps the old store byte for byte after %s, and says so", async (_name, route, message) => {
    await update();
    const before = readFileSync(store);
    server.routes.set("/npm/all.zip", route);
    server.routes.set("/PyPI/all.zip", route);

    const report = await update();
    expect(readFileSync(store).equals(before)).toBe(true);
    expect(report.written).toBe(false);
    expect(report.errors.map((e) => e.input)).toEqual([`${server.url}/npm/all.zip`, `${server.url}/PyPI/all.zip`]);
    expect(report.errors[0]!.message).toMatch(message);
    expect(report.errors[0]!.message).toContain("the stored advisories were kept");
    expect(report.ecosystems.map((e) => [e.status, e.advisories])).toEqual([["failed", 3], ["failed", 2]]);
  });

  it("updates the ecosystem that succeeded and keeps the one that failed", async () => {
    await update();
    const oldPypi = readStoreFile(store)!.ecosystems.PyPI;
    server.routes.set("/npm/all.zip", { kind: "zip", body: zipRecords({ ...osvRecords("npm"), ...osvRecords("later") }), etag: '"npm-2"' });
    server.routes.set("/PyPI/all.zip", { kind: "status", status: 503 });

    const report = await update();
    expect(report.written).toBe(true);
    expect(report.errors).toHaveLength(1);
    expect(report.ecosystems.map((e) => [e.ecosystem, e.status, e.added])).toEqual([
      ["npm", "updated", ["MAL-2099-1005"]],
      ["PyPI", "failed", []],
    ]);
    const after = readStoreFile(store)!;
    expect(after.ecosystems.npm!.advisories.map((a) => a.id)).toContain("MAL-2099-1005");
    expect(after.ecosystems.PyPI).toEqual(oldPypi);
  });

  it("creates no store when the first download fails", async () => {
    server.routes.set("/npm/all.zip", { kind: "status", status: 500 });
    server.routes.set("/PyPI/all.zip", { kind: "status", status: 500 });
    const report = await update();
    expect(report.errors[0]!.message).toContain("no advisories stored for it");
    expect(existsSync(store)).toBe(false);
  });

  it("reports a refused connection as an error", async () => {
    const closed = await startOsvServer();
    await closed.close();
    const report = await updateAdvisories({ storeFile: store, baseUrl: closed.url, ecosystems: ["npm"] });
    expect(report.errors[0]!.message).toMatch(/^npm: could not connect/);
    expect(existsSync(store)).toBe(false);
  });

  it("rebuilds a damaged store instead of refusing", async () => {
    writeFileSync(store, "{ not json");
    const report = await update();
    expect(report.errors).toEqual([]);
    expect(report.warnings[0]).toMatch(/unreadable.*rebuilding it from scratch/);
    expect(readStoreFile(store)!.updatedAt).toBe("2099-07-01T00:00:00.000Z");
  });
});

describe("exfilscan signatures update", () => {
  it("prints the changes as JSON and exits 0", async () => {
    const { code, stdout, stderr } = await cli(["--format", "json"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as UpdateReport;
    expect(report).toMatchObject({ schemaVersion: 1, store, source: server.url, written: true, errors: [] });
    expect(report.ecosystems.map((e) => e.added.length)).toEqual([3, 2]);
  });

  it("prints the changes as text", async () => {
    const { code, stdout } = await cli(["--format", "text"]);
    expect(code).toBe(0);
    expect(stdout).toContain("npm: 3 advisories (3 added, 0 removed, 0 changed)\n  + MAL-2099-1001\n");
    expect(stdout).toContain("PyPI: 2 advisories (2 added, 0 removed, 0 changed)");
    expect(stdout).toContain(`store: ${store}`);
  });

  it("exits 2 when an ecosystem fails, on stderr and in errors[], keeping the store", async () => {
    expect((await cli()).code).toBe(0);
    const before = readFileSync(store);
    server.routes.set("/PyPI/all.zip", { kind: "truncated", body: pypiZip, bytes: 40 });
    server.routes.set("/npm/all.zip", { kind: "status", status: 500 });
    const { code, stdout, stderr } = await cli(["--format", "json"]);
    expect(code).toBe(2);
    expect(readFileSync(store).equals(before)).toBe(true);
    expect((JSON.parse(stdout) as UpdateReport).errors).toHaveLength(2);
    expect(stderr).toContain(`${server.url}/npm/all.zip: npm: HTTP 500`);
    expect(stderr).toContain(`${server.url}/PyPI/all.zip: PyPI: download`);
  });

  it("fails clearly under --offline without a request, leaving the store alone", async () => {
    expect((await cli()).code).toBe(0);
    const before = readFileSync(store);
    server.requests.length = 0;
    const { code, stdout, stderr } = await cli(["--offline"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/--offline/);
    expect(server.requests).toEqual([]);
    expect(readFileSync(store).equals(before)).toBe(true);
  });

  it("takes the URL from --osv-url over the environment, and the store from EXFILSCAN_ADVISORY_STORE", async () => {
    const envStore = join(dir, "from-env.json");
    const { code } = await runCliAsync(["signatures", "update", "--ecosystem", "pypi", "--osv-url", server.url], {
      env: { EXFILSCAN_OSV_URL: "http://127.0.0.1:9/unused", EXFILSCAN_ADVISORY_STORE: envStore },
    });
    expect(code).toBe(0);
    expect(Object.keys(readStoreFile(envStore)!.ecosystems)).toEqual(["PyPI"]);
    expect(server.requests.map((r) => r.path)).toEqual(["/PyPI/all.zip"]);
  });

  it("defaults the store to $XDG_CACHE_HOME/exfilscan/advisories.json", async () => {
    const cache = join(dir, "cache");
    const { code } = await runCliAsync(["signatures", "update", "--ecosystem", "npm"], {
      env: { EXFILSCAN_OSV_URL: server.url, XDG_CACHE_HOME: cache, EXFILSCAN_ADVISORY_STORE: "" },
    });
    expect(code).toBe(0);
    expect(existsSync(join(cache, "exfilscan", "advisories.json"))).toBe(true);
  });
});
