#!/usr/bin/env node
// The floor under the JavaScript benchmark: acorn, the parser of exfilscan's JavaScript
// front-end, with the front-end's own options (acornOptions from the build in dist/: module
// then script, no location objects, a token counter), parsing every .js/.cjs/.mjs file of the
// given package directories once and doing nothing else. Whatever the analysis costs comes on
// top of this. Same file walk as bench-jsxray.mjs. Prints one JSON line: files, bytes, files
// neither mode parsed. Usage: node scripts/bench-acorn.mjs <dir...> (after `npm run build`)
import { readFileSync } from "node:fs";
import { parse } from "acorn";
import { acornOptions } from "../dist/analyzers/js/parse.js";
import { jsFiles } from "./bench-js-files.mjs";

function parses(text, sourceType) {
  let tokens = 0;
  try {
    parse(text, { ...acornOptions(sourceType), onToken: () => void tokens++ });
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
