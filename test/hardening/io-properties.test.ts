// Issue #16: property-based checks (fast-check, fixed seeds so a failure reproduces) of the
// manifest readers, directory targets and the registry client. Each property can fail:
// a throw other than the documented error type, a name that is not in the manifest, a file
// read from outside the target, a credential seen by another host, more requests than the
// attempts allowed, a body over the cap. Bounds are by counts, never by time.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngestError } from "../../src/core/errors.js";
import { DEFAULT_LIMITS, loadTarget, type LoadedPackage } from "../../src/ingest/index.js";
import { identifyPackage } from "../../src/ingest/package-identity.js";
import { readCoreMetadata, readInTreeBackend, readPyproject, readPythonMetadata, readSetupCfg, readSetupPy } from "../../src/ingest/python-metadata.js";
import { parseNpmrc } from "../../src/registry/config.js";
import { defaultRegistryOptions, download, type RegistryOptions } from "../../src/registry/http.js";

const root = mkdtempSync(join(tmpdir(), "exfilscan-ioprops-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// ---- manifest readers -------------------------------------------------------------------------

/** Lines that look like manifest lines, with the characters parsers trip on. */
const manifestText = (keys: string[]) =>
  fc
    .array(
      fc.oneof(
        fc.tuple(fc.constantFrom(...keys), fc.constantFrom("=", ":", " = ", ": ", "=="), fc.string({ maxLength: 30 }), fc.constantFrom("", '"', "'", "\\", "[", "]")).map(([k, sep, v, q]) => `${k}${sep}${q}${v}${q}`),
        fc.constantFrom("[project]", "[metadata]", "[tool.poetry]", "[build-system]", "setup(", ")", '"""', "'''", "#", "", " ", "\t", "\r", "\\", "[", "]", "{", "}", "name", "version"),
        fc.string({ maxLength: 40 }),
      ),
      { maxLength: 40 },
    )
    .chain((lines) => fc.constantFrom("\n", "\r\n", "\r").map((eol) => lines.join(eol)));

describe("manifest readers on hostile text", () => {
  it("PKG-INFO, setup.cfg, setup.py, pyproject.toml: never throw, and give a name and version found in the text on one line", () => {
    const readers: [string, (t: string) => { name?: string; version?: string }, string[]][] = [
      ["PKG-INFO", readCoreMetadata, ["Name", "Version", "name", "Metadata-Version"]],
      ["setup.cfg", readSetupCfg, ["name", "version", "[metadata]"]],
      ["setup.py", readSetupPy, ["name", "version", "setup(name", "setup(version"]],
      ["pyproject.toml", readPyproject, ["name", "version", "[project]", "[tool.poetry]"]],
    ];
    for (const [file, read, keys] of readers) {
      fc.assert(
        fc.property(manifestText(keys), (text) => {
          const meta = read(text);
          for (const value of [meta.name, meta.version]) {
            if (value === undefined) continue;
            expect(typeof value, file).toBe("string");
            expect(value.length, file).toBeGreaterThan(0);
            expect(value, file).not.toMatch(/[\r\n]/);
            // pyproject strings may hold TOML escapes; the others are copied from the text.
            if (file !== "pyproject.toml") expect(text.includes(value), `${file}: ${JSON.stringify(value)}`).toBe(true);
          }
        }),
        { numRuns: 300, seed: 1701 },
      );
    }
  });

  it("the in-tree build backend reader never throws and gives only strings", () => {
    fc.assert(
      fc.property(manifestText(["build-backend", "backend-path", "[build-system]", "requires"]), (text) => {
        const backend = readInTreeBackend(text);
        if (backend) {
          expect(typeof backend.module).toBe("string");
          expect(backend.paths.every((p) => typeof p === "string")).toBe(true);
        }
      }),
      { numRuns: 300, seed: 1702 },
    );
  });

  it("package.json and any set of Python manifests: identification never throws, an invalid package.json is an entry naming it", () => {
    const manifests = fc.dictionary(fc.constantFrom("package.json", "PKG-INFO", "setup.py", "setup.cfg", "pyproject.toml", "x.dist-info/METADATA", "EGG-INFO/PKG-INFO", "a.py"), fc.oneof(manifestText(["name", "version", "Name", "Version"]), fc.json(), fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString("latin1"))), { minKeys: 1, maxKeys: 4 });
    fc.assert(
      fc.property(manifests, (entries) => {
        const files = new Map(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v)]));
        const pkg: LoadedPackage = { input: "t", files, bytes: 0, errors: [] };
        identifyPackage(pkg);
        if (files.has("package.json")) {
          expect(pkg.ecosystem).toBe("npm");
          let valid = true;
          try {
            JSON.parse(entries["package.json"]!);
          } catch {
            valid = false;
          }
          expect(pkg.errors.some((e) => e.file === "package.json")).toBe(!valid);
        } else {
          expect(pkg.ecosystem).toBe("pypi");
          expect(readPythonMetadata(files)).toEqual({ ...(pkg.name ? { name: pkg.name } : {}), ...(pkg.version ? { version: pkg.version } : {}) });
        }
        for (const value of [pkg.name, pkg.version]) if (value !== undefined) expect(typeof value).toBe("string");
      }),
      { numRuns: 300, seed: 1703 },
    );
  });
});

// ---- directory targets ------------------------------------------------------------------------

type Entry = { kind: "file" | "dir" | "link-in" | "link-out" | "link-dir-out" | "fifo"; name: string };
const SECRET = "OUTSIDE-SECRET-4f1c";

describe("directory targets with links, FIFOs and nested folders", () => {
  const outside = join(root, "outside");
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, "secret.txt"), SECRET);
  let count = 0;

  it("only regular files inside the target are read; links out are listed; a FIFO is never opened", async () => {
    const entry = fc.record({ kind: fc.constantFrom<Entry["kind"]>("file", "file", "dir", "link-in", "link-out", "link-dir-out", "fifo"), name: fc.stringMatching(/^[a-z][a-z0-9._-]{0,8}$/) });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: 3 }), entry), { maxLength: 14 }), async (spec) => {
        const dir = join(root, `tree${count++}`);
        mkdirSync(dir);
        const folders = [""];
        const regular = new Set<string>();
        const linksOut = new Set<string>();
        const taken = new Set<string>();
        for (const [at, { kind, name }] of spec) {
          const parent = folders[at % folders.length]!;
          const rel = parent ? `${parent}/${name}` : name;
          if (taken.has(rel) || name === "node_modules" || name === ".git") continue;
          taken.add(rel);
          const full = join(dir, rel);
          if (kind === "file") {
            writeFileSync(full, `content of ${rel}`);
            regular.add(rel);
          } else if (kind === "dir") {
            mkdirSync(full);
            folders.push(rel);
          } else if (kind === "link-in") {
            if (regular.size === 0) continue;
            const target = [...regular][0]!;
            symlinkSync(join(dir, target), full);
          } else if (kind === "link-out" || kind === "link-dir-out") {
            symlinkSync(kind === "link-out" ? join(outside, "secret.txt") : outside, full);
            linksOut.add(rel);
          } else execFileSync("mkfifo", [full]);
        }
        const pkg = await loadTarget(dir, DEFAULT_LIMITS);
        for (const [path, content] of pkg.files) {
          expect(content.toString(), path).not.toContain(SECRET);
          expect(path.startsWith("/") || path.split("/").includes("..")).toBe(false);
        }
        // Every regular file is read; every link out of the target is said, with its name.
        for (const path of regular) expect(pkg.files.get(path)?.toString(), path).toBe(`content of ${path}`);
        for (const path of linksOut) expect(pkg.errors.some((e) => e.file === path), path).toBe(true);
      }),
      { numRuns: 60, seed: 1704 },
    );
  });

  it("a top-level target that is a link, FIFO or device is refused with an IngestError; a regular file or folder is read", async () => {
    const kinds = ["link-file", "link-dir", "fifo", "device", "file", "dir"] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds), async (kind) => {
        const path = join(root, `top${count++}`);
        if (kind === "link-file") symlinkSync(join(outside, "secret.txt"), path);
        else if (kind === "link-dir") symlinkSync(outside, path);
        else if (kind === "fifo") execFileSync("mkfifo", [path]);
        else if (kind === "file") writeFileSync(path, "module.exports = 1;\n");
        else if (kind === "dir") {
          mkdirSync(path);
          writeFileSync(join(path, "index.js"), "module.exports = 1;\n");
        }
        const target = kind === "device" ? "/dev/zero" : path;
        const result = await loadTarget(target, DEFAULT_LIMITS).then(
          (pkg) => pkg,
          (error: unknown) => error,
        );
        if (kind === "dir") expect(result).not.toBeInstanceOf(Error);
        else if (kind === "file") {
          // A plain file is opened (then refused as not an archive or package): never as a link or device.
          expect(String(result)).not.toMatch(/symbolic link|device, FIFO/);
        } else {
          expect(result).toBeInstanceOf(IngestError);
          expect(String(result)).not.toContain(SECRET);
        }
      }),
      { numRuns: 24, seed: 1705 },
    );
  });
});

// ---- registry client --------------------------------------------------------------------------

type Reply =
  | { kind: "ok"; size: number; declared: "exact" | "none" | "longer"; type: string }
  | { kind: "status"; status: number }
  | { kind: "reset" }
  | { kind: "redirect-other" }
  | { kind: "redirect-same" }
  | { kind: "hang" };

const TOKEN = "npm_PROPERTY_TOKEN_0123456789";

describe("registry client against a hostile loopback server", () => {
  let registry: Server;
  let other: Server;
  let base = "";
  let otherBase = "";
  let script: Reply[] = [];
  let served = 0;
  const seenByOther: IncomingHttpHeaders[] = [];

  const body = (size: number) => Buffer.alloc(size, 97);
  const respond = (reply: Reply, res: import("node:http").ServerResponse, req: import("node:http").IncomingMessage) => {
    switch (reply.kind) {
      case "ok": {
        const headers: Record<string, string> = { "content-type": reply.type };
        if (reply.declared === "exact") headers["content-length"] = String(reply.size);
        if (reply.declared === "longer") headers["content-length"] = String(reply.size + 100);
        res.writeHead(200, headers);
        res.write(body(reply.size));
        // A body shorter than declared: the connection is cut after it.
        if (reply.declared === "longer") setTimeout(() => req.socket.destroy(), 5);
        else res.end();
        return;
      }
      case "status":
        return res.writeHead(reply.status).end("error page");
      case "reset":
        return req.socket.destroy();
      case "redirect-other":
        return res.writeHead(302, { location: `${otherBase}/landing` }).end();
      case "redirect-same":
        return res.writeHead(302, { location: `${base}/again` }).end();
      case "hang":
        return; // no answer: the client's timeout ends it
    }
  };

  beforeAll(async () => {
    registry = createServer((req, res) => {
      const reply = script[served++] ?? { kind: "status", status: 500 };
      respond(reply, res, req);
    });
    other = createServer((req, res) => {
      seenByOther.push(req.headers);
      res.writeHead(200, { "content-type": "text/plain" }).end("elsewhere");
    });
    await new Promise<void>((resolve) => registry.listen(0, "127.0.0.1", resolve));
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
    otherBase = `http://localhost:${(other.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    registry.closeAllConnections();
    other.closeAllConnections();
    await new Promise<void>((resolve) => registry.close(() => resolve()));
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });

  const reply: fc.Arbitrary<Reply> = fc.oneof(
    fc.record({ kind: fc.constant("ok" as const), size: fc.nat({ max: 6000 }), declared: fc.constantFrom("exact" as const, "none" as const, "longer" as const), type: fc.constantFrom("application/octet-stream", "text/html", "application/json", "image/png") }),
    fc.record({ kind: fc.constant("status" as const), status: fc.constantFrom(400, 401, 403, 404, 410, 429, 500, 502, 503, 504) }),
    fc.constant({ kind: "reset" as const }),
    fc.constant({ kind: "redirect-other" as const }),
    fc.constant({ kind: "redirect-same" as const }),
    fc.constant({ kind: "hang" as const }),
  );

  it("gives the whole body within the cap or an IngestError; never more requests than attempts; the token and password never leave their host or reach a message", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(reply, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(1000, 4096, 1 << 20), async (replies, attempts, maxBodyBytes) => {
        script = replies;
        served = 0;
        seenByOther.length = 0;
        const host = base.replace(/^http:/, "");
        const options: RegistryOptions = {
          ...defaultRegistryOptions({}),
          cacheDir: mkdtempSync(join(root, "cache-")),
          attempts,
          backoffMs: 1,
          timeoutMs: 300,
          maxBodyBytes,
          npmrc: parseNpmrc(`${host}/:_authToken=${TOKEN}\n`, {}),
        };
        const url = `${base.replace("//", "//alice:pw-s3cr3t@")}/pkg.tgz`;
        const result = await download(url, options).then(
          (b) => b,
          (e: unknown) => e,
        );
        // Requests to the registry: one per attempt, plus the hop of a same-host redirect.
        expect(served).toBeLessThanOrEqual(attempts * 2);
        for (const headers of seenByOther) {
          expect(headers["authorization"]).toBeUndefined();
          expect(JSON.stringify(headers)).not.toContain(TOKEN);
          expect(JSON.stringify(headers)).not.toContain("pw-s3cr3t");
        }
        if (Buffer.isBuffer(result)) {
          expect(result.length).toBeLessThanOrEqual(maxBodyBytes);
          // What the client returns is a body the servers really sent in full.
          const first = replies.find((r) => r.kind === "ok" || r.kind === "redirect-other");
          expect(first).toBeDefined();
          if (result.toString() !== "elsewhere") expect(result.equals(body(result.length))).toBe(true);
          // A truncated body (shorter than declared) is never accepted as whole.
          expect(replies.some((r) => r.kind === "ok" && r.declared === "longer" && r.size === result.length && result.length > 0 && served === 1 && attempts === 1)).toBe(false);
        } else {
          expect(result).toBeInstanceOf(IngestError);
          expect(String(result)).not.toContain("pw-s3cr3t");
          expect(String(result)).not.toContain(TOKEN);
        }
      }),
      { numRuns: 60, seed: 1706 },
    );
  });
});
