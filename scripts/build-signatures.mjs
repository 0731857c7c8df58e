#!/usr/bin/env node
// Build step (after tsc): validate signatures/*.yaml and write dist/signatures.json, the
// ready-to-load form start-up reads instead of parsing YAML. It carries the digest of the
// YAML it came from and the files' stamp (names, sizes, mtimes: checked at start-up without
// hashing): edit the YAML without rebuilding and start-up reads the YAML again.
// A YAML file that does not validate fails the build with file and line. Also writes
// dist/analysis-digest.json, the digest of all built code (see src/deps/cache.ts).
import { writeFileSync } from "node:fs";
import {
  BUILTIN_SIGNATURES_DIR,
  COMPILED_SIGNATURES_FILE,
  loadSignatures,
  readSignatureDirectory,
  signatureDigest,
  signatureStamp,
} from "../dist/rules/signatures.js";
import { errorMessage } from "../dist/core/errors.js";
import { CODE_DIGEST_FILE, codeStamp, computeCodeDigest } from "../dist/deps/cache.js";
import { join } from "node:path";

try {
  const data = readSignatureDirectory(BUILTIN_SIGNATURES_DIR);
  const digest = signatureDigest(BUILTIN_SIGNATURES_DIR);
  writeFileSync(COMPILED_SIGNATURES_FILE, `${JSON.stringify({ digest, stamp: signatureStamp(BUILTIN_SIGNATURES_DIR), data })}\n`);
  // Load it back the way start-up does (every pattern compiled): a bad pattern fails here.
  const loaded = loadSignatures();
  console.log(`signatures: ${loaded.rules.size} rules compiled into ${COMPILED_SIGNATURES_FILE}`);
  // The result-cache key's code part: every file under dist/ and the pinned dependencies,
  // hashed once here instead of on every run.
  const codeRoot = join(import.meta.dirname, "..", "dist");
  writeFileSync(join(codeRoot, CODE_DIGEST_FILE), `${JSON.stringify({ digest: computeCodeDigest(codeRoot), ...codeStamp(codeRoot) })}\n`);
} catch (error) {
  console.error(`signatures: ${errorMessage(error)}`);
  process.exit(1);
}
