// A loopback npm registry (packuments with dist-tags, tarballs) and PyPI simple index (PEP 691
// JSON; wheels and sdists) built at test time from fixtures/guard. Nothing leaves 127.0.0.1.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { zipSync } from "fflate";
import { makeTar } from "../helpers/archives.js";

export const GUARD_FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "guard");

export interface Served {
  ecosystem: "npm" | "pypi";
  name: string;
  version: string;
  /** Folder under fixtures/guard/<ecosystem>/. */
  fixture: string;
  /** PyPI: "wheel" (default) or "sdist". */
  kind?: "wheel" | "sdist";
  /** npm: package.json dependencies to advertise (written into the packed package.json too). */
  dependencies?: Record<string, string>;
}

function walk(dir: string): { rel: string; content: Buffer }[] {
  const out: { rel: string; content: Buffer }[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) visit(full);
      else out.push({ rel: relative(dir, full).split("\\").join("/"), content: readFileSync(full) });
    }
  };
  visit(dir);
  return out;
}

interface File {
  name: string;
  data: Buffer;
}

function buildNpm(p: Served): File {
  const files = walk(join(GUARD_FIXTURES, "npm", p.fixture)).map((f) => {
    if (f.rel !== "package.json") return { path: `package/${f.rel}`, content: f.content };
    const manifest = { ...JSON.parse(f.content.toString("utf8")), name: p.name, version: p.version, ...(p.dependencies ? { dependencies: p.dependencies } : {}) };
    return { path: "package/package.json", content: Buffer.from(JSON.stringify(manifest, null, 2)) };
  });
  return { name: `${p.name}-${p.version}.tgz`, data: makeTar(files) };
}

function buildPypi(p: Served): File {
  const dist = p.name.replace(/-/g, "_");
  const files = walk(join(GUARD_FIXTURES, "pypi", p.fixture));
  if (p.kind === "sdist") {
    return { name: `${p.name}-${p.version}.tar.gz`, data: makeTar(files.map((f) => ({ path: `${dist}-${p.version}/${f.rel}`, content: f.content }))) };
  }
  const info = `${dist}-${p.version}.dist-info`;
  const entries: Record<string, Uint8Array> = {};
  for (const f of files) entries[f.rel] = f.content;
  entries[`${info}/METADATA`] = Buffer.from(`Metadata-Version: 2.1\nName: ${p.name}\nVersion: ${p.version}\n\n`);
  entries[`${info}/WHEEL`] = Buffer.from("Wheel-Version: 1.0\nGenerator: exfilscan-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
  entries[`${info}/RECORD`] = Buffer.from([...Object.keys(entries), `${info}/RECORD`].map((n) => `${n},,`).join("\n") + "\n");
  return { name: `${dist}-${p.version}-py3-none-any.whl`, data: Buffer.from(zipSync(entries, { mtime: new Date(2000, 0, 1) })) };
}

export class GuardRegistry {
  readonly hits: string[] = [];
  private readonly files = new Map<string, File>();
  private server: Server | undefined;
  base = "";

  constructor(private readonly packages: Served[]) {
    for (const p of packages) this.files.set(`${p.ecosystem}:${p.name}@${p.version}`, p.ecosystem === "npm" ? buildNpm(p) : buildPypi(p));
  }

  private file(p: Served): File {
    return this.files.get(`${p.ecosystem}:${p.name}@${p.version}`)!;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = decodeURIComponent((req.url ?? "").split("?")[0]!);
      this.hits.push(url);
      const json = (type: string, body: unknown) => res.writeHead(200, { "content-type": type }).end(JSON.stringify(body));
      // npm packument: /<name> (scoped names arrive as /@scope/name once decoded)
      const npm = this.packages.filter((p) => p.ecosystem === "npm" && url === `/${p.name}`);
      if (npm.length) {
        const versions: Record<string, unknown> = {};
        for (const p of npm) {
          const f = this.file(p);
          versions[p.version] = {
            name: p.name, version: p.version, ...(p.dependencies ? { dependencies: p.dependencies } : {}),
            ...(JSON.parse(readFileSync(join(GUARD_FIXTURES, "npm", p.fixture, "package.json"), "utf8")).scripts?.postinstall ? { hasInstallScript: true } : {}),
            dist: { tarball: `${this.base}/-/files/${encodeURIComponent(f.name)}`, integrity: `sha512-${createHash("sha512").update(f.data).digest("base64")}` },
          };
        }
        return json("application/json", { name: npm[0]!.name, "dist-tags": { latest: npm.at(-1)!.version }, versions });
      }
      const simple = /^\/simple\/([^/]+)\/$/.exec(url);
      if (simple) {
        const pkgs = this.packages.filter((p) => p.ecosystem === "pypi" && p.name.toLowerCase().replace(/[-_.]+/g, "-") === simple[1]);
        if (!pkgs.length) return res.writeHead(404).end("not found");
        return json("application/vnd.pypi.simple.v1+json", {
          meta: { "api-version": "1.0" },
          name: simple[1],
          files: pkgs.map((p) => {
            const f = this.file(p);
            return { filename: f.name, url: `${this.base}/-/files/${encodeURIComponent(f.name)}`, hashes: { sha256: createHash("sha256").update(f.data).digest("hex") } };
          }),
        });
      }
      const file = /^\/-\/files\/(.+)$/.exec(url);
      if (file) {
        const f = [...this.files.values()].find((x) => x.name === file[1]);
        if (f) return res.writeHead(200, { "content-type": "application/octet-stream" }).end(f.data);
      }
      return res.writeHead(404).end("not found");
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
