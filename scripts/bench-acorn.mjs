#!/usr/bin/env node
// The floor under the JavaScript benchmark: acorn (the parser exfilscan's JavaScript front-end
// uses, with its options: module then script, no location objects, a token counter) parsing
// every .js/.cjs/.mjs file of the given package directories once, nothing else — no
// analysis. Whatever the analysis costs comes on top of this. Same file walk as
// bench-jsxray.mjs. Prints one JSON line: files, bytes, files neither mode parsed.
// Usage: node scripts/bench-acorn.mjs <dir...>
import { readFileSync } from "node:fs";
import { parse } from "acorn";
import { jsFiles } from "./bench-js-files.mjs";

function parses(text, sourceType) {
  let tokens = 0;
  try {
    parse(text, {
      onToken: () => void tokens++,
      ecmaVersion: "latest",
      sourceType,
      locations: false,
      allowHashBang: true,
      allowReturnOutsideFunction: true,
      allowImportExportEverywhere: true,
      allowAwaitOutsideFunction: sourceType === "module" ? undefined : true,
    });
    return true;
  } catch {
    return false;
  }
}

let files = 0;
let bytes = 0;
let unparsed = 0;
for (const dir of process.argv.slice(2)) {
  for (const file of jsFiles(dir)) {
    const text = readFileSync(file, "utf8");
    files += 1;
    bytes += Buffer.byteLength(text);
    if (!parses(text, "module") && !parses(text, "script")) unparsed += 1;
  }
}
console.log(JSON.stringify({ files, bytes, unparsed }));
