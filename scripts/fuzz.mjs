#!/usr/bin/env node
// `npm run fuzz [-- --seconds N --seed S]`: feeds mutated fixtures to every front-end in
// this process (JS and Python analyzers, manifests, archives, log parsers, lockfile
// parsers) until the time is up. A crash (an exception that is not a typed rejection) or a
// case slower than --slow-ms is printed with its seed and case number, and its input is
// saved under the OS temp dir. Same seed, same cases. Not part of `npm test`. Needs dist/.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { makeTarBytes, makeZipBytes } from "./gen-hostile.mjs";

const dist = new URL("../dist/", import.meta.url);
const { scanLoadedPackage } = await import(new URL("scan.js", dist));
const { loadSignatures } = await import(new URL("rules/signatures.js", dist));
const { PARSERS } = await import(new URL("logs/parsers/index.js", dist));
const { parseLockfileText, isLockfileName } = await import(new URL("deps/lockfiles/index.js", dist));
const { loadTarget, DEFAULT_LIMITS } = await import(new URL("ingest/index.js", dist));
const { isKnownError } = await import(new URL("core/errors.js", dist));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = arg("--seconds", 60);
const seed = arg("--seed", Date.now() % 2 ** 31);
const slowMs = arg("--slow-ms", 20_000);

/** mulberry32: a small seeded PRNG (same seed, same mutations). */
function prng(state) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const root = new URL("../fixtures/", import.meta.url).pathname;
function filesUnder(dir, test) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isFile() && st.size < 256 * 1024 && test(full)) out.push(full);
    }
  };
  walk(dir);
  return out;
}
const corpus = {
  js: filesUnder(join(root, "npm"), (f) => /\.(c|m)?js$/.test(f)),
  py: filesUnder(join(root, "pypi"), (f) => f.endsWith(".py")),
  manifest: filesUnder(root, (f) => /(package\.json|PKG-INFO|setup\.cfg|pyproject\.toml)$/.test(f)),
  log: filesUnder(join(root, "logs"), () => true),
  lock: filesUnder(join(root, "lockfiles"), (f) => isLockfileName(f.split("/").pop())),
};

const TOKENS = ["(", ")", "[", "]", "{", "}", "'", '"', "`", "\\", "\n", "\0", "\x1b[2J", "eval(", "exec(", "=", ";", ":", "/", "é", "\u202e", "0".repeat(40), "-".repeat(5000)];
function mutate(text, rand) {
  let s = text;
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * (s.length + 1));
    switch (Math.floor(rand() * 7)) {
      case 0: s = s.slice(0, at); break; // truncate
      case 1: s = s.slice(0, at) + TOKENS[Math.floor(rand() * TOKENS.length)] + s.slice(at); break;
      case 2: s = s.slice(0, at) + String.fromCharCode(Math.floor(rand() * 0x3000)) + s.slice(at + 1); break;
      case 3: { const len = Math.floor(rand() * 64); s = s.slice(0, at) + s.slice(at, at + len).repeat(1 + Math.floor(rand() * 200)) + s.slice(at + len); break; }
      case 4: { const depth = Math.floor(rand() * 3000); s = s.slice(0, at) + "[".repeat(depth) + "]".repeat(depth) + s.slice(at); break; }
      case 5: s = s.slice(0, at) + s.slice(Math.floor(rand() * s.length)); break; // splice a tail
      default: s = s.slice(0, at) + s.slice(at).split("\n").reverse().join("\n");
    }
  }
  return s;
}

const signatures = loadSignatures([]);
const pick = (list, rand) => list[Math.floor(rand() * list.length)];
const read = (f) => readFileSync(f, "latin1");

const FRONTS = {
  async js(rand) {
    const text = mutate(read(pick(corpus.js, rand)), rand);
    const files = new Map([["package.json", Buffer.from('{"name":"f","version":"1.0.0","main":"index.js","scripts":{"postinstall":"node index.js"}}')], ["index.js", Buffer.from(text, "latin1")]]);
    await scanLoadedPackage({ input: "fuzz", files, bytes: text.length, errors: [], ecosystem: "npm", name: "f", version: "1.0.0" }, signatures);
    return { "index.js": text };
  },
  async py(rand) {
    const text = mutate(read(pick(corpus.py, rand)), rand);
    const files = new Map([["PKG-INFO", Buffer.from("Metadata-Version: 2.1\nName: f\nVersion: 1.0\n")], ["setup.py", Buffer.from(text, "latin1")]]);
    await scanLoadedPackage({ input: "fuzz", files, bytes: text.length, errors: [], ecosystem: "pypi", name: "f", version: "1.0" }, signatures);
    return { "setup.py": text };
  },
  async manifest(rand, dir) {
    const file = pick(corpus.manifest, rand);
    const name = file.split("/").pop();
    const text = mutate(read(file), rand);
    mkdirSync(join(dir, "pkg"), { recursive: true });
    writeFileSync(join(dir, "pkg", name), text, "latin1");
    try {
      await loadTarget(join(dir, "pkg"), DEFAULT_LIMITS);
    } catch (error) {
      if (!isKnownError(error)) throw error;
    }
    return { [name]: text };
  },
  async archive(rand, dir) {
    const entries = [{ name: "package/package.json", content: '{"name":"a","version":"1.0.0"}' }, { name: "package/index.js", content: read(pick(corpus.js, rand)) }];
    const zip = rand() < 0.5;
    const bytes = zip ? makeZipBytes(entries) : gzipSync(makeTarBytes(entries));
    const mutated = Buffer.from(mutate(bytes.toString("latin1"), rand), "latin1");
    const file = join(dir, zip ? "a.zip" : "a.tgz");
    writeFileSync(file, mutated);
    try {
      await loadTarget(file, DEFAULT_LIMITS);
    } catch (error) {
      if (!isKnownError(error)) throw error;
    }
    return { [zip ? "a.zip" : "a.tgz"]: mutated };
  },
  /** Archives built from random members: raw-byte names (not UTF-8, controls, `..`, long pax names), every tar type, devices, links. */
  async members(rand, dir) {
    const byte = () => (rand() < 0.3 ? 0x80 + Math.floor(rand() * 128) : pick([0x2e, 0x2f, 0x5c, 0x61, 0x62, 0x0a, 0x1b, 0x00, 0x3a, 0x43, 0x20], rand));
    const rawName = () => Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 12) }, byte));
    const name = () => (rand() < 0.2 ? `package/${"d/".repeat(Math.floor(rand() * 1200))}x.js` : Buffer.concat([Buffer.from(pick(["package/", "", "../", "/", "package/../"], rand)), rawName()]));
    const entries = [{ name: "package/package.json", content: '{"name":"a","version":"1.0.0"}' }];
    for (let i = Math.floor(rand() * 6); i >= 0; i--) {
      entries.push({ name: name(), content: read(pick(corpus.js, rand)).slice(0, 2000), type: pick(["0", "0", "0", "1", "2", "3", "4", "5", "6", "7", "S", "Z", "L"], rand), link: pick(["package/package.json", "../x", "/etc/passwd", "a"], rand), utf8Flag: rand() < 0.5, stored: rand() < 0.5 });
    }
    // Duplicate some members under their own name.
    if (rand() < 0.3) entries.push(...entries.slice(1));
    const zip = rand() < 0.4;
    const bytes = zip ? makeZipBytes(entries.map((e) => ({ ...e, name: typeof e.name === "string" ? e.name : e.name }))) : gzipSync(makeTarBytes(entries));
    const file = join(dir, zip ? "m.zip" : "m.tgz");
    writeFileSync(file, bytes);
    try {
      const pkg = await loadTarget(file, DEFAULT_LIMITS);
      for (const path of pkg.files.keys()) {
        if (path.startsWith("/") || path.split("/").includes("..") || path.includes("\0")) throw new Error(`unsafe path kept: ${JSON.stringify(path)}`);
      }
    } catch (error) {
      if (!isKnownError(error)) throw error;
    }
    return { [zip ? "m.zip" : "m.tgz"]: bytes };
  },
  async log(rand) {
    const text = mutate(read(pick(corpus.log, rand)), rand);
    for (const parser of PARSERS) {
      const session = parser.open({ file: "fuzz", referenceMs: Date.UTC(2026, 0, 1), offsetMinutes: 0 });
      const out = [];
      text.split("\n").forEach((line, i) => session.line(line, i + 1, 0, out));
      session.end(out);
    }
    return { "log.txt": text };
  },
  async lock(rand) {
    const file = pick(corpus.lock, rand);
    const text = mutate(read(file), rand);
    try {
      parseLockfileText(file.split("/").pop(), text);
    } catch (error) {
      if (!isKnownError(error)) throw error;
    }
    return { [file.split("/").pop()]: text };
  },
};

const saveDir = mkdtempSync(join(tmpdir(), `exfilscan-fuzz-${seed}-`));
const scratch = mkdtempSync(join(tmpdir(), "exfilscan-fuzz-scratch-"));
const deadline = Date.now() + seconds * 1000;
const counts = {};
let problems = 0;
for (let index = 0; Date.now() < deadline; index++) {
  const name = Object.keys(FRONTS)[index % Object.keys(FRONTS).length];
  const rand = prng((seed * 1_000_003 + index) | 0);
  const dir = join(scratch, String(index));
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  if (process.env.FUZZ_TRACE) console.error("case", index, name);
  let input = {};
  let failure;
  try {
    input = await FRONTS[name](rand, dir);
  } catch (error) {
    failure = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error);
    // Re-create the input for saving: the same rand sequence gives the same mutation.
    try { input = await FRONTS[name](prng((seed * 1_000_003 + index) | 0), dir).catch(() => ({})); } catch { input = {}; }
  }
  const took = Date.now() - started;
  counts[name] = (counts[name] ?? 0) + 1;
  if (failure || took > slowMs) {
    problems++;
    const caseDir = join(saveDir, `case-${index}-${name}`);
    mkdirSync(caseDir, { recursive: true });
    for (const [file, content] of Object.entries(input)) writeFileSync(join(caseDir, file.replace(/[^\w.-]/g, "_")), content, typeof content === "string" ? "latin1" : undefined);
    writeFileSync(join(caseDir, "what.txt"), failure ?? `slow: ${took} ms`);
    console.log(`${failure ? "CRASH" : "SLOW"} ${name} seed=${seed} case=${index} (${took} ms): ${(failure ?? "").split("\n")[0]} -> ${relative(process.cwd(), caseDir)}`);
  }
}
rmSync(scratch, { recursive: true, force: true });
console.log(`fuzz: seed ${seed}, ${seconds} s, cases ${JSON.stringify(counts)}, ${problems} problem(s)${problems ? `, inputs in ${saveDir}` : ""}`);
process.exitCode = problems ? 1 : 0;
