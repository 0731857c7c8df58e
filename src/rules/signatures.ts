// Loads signatures/ (and user directories merged over it), validates every file and
// compiles patterns once. Analyzers and rules only see the compiled Signatures.
// The YAML is the source of truth; the build validates it into dist/signatures.json
// (with a digest of the YAML it came from), which start-up uses while the digest matches.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join } from "node:path";
import type * as Yaml from "yaml";
import type { z } from "zod";
import { ConfigurationError } from "../core/errors.js";
import { PACKAGE_ROOT } from "../core/version.js";
import { BUILTIN_SIGNATURES_DIR, builtinSignatureDigest, signatureDigest, signatureFiles, signatureStamp } from "./signature-digest.js";
import { compileFlagged, signatureSchemas, type ClientRole, type CommandsData, type DecoderAlgorithm, type DecodersData, type DestinationStyle, type EncoderAlgorithm, type TransformsData, type IndicatorsData, type RuleMeta, type SendRole, type SinkChannel, type SinksData, type SourceKind, type SourcesData } from "./schema.js";

/** Written by `npm run build` (scripts/build-signatures.mjs). */
export const COMPILED_SIGNATURES_FILE = join(PACKAGE_ROOT, "dist", "signatures.json");

// The digests of the YAML live in a module that loads nothing else (the analysis version needs them).
export { BUILTIN_SIGNATURES_DIR, builtinSignatureDigest, signatureDigest, signatureStamp } from "./signature-digest.js";

/** One signature directory's files, validated (JSON-serialisable: patterns are still strings). */
export interface SignatureDirData {
  rules: RuleMeta[];
  sources?: SourcesData;
  sinks?: SinksData;
  indicators?: IndicatorsData;
  commands?: CommandsData;
  decoders?: DecodersData;
  transforms?: TransformsData;
}

/** How one program's arguments are read (signatures/commands.yaml `programs`). */
export interface ProgramMeaning {
  valueFlags: Set<string>;
  identityFlags: Set<string>;
  /** Flags whose value names a local file the program sends. */
  fileFlags: Set<string>;
  sshLogin: boolean;
  printsFiles: boolean;
  sendsOnlyWith?: string;
  destination?: DestinationStyle | { host: string };
}

/** A command whose output is a stored credential (signatures/commands.yaml `credentialCommands`). */
export interface CredentialCommand {
  programs?: Set<string>;
  words?: RegExp[];
  anyWord?: RegExp;
  anyArg?: RegExp;
  noWords: boolean;
  metadataService: boolean;
  line?: RegExp;
  kind: SourceKind;
  note: string;
  detail: "line" | "program";
}

/** signatures/commands.yaml as the front-ends read it (through src/analyzers/common/shell-command.ts). */
export interface CompiledCommands {
  programs: Record<string, ProgramMeaning>;
  credentialCommands: CredentialCommand[];
  /** Flags of an `sshLogin` program whose next word is how it logs in, not data (Python reading). */
  sshLoginFlags: Set<string>;
  /** Calls that run a command line (Python qualified names). */
  runners: { python: Set<string>; js: JsRunners };
}

/** A secret store's SDK module (sources.yaml `secretStores.js`). */
export interface SecretStore {
  store: string;
  reads: RegExp;
  /** Only a read with `WithDecryption: true` returns the secret (SSM SecureStrings). */
  decrypt: boolean;
}

/** A cloud SDK's credential chain (sources.yaml `credentialChains.js`); patterns match a call's path, a call written `()`. */
export interface CredentialChain {
  module: RegExp;
  note: string;
  classes?: RegExp;
  factories?: RegExp;
  asyncFactories?: RegExp;
  reads?: RegExp;
  credentialClasses?: RegExp;
  members?: RegExp;
}

/** JS modules whose calls run a program (signatures/commands.yaml `runners.js`). */
export interface JsRunners {
  /** Every module listed, `commandLineModules` included. */
  modules: Set<string>;
  commandLine: Set<string>;
  argv: Set<string>;
  commandLineModules: Set<string>;
}

/** sources.yaml `credentialConsumers.js`, with the import tests the JS front-end runs over a file's text. */
export interface JsConsumers {
  ssh: Set<string>;
  wallet: Set<string>;
  other: Set<string>;
  /** A file's text imports any consumer (require/import/from with the module's name). */
  imported: RegExp;
  /** A file's text imports a wallet library. */
  walletImported: RegExp;
}

/** Who issued a credential and where it authenticates (signatures/indicators.yaml `issuers`). */
export interface Issuer {
  name: string;
  kinds: SourceKind[];
  detail?: RegExp;
  hosts: RegExp[];
  /**
   * When the API takes the credential in the URL path: a whole-text regex of a URL up to where the
   * credential is written (scheme, an issuer host, the path prefix), e.g. `https://api.telegram.org/bot`.
   */
  urlSlot?: RegExp;
}

/** A credential read by API call (signatures/sources.yaml `apiSources`). */
export interface ApiSourceData {
  kind: SourceKind;
  note: string;
  detail?: string;
  /** The argument that limits the read to one site's credentials (keyword, and position when given so). */
  site?: { keyword: string; position?: number; substring?: boolean };
}

/** signatures/sinks.yaml as the front-ends read it: every member a channel; Python's client classes apart. */
export interface CompiledSinks {
  js: {
    modules: Record<string, Record<string, SinkChannel>>;
    globals: Record<string, SinkChannel>;
    endpoints: Record<string, string>;
    /** Members that configure a client rather than send. */
    configMembers: Set<string>;
    /** Request options that carry the request's credential. */
    authOptions: Set<string>;
    /** Sink API → methods of what it returns that send ("*": any other API). */
    sendMethods: Record<string, string[]>;
    /** Built-in modules and `process` members the relevance pre-scan passes over (the members as one test of the text after `process`). */
    inert: { builtins: Set<string>; processMembers: string[]; afterProcess: RegExp };
  };
  python: {
    modules: Record<string, Record<string, SinkChannel>>;
    /** module → member that creates a client object (data leaves through its methods). */
    clients: Record<string, Record<string, ClientRole>>;
    /** module → client member of an API family: where its objects talk and which methods send. */
    families: Record<string, Record<string, ClientFamily>>;
    /** Methods that transmit on a client with no family (`sends`) list. */
    sendMethods: Set<string>;
    builtins: Record<string, SinkChannel>;
  };
  shellPrograms: Record<string, SinkChannel>;
}

/** A client member's family (signatures/sinks.yaml `endpoint`, `sends`, `positionalLogin`). */
export interface ClientFamily {
  endpoint?: string;
  sends?: Record<string, SendRole>;
  /** The positional arguments after the peer are the login. */
  positionalLogin?: true;
}

export interface CompiledPattern<T> {
  regex: RegExp;
  data: T;
}

export interface Signatures {
  rules: Map<string, RuleMeta>;
  credentialFiles: CompiledPattern<{ kind: SourceKind; note: string }>[];
  envSecretNames: RegExp[];
  /** Secret patterns that name one exact variable (`^DATABASE_URL$`): more specific than any not-secret pattern. */
  envSecretExactNames: RegExp[];
  envNotSecretNames: RegExp[];
  secretParameterNames: RegExp[];
  /** sources.yaml `apiSources`: credential reads that are API calls (Python front-end). */
  apiSources: { python: { calls: Record<string, ApiSourceData>; patterns: CompiledPattern<ApiSourceData>[] } };
  /** sources.yaml `credentialConsumers`: modules that consume a secret for what it is. */
  credentialConsumers: { python: string[]; js: JsConsumers };
  /** sources.yaml `cloudMetadata` (read through src/analyzers/common/cloud-metadata.ts). */
  cloudMetadata: { hosts: RegExp[]; credentialPaths: RegExp[] };
  /** sources.yaml `secretStores.js`: module → store, operations that read a secret; aws-sdk v2 class → module. */
  secretStores: { js: { modules: Record<string, SecretStore>; awsV2Classes: Record<string, string> } };
  /** sources.yaml `credentialChains.js`: cloud SDK credential chains (JS front-end). */
  credentialChains: { js: CredentialChain[] };
  /** sources.yaml `fileApis`: file-system modules and their members that read, list or copy a file (JS), calls that open or copy one (Python). */
  fileApis: { js: { modules: Set<string>; globals: Set<string>; reads: Set<string>; lists: Set<string>; copies: Set<string>; writes: Set<string> }; python: { opens: Set<string>; copies: Set<string> } };
  /** sources.yaml `tokenSamples`: made-up tokens of well-known formats (JS front-end). */
  tokenSamples: { kind: SourceKind; sample: string; unlike?: string; note: string }[];
  /** sources.yaml `promptModules`: prompt libraries (JS front-end). */
  promptModules: { js: Set<string> };
  /** sources.yaml `homeVariables`: environment variables that hold the home directory (both front-ends). */
  homeVariables: Set<string>;
  /** sources.yaml `homeFolders`: variable → folder under "~", per front-end. */
  homeFolders: { js: Record<string, string>; python: Record<string, string> };
  sinks: CompiledSinks;
  exfilServices: CompiledPattern<{ name: string; category: string }>[];
  knownBad: IndicatorsData["knownBad"];
  issuers: Issuer[];
  /** indicators.yaml `publicTlds`: TLDs under which a whole dotted string is a hostname indicator (both front-ends). */
  publicTlds: Set<string>;
  commands: CompiledCommands;
  /** signatures/decoders.yaml: qualified call name → algorithm (Python front-end). */
  decoders: { python: Record<string, DecoderAlgorithm> };
  /** signatures/transforms.yaml: encoding calls (qualified name → flow-step note, fold), Python front-end. */
  encoders: { python: Record<string, { note: string; fold?: EncoderAlgorithm }> };
  /** signatures/transforms.yaml: calls whose result says nothing about the input, by name or module prefix (Python). */
  sanitizers: { python: { calls: Set<string>; prefixes: string[] } };
  /** signatures/transforms.yaml: calls that build a path from their arguments (Python). */
  pathBuilders: { python: Set<string> };
  /** Directories the set was loaded from, built-in first. */
  dirs: string[];
}

/** Parse one YAML file and validate it; errors name the file and the line of the bad value. */
/** Largest YAML file read (signatures, ignore files): a real one is a few KiB, and the YAML parser needs ~150x its size in memory. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export function readValidated<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  const stats = statSync(file);
  if (!stats.isFile()) throw new ConfigurationError("not a regular file", file);
  if (stats.size > MAX_CONFIG_BYTES) throw new ConfigurationError(`file of ${stats.size} bytes is over the ${MAX_CONFIG_BYTES}-byte cap for YAML configuration`, file);
  const text = readFileSync(file, "utf8");
  // yaml is loaded on first use only (the compiled built-in set needs no YAML parser).
  const { LineCounter, parseDocument, isNode } = createRequire(import.meta.url)("yaml") as typeof Yaml;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    throw new ConfigurationError(`invalid YAML: ${yamlError.message.split("\n")[0]}`, file, line);
  }
  const result = schema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  // Walk up the path until a node with a position exists (a missing key has none).
  let line: number | undefined;
  for (let depth = path.length; depth >= 0 && line === undefined; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
  }
  const where = path.length ? `${path.join(".")}: ` : "";
  throw new ConfigurationError(`${where}${issue.message}`, file, line);
}

const compile = (source: string): RegExp => new RegExp(source, "i");
const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

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

/**
 * A compiled set's data when it was made from `dir`'s current YAML; undefined when missing,
 * unreadable or stale. Its files' stamp (names, sizes, mtimes) unchanged since the build says
 * so without reading them; otherwise their digest decides (a checkout or copy changes mtimes).
 */
export function compiledData(file: string, dir: string, digest: () => string = () => signatureDigest(dir)): SignatureDirData | undefined {
  try {
    const compiled = JSON.parse(readFileSync(file, "utf8")) as { digest?: string; stamp?: string; data?: SignatureDirData };
    if (!compiled.data) return undefined;
    if (typeof compiled.stamp === "string" && compiled.stamp === signatureStamp(dir)) return compiled.data;
    if (compiled.digest === digest()) return compiled.data;
  } catch {
    // missing or unreadable: the YAML is the source of truth
  }
  return undefined;
}

/**
 * A YAML file in a signature directory that the loader would not read (a misspelt
 * sources.yml, a rule in a subfolder) is an error: rules the user believes active would
 * silently not be.
 */
function refuseUnreadYaml(dir: string): void {
  const read = new Set(signatureFiles(dir));
  const pending = [dir];
  for (let seen = 0; pending.length && seen < 10_000; seen++) {
    const current = pending.pop()!;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (/\.ya?ml$/i.test(entry.name) && !read.has(full)) {
        throw new ConfigurationError("YAML file in a signature directory that is not read (the loader reads rules/*.yaml, sources.yaml, sinks.yaml, indicators.yaml, commands.yaml, decoders.yaml and transforms.yaml)", full);
      }
    }
  }
}

/** Read and validate one signature directory's YAML. */
export function readSignatureDirectory(dir: string): SignatureDirData {
  const schemas = signatureSchemas();
  const data: SignatureDirData = { rules: [] };
  const rulesDir = join(dir, "rules");
  if (existsSync(rulesDir)) {
    for (const name of readdirSync(rulesDir).filter((n) => n.endsWith(".yaml")).sort()) {
      const file = join(rulesDir, name);
      const rule = readValidated(file, schemas.ruleSchema);
      if (rule.id !== basename(name, ".yaml")) {
        throw new ConfigurationError(`rule id "${rule.id}" must equal the file name`, file, 1);
      }
      data.rules.push(rule);
    }
  }
  const sourcesFile = join(dir, "sources.yaml");
  if (existsSync(sourcesFile)) data.sources = readValidated(sourcesFile, schemas.sourcesSchema);
  const sinksFile = join(dir, "sinks.yaml");
  if (existsSync(sinksFile)) data.sinks = readValidated(sinksFile, schemas.sinksSchema);
  const indicatorsFile = join(dir, "indicators.yaml");
  if (existsSync(indicatorsFile)) data.indicators = readValidated(indicatorsFile, schemas.indicatorsSchema);
  const commandsFile = join(dir, "commands.yaml");
  if (existsSync(commandsFile)) data.commands = readValidated(commandsFile, schemas.commandsSchema);
  const decodersFile = join(dir, "decoders.yaml");
  if (existsSync(decodersFile)) data.decoders = readValidated(decodersFile, schemas.decodersSchema);
  const transformsFile = join(dir, "transforms.yaml");
  if (existsSync(transformsFile)) data.transforms = readValidated(transformsFile, schemas.transformsSchema);
  return data;
}

function mergeDirectory(into: Signatures, data: SignatureDirData): void {
  for (const rule of data.rules) into.rules.set(rule.id, rule);
  if (data.commands) mergeCommands(into.commands, data.commands);
  if (data.decoders) Object.assign(into.decoders.python, data.decoders.python);
  const transforms = data.transforms;
  if (transforms) {
    Object.assign(into.encoders.python, transforms.encoders.python);
    addAll(into.sanitizers.python.calls, transforms.sanitizers.python.calls);
    into.sanitizers.python.prefixes.push(...transforms.sanitizers.python.prefixes);
    addAll(into.pathBuilders.python, transforms.pathBuilders.python);
  }
  const sources = data.sources;
  if (sources) {
    into.credentialFiles.push(
      ...sources.credentialFiles.map((c) => ({ regex: compile(c.pattern), data: { kind: c.kind, note: c.note } })),
    );
    into.envSecretNames.push(...sources.envSecretNames.map(compile));
    into.envSecretExactNames.push(...sources.envSecretNames.filter((p) => /^\^[\w]+\$$/.test(p)).map(compile));
    into.envNotSecretNames.push(...sources.envNotSecretNames.map(compile));
    into.secretParameterNames.push(...sources.secretParameterNames.map(compile));
    into.credentialConsumers.python.push(...sources.credentialConsumers.python);
    const consumers = into.credentialConsumers.js;
    addAll(consumers.ssh, sources.credentialConsumers.js.ssh);
    addAll(consumers.wallet, sources.credentialConsumers.js.wallet);
    addAll(consumers.other, sources.credentialConsumers.js.other);
    consumers.imported = importOf([...consumers.ssh, ...consumers.wallet, ...consumers.other]);
    consumers.walletImported = importOf([...consumers.wallet]);
    into.cloudMetadata.hosts.push(...sources.cloudMetadata.hosts.map((h) => new RegExp(`^(?:${h})$`, "i")));
    into.cloudMetadata.credentialPaths.push(...sources.cloudMetadata.credentialPaths.map(compile));
    for (const [module, entry] of Object.entries(sources.secretStores.js)) {
      into.secretStores.js.modules[module] = { store: entry.store, reads: compileFlagged(entry.reads), decrypt: entry.decrypt };
      if (entry.awsV2Class) into.secretStores.js.awsV2Classes[entry.awsV2Class] = module;
    }
    for (const chain of sources.credentialChains.js) {
      const compiled: CredentialChain = { module: compileFlagged(chain.module), note: chain.note };
      for (const field of ["classes", "factories", "asyncFactories", "reads", "credentialClasses", "members"] as const) {
        const pattern = chain[field];
        if (pattern !== undefined) compiled[field] = compileFlagged(pattern);
      }
      into.credentialChains.js.push(compiled);
    }
    const files = into.fileApis.js;
    addAll(files.modules, sources.fileApis.js.modules);
    addAll(files.globals, sources.fileApis.js.globals);
    addAll(files.reads, sources.fileApis.js.reads);
    addAll(files.lists, sources.fileApis.js.lists);
    addAll(files.copies, sources.fileApis.js.copies);
    addAll(into.fileApis.python.opens, sources.fileApis.python.opens);
    addAll(into.fileApis.python.copies, sources.fileApis.python.copies);
    addAll(files.writes, sources.fileApis.js.writes);
    into.tokenSamples.push(...sources.tokenSamples);
    addAll(into.promptModules.js, sources.promptModules.js);
    addAll(into.homeVariables, sources.homeVariables);
    Object.assign(into.homeFolders.js, sources.homeFolders.js);
    Object.assign(into.homeFolders.python, sources.homeFolders.python);
    for (const api of sources.apiSources.python) {
      const data = { kind: api.kind, note: api.note, ...(api.detail !== undefined ? { detail: api.detail } : {}), ...(api.site ? { site: api.site } : {}) };
      if (api.call !== undefined) into.apiSources.python.calls[api.call] = data;
      else into.apiSources.python.patterns.push({ regex: compileFlagged(api.pattern!), data });
    }
  }
  const sinks = data.sinks;
  if (sinks) {
    mergeModules(into.sinks.js.modules, channelsOf(sinks.js.modules));
    Object.assign(into.sinks.js.globals, sinks.js.globals);
    Object.assign(into.sinks.js.endpoints, sinks.js.endpoints);
    addAll(into.sinks.js.configMembers, sinks.js.configMembers);
    addAll(into.sinks.js.authOptions, sinks.js.authOptions);
    const inert = into.sinks.js.inert;
    addAll(inert.builtins, sinks.js.inert.builtins);
    inert.processMembers = [...new Set([...inert.processMembers, ...sinks.js.inert.processMembers])];
    // `process.platform`, `process . argv`: the member right after the name, whole.
    inert.afterProcess = inert.processMembers.length > 0 ? new RegExp(String.raw`^\s*\.\s*(?:${inert.processMembers.join("|")})\b`) : /(?!)/;
    for (const [api, methods] of Object.entries(sinks.js.sendMethods)) into.sinks.js.sendMethods[api] = [...new Set([...(into.sinks.js.sendMethods[api] ?? []), ...methods])];
    mergeModules(into.sinks.python.modules, channelsOf(sinks.python.modules));
    // A later directory's plain entry turns an earlier client class back into a plain send.
    for (const [module, members] of Object.entries(sinks.python.modules)) {
      for (const member of Object.keys(members)) {
        delete into.sinks.python.clients[module]?.[member];
        delete into.sinks.python.families[module]?.[member];
      }
    }
    mergeModules(into.sinks.python.clients, clientsOf(sinks.python.modules));
    mergeModules(into.sinks.python.families, familiesOf(sinks.python.modules));
    addAll(into.sinks.python.sendMethods, sinks.python.sendMethods);
    Object.assign(into.sinks.python.builtins, sinks.python.builtins);
    Object.assign(into.sinks.shellPrograms, sinks.shellPrograms);
  }
  const indicators = data.indicators;
  if (indicators) {
    into.exfilServices.push(
      ...indicators.exfilServices.map((s) => ({
        regex: compile(s.pattern),
        data: { name: s.name, category: s.category },
      })),
    );
    into.knownBad.push(...indicators.knownBad);
    addAll(into.publicTlds, indicators.publicTlds);
    for (const issuer of indicators.issuers) {
      into.issuers.push({
        name: issuer.name,
        kinds: issuer.kinds,
        ...(issuer.detail ? { detail: compile(issuer.detail) } : {}),
        hosts: issuer.hosts.map((h) => new RegExp(`^(?:${h})$`, "i")),
        ...(issuer.pathSlot ? { urlSlot: new RegExp(`^https://(?:${issuer.hosts.join("|")})(?::\\d+)?${escapeRegex(issuer.pathSlot)}$`, "i") } : {}),
      });
    }
  }
}

/** A later directory's program fields replace the earlier ones; its credential commands are tried first. */
function mergeCommands(into: CompiledCommands, data: CommandsData): void {
  for (const [name, program] of Object.entries(data.programs)) {
    const before = into.programs[name];
    into.programs[name] = {
      valueFlags: program.valueFlags ? new Set(program.valueFlags) : (before?.valueFlags ?? new Set()),
      identityFlags: program.identityFlags ? new Set(program.identityFlags) : (before?.identityFlags ?? new Set()),
      fileFlags: program.fileFlags ? new Set(program.fileFlags) : (before?.fileFlags ?? new Set()),
      sshLogin: program.sshLogin ?? before?.sshLogin ?? false,
      printsFiles: program.printsFiles ?? before?.printsFiles ?? false,
      ...((program.sendsOnlyWith ?? before?.sendsOnlyWith) !== undefined ? { sendsOnlyWith: (program.sendsOnlyWith ?? before?.sendsOnlyWith)! } : {}),
      ...((program.destination ?? before?.destination) !== undefined ? { destination: (program.destination ?? before?.destination)! } : {}),
    };
  }
  const added: CredentialCommand[] = data.credentialCommands.map((c) => ({
    ...(c.program !== undefined ? { programs: new Set(typeof c.program === "string" ? [c.program] : c.program) } : {}),
    ...(c.words ? { words: c.words.map(wholeWord) } : {}),
    ...(c.anyWord ? { anyWord: wholeWord(c.anyWord) } : {}),
    ...(c.anyArg ? { anyArg: compileFlagged(c.anyArg) } : {}),
    noWords: c.noWords === true,
    metadataService: c.metadataService === true,
    ...(c.line ? { line: compileFlagged(c.line) } : {}),
    kind: c.kind,
    note: c.note,
    detail: c.detail,
  }));
  into.credentialCommands.unshift(...added);
  addAll(into.sshLoginFlags, data.sshLoginFlags);
  addAll(into.runners.python, data.runners.python);
  const js = data.runners.js;
  if (js) {
    const runners = into.runners.js;
    addAll(runners.modules, [...js.modules, ...js.commandLineModules]);
    addAll(runners.commandLine, js.commandLine);
    addAll(runners.argv, js.argv);
    addAll(runners.commandLineModules, js.commandLineModules);
  }
}

/** A word pattern matches the whole word. */
function wholeWord(source: string): RegExp {
  const ignoreCase = source.startsWith("(?i)");
  return compileFlagged(`${ignoreCase ? "(?i)" : ""}^(?:${ignoreCase ? source.slice(4) : source})$`);
}

/** Matches nothing. */
const NOTHING = /(?!)/;

/** A test for a file's text: does it import (require/import/from) one of `modules`? */
function importOf(modules: string[]): RegExp {
  if (modules.length === 0) return NOTHING;
  const names = modules.map((m) => m.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|");
  return new RegExp(`(?:require\\s*\\(\\s*|from\\s+|import\\s*\\(\\s*)["'](${names})["']`);
}

function addAll(into: Set<string>, names: readonly string[]): void {
  for (const name of names) into.add(name);
}

function mergeModules<T>(into: Record<string, Record<string, T>>, from: Record<string, Record<string, T>>): void {
  for (const [module, members] of Object.entries(from)) into[module] = Object.assign(table<T>(), into[module], members);
}

/** A lookup table keyed by names from scanned code: no inherited keys can match. */
function table<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

type MemberEntries = SinksData["python"]["modules"];

/** module → member → channel, whatever form the entry has. */
function channelsOf(modules: MemberEntries): Record<string, Record<string, SinkChannel>> {
  const out = table<Record<string, SinkChannel>>();
  for (const [module, members] of Object.entries(modules)) {
    const channels = (out[module] = table<SinkChannel>());
    for (const [member, entry] of Object.entries(members)) channels[member] = typeof entry === "string" ? entry : entry.channel;
  }
  return out;
}

/** module → member → client role, for the entries that have one. */
function clientsOf(modules: MemberEntries): Record<string, Record<string, ClientRole>> {
  const out = table<Record<string, ClientRole>>();
  for (const [module, members] of Object.entries(modules)) {
    for (const [member, entry] of Object.entries(members)) if (typeof entry !== "string") (out[module] ??= table())[member] = entry.returns;
  }
  return out;
}

/** module → member → family, for the client entries that name an endpoint or send methods. */
function familiesOf(modules: MemberEntries): Record<string, Record<string, ClientFamily>> {
  const out = table<Record<string, ClientFamily>>();
  for (const [module, members] of Object.entries(modules)) {
    for (const [member, entry] of Object.entries(members)) {
      if (typeof entry === "string" || (entry.endpoint === undefined && entry.sends === undefined && entry.positionalLogin === undefined)) continue;
      const sends = entry.sends ? Object.assign(table<SendRole>(), entry.sends) : undefined;
      (out[module] ??= table())[member] = {
        ...(entry.endpoint !== undefined ? { endpoint: entry.endpoint } : {}),
        ...(sends ? { sends } : {}),
        ...(entry.positionalLogin ? { positionalLogin: true as const } : {}),
      };
    }
  }
  return out;
}

// ---- lookups the analyzers share ------------------------------------------------

/** Which credential a (folded) path names, if any. Home may be written "~", "$HOME" or "/home/x". */
export function classifyCredentialPath(
  signatures: Signatures,
  path: string,
): { kind: SourceKind; note: string } | undefined {
  const normalized = normalizeHomePath(path);
  for (const { regex, data } of signatures.credentialFiles) if (regex.test(normalized)) return data;
  return undefined;
}

/** Fold the ways of writing a home directory into "~" so one pattern matches them all. */
export function normalizeHomePath(path: string): string {
  return path
    .replace(/\\/g, "/")
    .replace(/^(\$HOME|\$\{HOME\}|%USERPROFILE%|%HOMEPATH%|\/home\/[^/]+|([a-z*]:)?\/Users\/[^/]+|\/root|[a-z*]:\/Documents and Settings\/[^/]+)(?=\/|$)/i, "~");
}

export function isSecretEnvName(signatures: Signatures, name: string): boolean {
  if (signatures.envSecretExactNames.some((r) => r.test(name))) return true;
  return (
    signatures.envSecretNames.some((r) => r.test(name)) && !signatures.envNotSecretNames.some((r) => r.test(name))
  );
}

export function isSecretParameterName(signatures: Signatures, name: string): boolean {
  return signatures.secretParameterNames.some((r) => r.test(name));
}

/** The exfil service a URL or host names (discord webhook, webhook.site, …), if any. */
export function matchExfilService(
  signatures: Signatures,
  destination: string,
): { name: string; category: string } | undefined {
  return signatures.exfilServices.find((s) => s.regex.test(destination))?.data;
}

/** Known-bad indicator contained in a destination or string literal. */
export function matchKnownBad(signatures: Signatures, text: string): IndicatorsData["knownBad"][number] | undefined {
  const lower = text.toLowerCase();
  return signatures.knownBad.find((k) => {
    const value = k.value.toLowerCase();
    if (k.type !== "domain") return lower.includes(value);
    const host = hostOf(lower) ?? lower;
    return host === value || host.endsWith(`.${value}`);
  });
}

/** Host part of a URL or host[:port] string; undefined when it has none that is literal. */
export function hostOf(destination: string): string | undefined {
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?(\[[0-9a-f:.]+\]|[^/:?#\s]+)/i.exec(destination.trim());
  const host = match?.[1]?.toLowerCase();
  return host && /[a-z0-9]/.test(host) ? host : undefined;
}

/** Second-level labels under a two-letter country code that are registries, not sites ("example.co.uk"). */
const COUNTRY_SECOND_LEVELS = new Set(["co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go"]);

/**
 * The site a host belongs to: its last two labels ("pub.orcid.org" → "orcid.org"), three under
 * a country registry ("api.example.co.uk" → "example.co.uk"); an IP address is its own site.
 */
export function siteOf(host: string): string {
  if (/^[\d.]+$/.test(host) || host.includes(":")) return host;
  const labels = host.split(".");
  const keep = labels.length > 2 && labels[labels.length - 1]!.length === 2 && COUNTRY_SECOND_LEVELS.has(labels[labels.length - 2]!) ? 3 : 2;
  return labels.slice(-keep).join(".");
}

/** The issuers of a credential (by kind and detail); empty when none is known. */
export function issuersOf(signatures: Signatures, kind: SourceKind, detail: string | undefined): Issuer[] {
  return signatures.issuers.filter((i) => i.kinds.includes(kind) && (!i.detail || (detail !== undefined && i.detail.test(detail))));
}

/** Whether a destination is one of an issuer's API hosts. */
export function isIssuerHost(issuer: Issuer, destination: string): boolean {
  const host = hostOf(destination)?.replace(/:\d+$/, "");
  return host !== undefined && issuer.hosts.some((h) => h.test(host));
}
