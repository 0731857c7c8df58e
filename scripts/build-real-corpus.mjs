#!/usr/bin/env node
// Build the real-world stealer corpus from git mirrors of public repositories,
// as listed in test/real-world/labels.tsv (source = owner/repo@commit:path|path).
// Each sample is wrapped minimally as the package it would ship as (column wrap);
// the wrapping adds no behaviour. Files are copied with `git show`, never run.
//
//   node scripts/build-real-corpus.mjs --mirrors /work/.mirror --out /work/eval/corpus
//
// Mirrors are bare or non-bare git directories at <mirrors>/<owner>+<repo>/repo.
// The corpus lives outside the repository and is never committed.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { parseLabels, parseSource, stripPrefix } from "./eval-lib.mjs";

const root = join(import.meta.dirname, "..");
const { values: opts } = parseArgs({
  options: {
    labels: { type: "string", default: join(root, "test/real-world/labels.tsv") },
    mirrors: { type: "string", default: "/work/.mirror" },
    out: { type: "string", default: "/work/eval/corpus" },
    force: { type: "boolean", default: false },
  },
});

function gitDir(repo) {
  const base = join(opts.mirrors, repo.replace("/", "+"), "repo");
  return existsSync(join(base, ".git")) ? join(base, ".git") : base;
}

function git(repo, args, encoding = "buffer") {
  return execFileSync("git", ["--git-dir", gitDir(repo), ...args], { encoding, maxBuffer: 64 << 20 });
}

function listFiles(repo, commit, p) {
  if (!p.endsWith("/")) return [p];
  return git(repo, ["ls-tree", "-r", "--name-only", commit, "--", p], "utf8").split("\n").filter(Boolean);
}

function put(file, data) {
  if (data === null) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
}

const pyName = (name) => name.toLowerCase().replace(/[^a-z0-9_]/g, "_").replace(/^(\d)/, "_$1");
const minimalSetup = (name, version, pkgs) =>
  `from setuptools import setup\n\nsetup(name=${JSON.stringify(name)}, version=${JSON.stringify(version)}, packages=${JSON.stringify(pkgs)})\n`;

const { labels, errors } = parseLabels(readFileSync(opts.labels, "utf8"));
if (errors.length) {
  console.error(errors.join("\n"));
  process.exit(2);
}
let built = 0;
let skipped = 0;
const failed = [];
for (const l of labels) {
  if (l.wrap === "datadog") continue;
  const src = parseSource(l.source);
  const dest = join(opts.out, l.ecosystem, l.name.replace("/", "+"), l.version);
  if (existsSync(dest) && !opts.force) {
    skipped++;
    continue;
  }
  try {
    if (!src) throw new Error(`bad source ${l.source}`);
    rmSync(dest, { recursive: true, force: true });
    const files = src.paths.flatMap((p) => listFiles(src.repo, src.commit, p));
    if (!files.length) throw new Error("no files");
    const entry = files[0];
    const absent = [];
    const readAny = (f) => git(src.repo, ["show", `${src.commit}:${f}`]);
    // A blob the mirror lacks (large binaries are left out of snapshots) is
    // skipped and reported; the entry file itself must be present.
    const read = (f) => {
      try {
        return readAny(f);
      } catch (e) {
        if (f === entry) throw e;
        absent.push(f);
        return null;
      }
    };
    const strip = stripPrefix(l.wrap, src.paths, files);
    const rel = (f) => (strip && f.startsWith(strip) ? f.slice(strip.length) : f);
    switch (l.wrap) {
      case "setup.py":
        put(join(dest, "setup.py"), read(entry));
        for (const f of files.slice(1)) put(join(dest, rel(f)), read(f));
        break;
      case "init": {
        const mod = pyName(l.name);
        put(join(dest, mod, "__init__.py"), read(entry));
        for (const f of files.slice(1)) put(join(dest, mod, rel(f)), read(f));
        put(join(dest, "setup.py"), minimalSetup(l.name, l.version, [mod]));
        break;
      }
      case "pytree":
        for (const f of files) put(join(dest, rel(f)), read(f));
        if (!existsSync(join(dest, "setup.py")) && !existsSync(join(dest, "pyproject.toml")))
          put(join(dest, "setup.py"), minimalSetup(l.name, l.version, []));
        break;
      case "npm-install":
      case "npm-main": {
        put(join(dest, "index.js"), read(entry));
        for (const f of files.slice(1)) put(join(dest, rel(f)), read(f));
        const pkg = { name: l.name, version: l.version, main: "index.js" };
        if (l.wrap === "npm-install") pkg.scripts = { postinstall: "node index.js" };
        put(join(dest, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
        break;
      }
      case "npmtree":
      case "npmtree+postinstall": {
        for (const f of files) put(join(dest, rel(f)), read(f));
        const pj = join(dest, "package.json");
        let pkg = { name: l.name, version: l.version, main: rel(entry) };
        if (existsSync(pj)) {
          try {
            pkg = JSON.parse(readFileSync(pj, "utf8"));
          } catch {
            /* keep the file as shipped */
          }
        }
        if (l.wrap === "npmtree+postinstall") pkg.scripts = { ...(pkg.scripts ?? {}), postinstall: `node ${rel(entry)}` };
        if (l.wrap === "npmtree+postinstall" || !existsSync(pj)) put(pj, JSON.stringify(pkg, null, 2) + "\n");
        break;
      }
      default:
        throw new Error(`unknown wrap ${l.wrap}`);
    }
    if (absent.length) console.log(`${l.ecosystem}/${l.name}: absent from the mirror, skipped: ${absent.join(", ")}`);
    built++;
  } catch (e) {
    failed.push(`${l.ecosystem}/${l.name}/${l.version}: ${e.message.split("\n")[0]}`);
  }
}
console.log(`built ${built}, kept ${skipped} already present, failed ${failed.length}`);
if (failed.length) console.log(failed.map((f) => `  ${f}`).join("\n"));
process.exit(failed.length ? 1 : 0);
