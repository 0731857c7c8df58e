// A loopback npm registry and PyPI index for the deps tests: packuments and tarballs built
// at test time from fixture folders, the PyPI JSON API, the PEP 691 simple API and sdists.
// Optionally a wheel of a PyPI package. Special routes: a tarball whose bytes differ from what it advertises, a 404, a slow
// answer, a 5xx then success, and a private scope that requires a bearer token.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { makeTar, makeZip } from "../helpers/archives.js";

export interface ServedPackage {
  ecosystem: "npm" | "pypi";
  name: string;
  version: string;
  dir: string;
  /** Serve these bytes instead of the archive (the packument still advertises the real digest). */
  tamper?: boolean;
  /** Answer 503 this many times before serving. */
  failFirst?: number;
  /** Never answer (the client's timeout fires). */
  hang?: boolean;
  /** Require this bearer token. */
  token?: string;
  /** PyPI: also serve a py3-none-any wheel of the folder (its files at the root, a dist-info with METADATA, WHEEL and RECORD). */
  wheel?: boolean;
  /** Serve other bytes for the wheel than the ones the index advertises. */
  tamperWheel?: boolean;
}

function files(dir: string, prefix: string): { path: string; content: Buffer }[] {
  const out: { path: string; content: Buffer }[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push({ path: `${prefix}/${relative(dir, full).split("\\").join("/")}`, content: readFileSync(full) });
    }
  };
  walk(dir);
  return out;
}

export class TestRegistry {
  readonly archives = new Map<string, Buffer>();
  /** name@version → the wheel's entries (path → content), as an installer would write them. */
  readonly wheelEntries = new Map<string, Record<string, Buffer>>();
  private readonly wheels = new Map<string, Buffer>();
  readonly hits: string[] = [];
  readonly authHeaders: { url: string; authorization?: string }[] = [];
  private server!: Server;
  private readonly failures = new Map<string, number>();
  base = "";
  /** When set, npm tarball answers are held until this many tarball requests are open at once (or 3 s pass): shows whether the client fetches in parallel without depending on timing. */
  holdTarballsUntil = 0;
  /** The most npm tarball requests that were open at once. */
  maxTarballsOpen = 0;
  private held: (() => void)[] = [];

  private answerTarball(send: () => void): void {
    if (!this.holdTarballsUntil) return send();
    this.held.push(send);
    this.maxTarballsOpen = Math.max(this.maxTarballsOpen, this.held.length);
    const release = () => this.held.splice(0).forEach((f) => f());
    if (this.held.length >= this.holdTarballsUntil) return release();
    setTimeout(() => this.held.includes(send) && release(), 3000).unref();
  }

  constructor(private readonly packages: ServedPackage[]) {
    for (const p of packages) {
      const id = `${p.name}@${p.version}`;
      const archive =
        p.ecosystem === "npm" ? makeTar(files(p.dir, "package")) : makeTar(files(p.dir, `${p.name.replace(/-/g, "_")}-${p.version}`));
      this.archives.set(id, archive);
      if (p.wheel) {
        const distInfo = `${p.name.replace(/-/g, "_")}-${p.version}.dist-info`;
        const entries: Record<string, Buffer> = {};
        for (const f of files(p.dir, "")) entries[f.path.slice(1)] = f.content;
        entries[`${distInfo}/METADATA`] = Buffer.from(`Metadata-Version: 2.1\nName: ${p.name}\nVersion: ${p.version}\n`);
        entries[`${distInfo}/WHEEL`] = Buffer.from("Wheel-Version: 1.0\nGenerator: exfilscan-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
        const record = Object.entries(entries).map(([path, content]) => `${path},sha256=${createHash("sha256").update(content).digest("base64url")},${content.length}`);
        entries[`${distInfo}/RECORD`] = Buffer.from(`${[...record, `${distInfo}/RECORD,,`].join("\n")}\n`);
        this.wheelEntries.set(id, entries);
        this.wheels.set(id, makeZip(entries));
      }
      if (p.failFirst) this.failures.set(id, p.failFirst);
    }
  }

  sri(id: string): string {
    return `sha512-${createHash("sha512").update(this.archive(id)).digest("base64")}`;
  }

  sha256(id: string): string {
    return createHash("sha256").update(this.archive(id)).digest("hex");
  }

  wheelName(id: string): string {
    const [name, version] = id.split("@");
    return `${name!.replace(/-/g, "_")}-${version}-py3-none-any.whl`;
  }

  wheelSha256(id: string): string {
    const data = this.wheels.get(id);
    if (!data) throw new Error(`test registry serves no wheel of ${id}`);
    return createHash("sha256").update(data).digest("hex");
  }

  private archive(id: string): Buffer {
    const data = this.archives.get(id);
    if (!data) throw new Error(`test registry does not serve ${id}`);
    return data;
  }

  private sdistName(p: ServedPackage): string {
    return `${p.name}-${p.version}.tar.gz`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = decodeURIComponent(req.url ?? "");
      this.hits.push(url);
      this.authHeaders.push({ url, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      const json = (body: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
      for (const p of this.packages) {
        const id = `${p.name}@${p.version}`;
        const gate = (): boolean => {
          if (p.token && req.headers.authorization !== `Bearer ${p.token}`) {
            res.writeHead(401).end("authentication required");
            return false;
          }
          if (p.hang) return false; // never answered; the client times out
          const left = this.failures.get(id) ?? 0;
          if (left > 0) {
            this.failures.set(id, left - 1);
            res.writeHead(503).end("busy");
            return false;
          }
          return true;
        };
        const body = () => (p.tamper ? Buffer.concat([this.archive(id), Buffer.from("tampered")]) : this.archive(id));
        if (p.ecosystem === "npm") {
          // A private package lives under its own registry path, like a scoped registry does.
          const prefix = p.token ? "/private" : "";
          const tarball = `${prefix}/${p.name}/-/${p.name.split("/").pop()}-${p.version}.tgz`;
          if (url === `${prefix}/${p.name}`) {
            if (!gate()) return undefined;
            return json({ name: p.name, versions: { [p.version]: { name: p.name, version: p.version, dist: { tarball: `${this.base}${tarball}`, integrity: this.sri(id) } } } });
          }
          if (url === tarball) return gate() ? this.answerTarball(() => res.writeHead(200).end(body())) : undefined;
        } else {
          const file = `/files/${this.sdistName(p)}`;
          const wheel = p.wheel ? { filename: this.wheelName(id), path: `/files/${this.wheelName(id)}`, sha256: this.wheelSha256(id) } : undefined;
          if (url === `/pypi/${p.name}/${p.version}/json`) {
            const urls = [{ filename: this.sdistName(p), url: `${this.base}${file}`, packagetype: "sdist", digests: { sha256: this.sha256(id) } }];
            if (wheel) urls.push({ filename: wheel.filename, url: `${this.base}${wheel.path}`, packagetype: "bdist_wheel", digests: { sha256: wheel.sha256 } });
            return json({ info: { name: p.name, version: p.version }, urls });
          }
          if (url === `/simple/${p.name}/`) {
            const listed = [{ filename: this.sdistName(p), url: `../../files/${this.sdistName(p)}`, hashes: { sha256: this.sha256(id) } }];
            if (wheel) listed.push({ filename: wheel.filename, url: `../../files/${wheel.filename}`, hashes: { sha256: wheel.sha256 } });
            return res.writeHead(200, { "content-type": "application/vnd.pypi.simple.v1+json" }).end(JSON.stringify({ meta: { "api-version": "1.0" }, name: p.name, files: listed }));
          }
          if (url === file) return gate() ? res.writeHead(200).end(body()) : undefined;
          if (wheel && url === wheel.path) return gate() ? res.writeHead(200).end(p.tamperWheel ? Buffer.concat([this.wheels.get(id)!, Buffer.from("tampered")]) : this.wheels.get(id)) : undefined;
        }
      }
      return res.writeHead(404).end("not found");
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
