#!/usr/bin/env node
// Measures how every regex literal in src/ scales on hostile input: runs of one
// character (each probe below) followed by a character that makes the match fail, at
// length n and 4n. A linear pattern costs ~4x; a quadratic one ~16x. This is a timing
// measurement, so it is a script (`node scripts/regex-scaling.mjs [--n 2000]`), not a
// test: test/hardening/regex-shapes.test.ts checks the known-quadratic shapes statically.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

export function regexLiterals(root) {
  const out = [];
  const walkDir = (dir) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walkDir(full);
      else if (name.endsWith(".ts")) {
        const source = ts.createSourceFile(full, readFileSync(full, "utf8"), ts.ScriptTarget.Latest, true);
        const visit = (node) => {
          if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
            const text = node.getText();
            const last = text.lastIndexOf("/");
            const { line } = source.getLineAndCharacterOfPosition(node.getStart());
            out.push({ file: full, line: line + 1, source: text.slice(1, last), flags: text.slice(last + 1) });
          }
          ts.forEachChild(node, visit);
        };
        visit(source);
      }
    }
  };
  walkDir(root);
  return out;
}

const PROBES = [" ", "\t", "a", "A", "0", "/", "=", ".", "-", "_", ";", ",", ")", ":", "\\", "'", '"', "%", "x", "@", "\n", "ab", "a.", "a-", "0.", "a/"];

/** Best of 3 runs, in ms (the least disturbed by other load on the machine). */
function cost(re, input) {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    re.lastIndex = 0;
    input.replace(re, "");
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[process.argv.indexOf("--n") + 1]) || 2000;
  const flagged = [];
  for (const lit of regexLiterals(new URL("../src", import.meta.url).pathname)) {
    let re;
    try {
      re = new RegExp(lit.source, lit.flags.replace(/[gy]/g, "") + "g");
    } catch {
      continue;
    }
    let worst = { ratio: 0 };
    for (const probe of PROBES) {
      for (const tail of ["\u0001", "!"]) {
        const small = cost(re, probe.repeat(n) + tail);
        const large = cost(re, probe.repeat(4 * n) + tail);
        // A linear pattern reads 4n characters in well under a millisecond: only a slow one is compared.
        if (large < 20) continue;
        const ratio = large / Math.max(small, 0.01);
        if (ratio > worst.ratio) worst = { ratio, probe, large };
      }
    }
    if (worst.ratio > 9) flagged.push({ ...lit, ...worst });
  }
  for (const f of flagged) console.log(`${f.file.replace(/.*\/src\//, "src/")}:${f.line} /${f.source}/${f.flags} x${f.ratio.toFixed(1)} on ${JSON.stringify(f.probe)} (${f.large.toFixed(0)} ms at ${4 * n})`);
  console.log(`${flagged.length} pattern(s) scale worse than linear`);
}
