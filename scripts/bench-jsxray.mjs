#!/usr/bin/env node
// The peer side of the JavaScript benchmark: NodeSecure js-x-ray's AstAnalyser on every
// .js/.cjs/.mjs file under the given package directories (what js-x-ray analyses), one
// file after another, as its own process. Prints one JSON line: files, bytes, parse errors.
// Usage: node scripts/bench-jsxray.mjs <dir...>
import { statSync } from "node:fs";

// js-x-ray 16 calls RegExp.escape (Node 24); Node 20 lacks it. Same semantics for what it
// is used on (escaping a literal for use inside a pattern).
if (typeof RegExp.escape !== "function") {
  RegExp.escape = (text) => String(text).replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&").replace(/^[0-9a-zA-Z]/, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
const { AstAnalyser } = await import("@nodesecure/js-x-ray");
const { jsFiles } = await import("./bench-js-files.mjs");

const analyser = new AstAnalyser();
let files = 0;
let bytes = 0;
let errors = 0;
let warnings = 0;
for (const dir of process.argv.slice(2)) {
  for (const file of jsFiles(dir)) {
    files += 1;
    bytes += statSync(file).size;
    try {
      const report = analyser.analyseFileSync(file);
      warnings += report.warnings.length;
      if (!report.ok) errors += 1;
    } catch {
      errors += 1;
    }
  }
}
process.stdout.write(`${JSON.stringify({ files, bytes, errors, warnings })}\n`);
