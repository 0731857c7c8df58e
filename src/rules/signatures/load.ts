// Loads signatures/ (and user directories merged over it), validates every file and
// compiles patterns once. Analyzers and rules only see the compiled Signatures.
// The YAML is the source of truth; the build validates it into dist/signatures.json
// (with a digest of the YAML it came from), which start-up uses while the digest matches.
import { existsSync, statSync } from "node:fs";
import { ConfigurationError } from "../../core/errors.js";
import { BUILTIN_SIGNATURES_DIR, builtinSignatureDigest } from "../signature-digest.js";
import { mergeDirectory, NOTHING, table } from "./merge.js";
import { COMPILED_SIGNATURES_FILE, compiledData, readSignatureDirectory, refuseUnreadYaml } from "./read.js";
import type { SignatureDirData, Signatures } from "./types.js";

/** Load the built-in set, then each extra directory over it (same rule id or list entries: the later one wins / adds). */
export function loadSignatures(extraDirs: string[] = []): Signatures {
  const dirs = [BUILTIN_SIGNATURES_DIR, ...extraDirs];
  const signatures: Signatures = {
    rules: new Map(),
    credentialFiles: [],
    envSecretNames: [],
    envSecretExactNames: [],
    envNotSecretNames: [],
    secretParameterNames: [],
    apiSources: { python: { calls: table(), patterns: [] } },
    credentialConsumers: { python: [], js: { ssh: new Set(), wallet: new Set(), other: new Set(), imported: NOTHING, walletImported: NOTHING } },
    cloudMetadata: { hosts: [], credentialPaths: [] },
    secretStores: { js: { modules: table(), awsV2Classes: table() } },
    credentialChains: { js: [] },
    fileApis: { js: { modules: new Set(), globals: new Set(), reads: new Set(), lists: new Set(), copies: new Set(), writes: new Set() }, python: { opens: new Set(), copies: new Set() } },
    tokenSamples: [],
    promptModules: { js: new Set() },
    homeVariables: new Set(),
    homeFolders: { js: table(), python: table() },
    // Looked up by names taken from scanned code ("constructor", "hasOwnProperty"…): no prototype.
    sinks: { js: { modules: table(), globals: table(), endpoints: table(), configMembers: new Set(), authOptions: new Set(), sendMethods: table(), inert: { builtins: new Set(), processMembers: [], afterProcess: /(?!)/ } }, python: { modules: table(), clients: table(), families: table(), sendMethods: new Set(), builtins: table() }, shellPrograms: table() },
    exfilServices: [],
    knownBad: [],
    issuers: [],
    publicTlds: new Set(),
    commands: { programs: table(), credentialCommands: [], sshLoginFlags: new Set(), runners: { python: new Set(), js: { modules: new Set(), commandLine: new Set(), argv: new Set(), commandLineModules: new Set() } } },
    decoders: { python: table() },
    encoders: { python: table() },
    sanitizers: { python: { calls: new Set(), prefixes: [] } },
    pathBuilders: { python: new Set() },
    dirs,
  };
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new ConfigurationError("signature directory not found", dir);
    }
    if (dir !== BUILTIN_SIGNATURES_DIR) refuseUnreadYaml(dir);
    mergeDirectory(signatures, dir === BUILTIN_SIGNATURES_DIR ? builtinData() : readSignatureDirectory(dir));
  }
  return signatures;
}

/** The built-in set: from dist/signatures.json when it was built from these very YAML files, else from the YAML. */
function builtinData(): SignatureDirData {
  return compiledData(COMPILED_SIGNATURES_FILE, BUILTIN_SIGNATURES_DIR, builtinSignatureDigest) ?? readSignatureDirectory(BUILTIN_SIGNATURES_DIR);
}
