// The compiled signature set the analyzers and rules read (src/rules/signatures/load.ts
// builds it from signatures/*.yaml): patterns compiled, lists merged over user directories.
import type { ClientRole, CommandsData, DecoderAlgorithm, DecodersData, DestinationStyle, EncoderAlgorithm, IndicatorsData, RuleMeta, SendRole, SinkChannel, SinksData, SourceKind, SourcesData, TransformsData } from "../schema.js";

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
