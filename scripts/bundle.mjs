#!/usr/bin/env node
// Build step (after tsc, before build-signatures): bundle the command line into dist/bundle/
// so a run loads a few files instead of ~115 ES modules (Node 20 has no compile cache; most of
// a one-package scan's start-up was the ESM loader resolving, reading and linking each file).
//
// dist/bundle/ sits at the same depth as dist/<folder>/, so the paths the code derives from
// import.meta.url still hold: the package root two folders up, dist/ one up, and the worker
// scripts next to the chunk that starts them (entries scan-worker.js and worker.js here).
// Dependencies under node_modules stay external (loaded from there, as before).
//
// dist/cli.js is then rewritten to load dist/bundle/cli.js. tsc writes dist/cli.js again on
// every full compile, so a `tsc` without this step runs the unbundled modules (never a stale
// bundle); `tsc --watch` rewrites only what changed: run `npm run build` after it.
//
// The bundler is rolldown (installed with vitest's vite; not a declared dependency). When it
// is missing, this step says so and leaves the unbundled build in place: the result is the same,
// only start-up is slower.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";

const dist = join(import.meta.dirname, "..", "dist");
const out = join(dist, "bundle");
const entry = join(dist, "cli.js");
/** Small dependencies every command loads: inlined (commander is CommonJS, read through the ESM loader's lexer otherwise). */
const INLINED = /^(commander|acorn|picocolors)(\/|$)/;

let rolldown;
try {
  rolldown = await import("rolldown");
} catch {
  console.log("bundle: rolldown not installed; dist/ stays unbundled (slower start-up, same results)");
  process.exit(0);
}

/**
 * commander requires node:child_process at load time for executable subcommands, which this
 * command line does not have; loading it (with net, dgram and the stream modules) cost more
 * CPU than any of our own modules. Its one use, `childProcess.spawn`, now loads it when called.
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  transform(code, id) {
    if (!/[\\/]commander[\\/]lib[\\/]command\.js$/.test(id)) return null;
    const eager = "const childProcess = require('node:child_process');";
    if (!code.includes(eager) || /childProcess\.(?!spawn\()/.test(code)) {
      console.log("bundle: commander no longer loads child_process as expected; left as it is");
      return null;
    }
    return code.replace(eager, "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };");
  },
};

/** The modules a built module imports or re-exports statically (tsc writes each statement on a line of its own). */
function staticImports(file) {
  const text = readFileSync(join(dist, file), "utf8");
  return [...text.matchAll(/^(?:import|export)\s(?:[^;]*?\sfrom\s)?"(\.{1,2}\/[^"]+)";/gm)].map((m) => join(dirname(file), m[1]));
}

/** What loading `file` loads: the modules it imports statically, and theirs, not itself. */
function staticClosure(file) {
  const seen = new Set();
  const walk = (from) => staticImports(from).forEach((next) => seen.has(next) || walk(seen.add(next) && next));
  walk(file);
  seen.delete(file);
  return seen;
}

/**
 * Chunks follow what a run loads: left to itself, rolldown cut a chunk at every dynamic import and
 * for every set of importers, and a one-package scan loaded 36 files (the ESM loader costs about a
 * millisecond of CPU a file). A group is one chunk: the modules it names and all they import
 * statically, less what a group of higher priority took. What the guard's fast path shares with
 * the rest and what the command line loads for every command come first, in one small chunk,
 * so neither the fast path nor `--version` loads the scan chunk; src/guard/fast.ts and
 * src/cli/main.ts stay in the chunks their dynamic import makes (main awaits at top level: what
 * it imports must not import it back).
 */
const fast = staticClosure("guard/fast.js");
const main = staticClosure("cli/main.js");
const SCAN = ["cli/commands/scan.js", "analyzers/js/index.js"];
const scan = new Set(SCAN.flatMap((root) => [root, ...staticClosure(root)]));
const sharedModules = new Set([...[...fast].filter((m) => main.has(m) || scan.has(m)), ...main]);
const shared = new Set([...sharedModules].map((m) => join(dist, m)));
// What a guard run (src/guard/entry.ts) shares with the scan: a chunk of its own, else the guard
// would load the whole scan chunk (acorn and the analyzers) for a few registry and lockfile modules.
const guardScan = new Set([...staticClosure("guard/entry.js")].filter((m) => scan.has(m) && !sharedModules.has(m)).map((m) => join(dist, m)));
const GROUPS = [
  { name: "shared", test: (id) => shared.has(id), priority: 3 },
  { name: "guard-scan", test: (id) => guardScan.has(id), priority: 2 },
  { name: "scan", test: (id) => SCAN.some((m) => id === join(dist, m)), priority: 1 },
];

/**
 * acorn builds, when loaded, the Unicode property tables of six ECMAScript versions (two dozen
 * large regular expressions: most of the scan chunk's load-time CPU); they serve only to
 * validate `\p{…}` in regex literals. Each version's table is now built on first use.
 */
const lazyAcornUnicode = {
  name: "lazy-acorn-unicode",
  transform(code, id) {
    if (!/[\\/]acorn[\\/]dist[\\/]acorn\.mjs$/.test(id)) return null;
    const eager = /for \(var i = 0, list = (\[[\d, ]+\]); i < list\.length; i \+= 1\) \{\s*var ecmaVersion = list\[i\];\s*buildUnicodeData\(ecmaVersion\);\s*\}/;
    if (!eager.test(code) || !/^var data = \{\};$/m.test(code)) {
      console.log("bundle: acorn no longer builds its Unicode tables as expected; left as it is");
      return null;
    }
    return code.replace(eager, (_, versions) => `${versions}.forEach(function (version) {
  Object.defineProperty(data, version, { configurable: true, enumerable: true, get: function () { delete data[version]; buildUnicodeData(version); return data[version]; } });
});`);
  },
};

/**
 * `import … from "node:fs"` has Node build that module's ESM facade, which reads every export,
 * the lazy ones too: fs.ReadStream loads the streams, fs.promises the promise API (19 more
 * built-in modules on every run, a few milliseconds of CPU). Required instead (createRequire,
 * as rolldown does for `require`), each export is read where it is used.
 */
const REQUIRED = "\0required:node:fs";
const requiredFs = {
  name: "required-fs",
  resolveId: (id, importer) => (id === "node:fs" && importer !== REQUIRED ? REQUIRED : null),
  load: (id) => (id === REQUIRED ? 'module.exports = require("node:fs");' : null),
};

/**
 * A chunk is named as rolldown names it ([name]-[hash].js), unless that name comes from a
 * dependency bundled into it: the chunk of the log engine was "picocolors-…" after the one
 * small module the log report brings in. Such a chunk is named after the folder most of our
 * modules in it share, with "-core" ("logs-core-…": the command's own chunk is "logs-…").
 */
function chunkFileName(chunk) {
  const ours = chunk.moduleIds.filter((id) => id.startsWith(dist + sep) && !id.includes(`${sep}node_modules${sep}`));
  const fromDependency = chunk.moduleIds.some((id) => id.includes(`${sep}node_modules${sep}`) && basename(id).replace(/\.[cm]?js$/, "") === chunk.name);
  if (!fromDependency || ours.length === 0) return "[name]-[hash].js";
  const folders = new Map();
  for (const id of ours) {
    const folder = relative(dist, id).split(sep)[0];
    folders.set(folder, (folders.get(folder) ?? 0) + 1);
  }
  const [folder] = [...folders].sort((a, b) => b[1] - a[1])[0];
  return `${folder.replace(/\.[cm]?js$/, "")}-core-[hash].js`;
}

const source = readFileSync(entry, "utf8");
if (source.includes("./bundle/cli.js")) {
  console.error("bundle: dist/cli.js is already the bundle loader; run tsc first");
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
await rolldown.build({
  input: { cli: entry, "scan-worker": join(dist, "scan-worker.js"), worker: join(dist, "deps", "worker.js") },
  platform: "node",
  // Every bare specifier (node:fs, commander, acorn...) is loaded at run time, as tsc's output does.
  // (node:fs only from the module requiredFs makes of it.)
  external: (id, importer) => (/^node:/.test(id) && (id !== "node:fs" || importer === REQUIRED)) || (/^[^./]/.test(id) && !/^node:/.test(id) && !INLINED.test(id)),
  logLevel: "warn",
  // A module both imported and dynamically imported sits in its group's chunk by design.
  checks: { ineffectiveDynamicImport: false },
  plugins: [lazyChildProcess, lazyAcornUnicode, requiredFs],
  output: {
    dir: out,
    format: "esm",
    entryFileNames: "[name].js",
    chunkFileNames: chunkFileName,
    sourcemap: false,
    // Pure ASCII (strings escaped, doc comments dropped): Node decodes a module's source into a
    // one-byte string then, faster to make and to parse than the two-byte one a single "→" forces.
    charset: "ascii",
    comments: { legal: true, annotation: true, jsdoc: false },
    codeSplitting: { groups: GROUPS },
  },
});
const hashbang = source.startsWith("#!") ? `${source.slice(0, source.indexOf("\n"))}\n` : "";
writeFileSync(entry, `${hashbang}// Written by scripts/bundle.mjs: the command line, bundled (tsc overwrites this file with the unbundled entry).\nimport "./bundle/cli.js";\n`);
console.log(`bundle: ${out}`);
