// The signature set's public entry point: importers use this module; the code is in
// src/rules/signatures/ by concern — types.ts (the compiled set), read.ts (YAML files and the
// compiled built-in set), merge.ts (one directory into the set), load.ts (loadSignatures),
// lookups.ts (what analyzers and rules ask of it).
export * from "./signatures/types.js";
export { COMPILED_SIGNATURES_FILE, MAX_CONFIG_BYTES, compiledData, readSignatureDirectory, readValidated } from "./signatures/read.js";
export { loadSignatures } from "./signatures/load.js";
export * from "./signatures/lookups.js";
// The digests of the YAML live in a module that loads nothing else (the analysis version needs them).
export { BUILTIN_SIGNATURES_DIR, builtinSignatureDigest, signatureDigest, signatureStamp } from "./signature-digest.js";
