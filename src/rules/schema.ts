// Schemas of the files in signatures/. Validated when the YAML is read (at build time
// into dist/signatures.json, or at start-up when that is missing or stale, and for
// --signatures directories): a typo fails with file and line, never mid-scan.
// zod is loaded on first use only: a scan from the compiled set never loads it.
import { createRequire } from "node:module";
import type * as Zod from "zod";
import { regexHazard } from "../core/regex-safety.js";
import { SEVERITIES } from "../core/types.js";

export const SOURCE_KINDS = [
  "ssh-key",
  "ssh-config",
  "password-prompt",
  "registry-token",
  "git-credentials",
  "netrc",
  "cloud-credentials",
  "env-dump",
  "env-secret",
  "env-file",
  "browser-store",
  "keychain",
  "system-secrets",
] as const;

export const SINK_CHANNELS = ["http", "socket", "dns", "websocket", "mail", "ftp", "shell"] as const;

/** Where a program's destination is when no argument is a URL (src/analyzers/common/shell-command.ts reads each). */
export const DESTINATION_STYLES = ["host-argument", "dns-query", "first-positional", "git-push", "socat-address", "remote-host", "mail-recipient"] as const;

/** Decoding algorithms a decoder entry can name (src/analyzers/python/library.ts implements each). */
export const DECODER_ALGORITHMS = ["base64", "base64-urlsafe", "base32", "hex", "base85", "ascii85", "zlib"] as const;

/** Encodings an encoder entry can fold a constant input with (src/analyzers/python/library.ts implements each). */
export const ENCODER_ALGORITHMS = ["base64", "hex"] as const;

/** A pattern of signatures/commands.yaml: case-sensitive unless it starts with `(?i)`. */
export function compileFlagged(source: string): RegExp {
  return source.startsWith("(?i)") ? new RegExp(source.slice(4), "i") : new RegExp(source);
}

/** What calling a sink member gives back: a client whose methods send (`requests.Session`), or one already connected to the peer its arguments name (`smtplib.SMTP`). */
export const CLIENT_ROLES = ["client", "connection"] as const;

/** What a client method of a family sends (signatures/sinks.yaml `sends`): its arguments, or the local file its first argument names and the rest. */
export const SEND_ROLES = ["data", "file"] as const;

let built: Schemas | undefined;

/** The schemas of signatures/ files, built (and zod loaded) on first call. */
export function signatureSchemas(): Schemas {
  built ??= buildSchemas((createRequire(import.meta.url)("zod") as typeof Zod).z);
  return built;
}

type Schemas = ReturnType<typeof buildSchemas>;

function buildSchemas(z: typeof Zod.z) {
const kebabId = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "ids are kebab-case");
const attackId = z.string().regex(/^T\d{4}(\.\d{3})?$/, "ATT&CK ids look like T1041 or T1552.004");
/**
 * A pattern that compiles and has no backtracking hazard (src/core/regex-safety.ts):
 * signature patterns run on text taken from scanned packages, which can be built to make
 * an ambiguous pattern cost exponential or quadratic time. `wrap` gives the pattern as it
 * is compiled (issuer hosts and command words are matched whole).
 */
function checkedRegex(flagged: boolean, wrap: (source: string) => string = (s) => s) {
  return z.string().superRefine((s, ctx) => {
    const ignoreCase = !flagged || s.startsWith("(?i)");
    const source = wrap(flagged && s.startsWith("(?i)") ? s.slice(4) : s);
    try {
      new RegExp(source, ignoreCase ? "i" : "");
    } catch {
      ctx.addIssue({ code: "custom", message: "not a valid regular expression" });
      return;
    }
    const hazard = regexHazard(source, ignoreCase ? "i" : "");
    if (hazard) ctx.addIssue({ code: "custom", message: `pattern can take ${hazard.kind} time on hostile input (${hazard.reason}): rewrite it so each character can be matched one way only` });
  });
}
const whole = (s: string) => `^(?:${s})$`;
/** Matched case-insensitively. */
const regexSource = checkedRegex(false);
/** A case-sensitive pattern; `(?i)` in front makes it ignore case. */
const flaggedRegex = checkedRegex(true);
/** A flagged pattern matched against a whole word. */
const wordRegex = checkedRegex(true, whole);
/** A host pattern, matched against the whole host. */
const hostRegex = checkedRegex(false, whole);

/** signatures/rules/<id>.yaml */
const ruleSchema = z
  .object({
    id: kebabId,
    title: z.string().min(1),
    severity: z.enum(SEVERITIES),
    category: z.string().min(1),
    attack: z.array(attackId).default([]),
    summary: z.string().min(1),
    help: z.string().min(1),
    references: z.array(z.string().url()).default([]),
  })
  .strict();

/** signatures/sources.yaml `apiSources.python[]`: `call` (exact qualified name) or `pattern` (regex over it; the call becomes the detail). */
const apiSourceSchema = z
  .object({
    call: z.string().min(1).optional(),
    pattern: flaggedRegex.optional(),
    kind: z.enum(SOURCE_KINDS),
    note: z.string().min(1),
    detail: z.string().min(1).optional(),
    /**
     * The argument that limits what is read to one site's credentials (a cookie jar filtered to a
     * domain): `keyword`, and `position` when it may be given positionally. Sent to that site (or a
     * host under it), they are used where they belong. `substring`: the argument filters hosts by
     * substring (browser_cookie3's `host_key LIKE '%name%'`), not by exact host.
     */
    site: z.object({ keyword: z.string().min(1), position: z.number().int().min(0).optional(), substring: z.boolean().optional() }).strict().optional(),
  })
  .strict()
  .refine((a) => (a.call === undefined) !== (a.pattern === undefined), "an API source has either call (the exact name) or pattern")
  .refine((a) => a.pattern === undefined || a.detail === undefined, "a pattern entry's detail is the call it matched: detail is read with call only");

/**
 * signatures/sources.yaml `credentialChains.js[]`: a cloud SDK's credential chain. Patterns are
 * matched against the call's path from the module, a call written `()` (`GoogleAuth().getClient`).
 */
const credentialChainSchema = z
  .object({
    module: flaggedRegex,
    note: z.string().min(1),
    /** `new <class>()` gives an SDK object. */
    classes: flaggedRegex.optional(),
    /** A call gives an SDK object (`fromIni()`, a provider to call). */
    factories: flaggedRegex.optional(),
    /** A call gives a promise of an SDK object (`getClient()`). */
    asyncFactories: flaggedRegex.optional(),
    /** A call resolves the credentials (a promise, and a callback argument's second parameter). */
    reads: flaggedRegex.optional(),
    /** `new <class>()` holds the credentials. */
    credentialClasses: flaggedRegex.optional(),
    /** A member read that is the credentials, by its path (`config.credentials`). */
    members: flaggedRegex.optional(),
  })
  .strict()
  .refine((c) => [c.classes, c.factories, c.asyncFactories, c.reads, c.credentialClasses, c.members].some((p) => p !== undefined), "a credential chain with none of classes, factories, asyncFactories, reads, credentialClasses, members means nothing to the JS front-end");

/** A list of names (modules, members, options) matched exactly. */
const names = z.array(z.string().min(1));
/** An environment variable's name as both front-ends look it up (Python and JS's folder lookup upper-case it first). */
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name in upper case (HOME, APPDATA)");
const homePath = z.string().regex(/^~\//, "a folder under the home directory, written ~/…");

/** signatures/sources.yaml */
const sourcesSchema = z
  .object({
    credentialFiles: z.array(
      z
        .object({
          kind: z.enum(SOURCE_KINDS),
          /** Matched (case-insensitive) against a folded path, home written as "~". */
          pattern: regexSource,
          note: z.string(),
        })
        .strict(),
    ),
    /** Environment variable names that hold secrets. */
    envSecretNames: z.array(regexSource),
    /** Environment variable names that match envSecretNames but are not secrets. */
    envNotSecretNames: z.array(regexSource).default([]),
    /** Parameter/argument/property names that carry a password or key into a function. */
    secretParameterNames: z.array(regexSource),
    /** Credential reads that are API calls, by the call's qualified name or its shape (Python front-end). */
    apiSources: z.object({ python: z.array(apiSourceSchema).default([]) }).strict().default({ python: [] }),
    /** Libraries that consume a secret for what it is (module names; Python front-end). */
    credentialConsumers: z
      .object({
        python: z.array(z.string().min(1)).default([]),
        /** JS, by what a key-named parameter is: SSH clients (also make a file worth analysing), wallet libraries, others. */
        js: z.object({ ssh: names.default([]), wallet: names.default([]), other: names.default([]) }).strict().default({ ssh: [], wallet: [], other: [] }),
      })
      .strict()
      .default({ python: [], js: { ssh: [], wallet: [], other: [] } }),
    /** Cloud instance metadata services: whole-host patterns, and the paths whose answer is a credential. */
    cloudMetadata: z.object({ hosts: z.array(regexSource).default([]), credentialPaths: z.array(regexSource).default([]) }).strict().default({ hosts: [], credentialPaths: [] }),
    /**
     * Secret-store SDKs (JS): module → the store's name, the operations (method or v3 command
     * class, a case-sensitive pattern) that return a secret's value, `decrypt` (only with
     * `WithDecryption: true`) and the aws-sdk v2 class of the same service.
     */
    secretStores: z
      .object({
        js: z
          .record(
            z.string().min(1),
            z.object({ store: z.string().min(1), reads: flaggedRegex, decrypt: z.boolean().default(false), awsV2Class: z.string().regex(/^[A-Z]\w*$/, "an aws-sdk v2 class name").optional() }).strict(),
          )
          .default({}),
      })
      .strict()
      .default({ js: {} }),
    /** Cloud SDK credential chains (JS front-end): which calls of a module give an SDK object, resolve the credentials or hold them. */
    credentialChains: z.object({ js: z.array(credentialChainSchema).default([]) }).strict().default({ js: [] }),
    /** File-system modules and the members that read, list or copy the file they are given (JS front-end). */
    fileApis: z
      .object({
        js: z
          .object({ modules: names.default([]), globals: names.default([]), reads: names.default([]), lists: names.default([]), copies: names.default([]), writes: names.default([]) })
          .strict()
          .default({ modules: [], globals: [], reads: [], lists: [], copies: [], writes: [] }),
        /** Python, by qualified call name: `opens` a file (its first argument), `copies` argument 0 to argument 1. */
        python: z.object({ opens: names.default([]), copies: names.default([]) }).strict().default({ opens: [], copies: [] }),
      })
      .strict()
      .default({ js: { modules: [], globals: [], reads: [], lists: [], copies: [], writes: [] }, python: { opens: [], copies: [] } }),
    /**
     * Made-up tokens of well-known formats (JS front-end): a pattern run over data that finds one
     * at its start (and not `unlike`, the same token with another prefix) takes that credential out.
     */
    tokenSamples: z.array(z.object({ kind: z.enum(SOURCE_KINDS), sample: z.string().min(8), unlike: z.string().min(8).optional(), note: z.string() }).strict()).default([]),
    /** Prompt libraries: asking with type "password" (or hidden echo) returns a credential (JS front-end). */
    promptModules: z.object({ js: names.default([]) }).strict().default({ js: [] }),
    /** Environment variables that hold the home directory (both front-ends; upper case, as Python compares them). */
    homeVariables: z.array(envName).default([]),
    /** Environment variables that hold a folder under the home directory → that folder written with "~", per front-end. */
    homeFolders: z
      .object({ js: z.record(envName, homePath).default({}), python: z.record(envName, homePath).default({}) })
      .strict()
      .default({ js: {}, python: {} }),
  })
  .strict();

const channelMap = z.record(z.string(), z.enum(SINK_CHANNELS));

/**
 * A member: its channel, or `{ channel, returns }` for a member that creates a client object.
 * A client of an API family also says where it talks (`endpoint`, when the constructor names
 * no `base_url`/`endpoint_url`; `{token}` puts the constructor's token in the URL, as bot APIs
 * do) and which of its methods transmit (`sends`): then every object its other methods or
 * attributes give back (`g.get_user().get_repo(n)`, `s3.Bucket(b)`) is a client of the family too.
 */
const memberEntry = z.union([
  z.enum(SINK_CHANNELS),
  z
    .object({
      channel: z.enum(SINK_CHANNELS),
      returns: z.enum(CLIENT_ROLES),
      endpoint: z.string().regex(/^(https?|wss?):\/\/[^\s/]+/, "an absolute http(s)/ws(s) URL").optional(),
      /** `"*"`: every method is a call on the remote end (an RPC proxy). */
      sends: z.record(z.string().regex(/^(\*|[A-Za-z_]\w*)$/, "a method name or *"), z.enum(SEND_ROLES)).optional(),
      /** The positional arguments after the peer are the login (`FTP(host, user, passwd, acct)`), not data. */
      positionalLogin: z.literal(true).optional(),
    })
    .strict(),
]);
const memberMap = z.record(z.string(), memberEntry);

/** An entry no front-end reads is an error at its line, never a silent no-op. */
const onlyChannels = (language: string) => (modules: Record<string, Record<string, Zod.z.infer<typeof memberEntry>>>, ctx: Zod.z.RefinementCtx) => {
  for (const [module, members] of Object.entries(modules)) {
    for (const [member, entry] of Object.entries(members)) {
      if (typeof entry !== "string") {
        ctx.addIssue({ code: "custom", path: [module, member], message: `${language} sinks take a channel only: "returns" (client classes) is read by the Python front-end alone` });
      }
    }
  }
};

/** signatures/sinks.yaml: module → member → channel (or client class), per language. "*" as member: any call on the module. */
const sinksSchema = z
  .object({
    js: z
      .object({
        modules: z.record(z.string(), memberMap).superRefine(onlyChannels("js")),
        globals: channelMap,
        /** module → the API base URL its client objects talk to when the constructor names none (`new Octokit()` → api.github.com). */
        endpoints: z.record(z.string(), z.string().regex(/^(https?|wss?):\/\/[^\s/]+/, "an absolute http(s)/ws(s) URL")).default({}),
        /** Members of a sink module that configure a client rather than send (`axios.create`, `got.extend`). */
        configMembers: names.default([]),
        /** Request options that carry the request's credential (`auth`, `username`, `password`): they authenticate, they are not data. */
        authOptions: names.default([]),
        /** Sink API (module, module.member or global; "*" any other) → the methods of what it returns that send data (`req.write`). */
        sendMethods: z.record(z.string().min(1), names).default({}),
        /** What the relevance pre-scan passes over: built-in modules and `process` members that neither read credentials, send nor run code. */
        inert: z
          .object({ builtins: names.default([]), processMembers: z.array(z.string().regex(/^[A-Za-z_$][\w$]*$/, "a member name")).default([]) })
          .strict()
          .default({ builtins: [], processMembers: [] }),
      })
      .strict(),
    python: z
      .object({
        modules: z.record(z.string(), memberMap),
        /** Kept for old files; no front-end reads it: builtin sinks go under modules.builtins. */
        builtins: channelMap.refine((b) => Object.keys(b).length === 0, "no front-end reads python.builtins: list builtin sinks under python.modules.builtins"),
        /** Methods of a client object with no `sends` list that transmit (any `send*` method does too). */
        sendMethods: z.array(z.string().regex(/^[A-Za-z_]\w*$/, "a method name")).default([]),
      })
      .strict(),
    /** Programs that send data when run from a shell command line. */
    shellPrograms: z.record(z.string(), z.enum(SINK_CHANNELS)),
  })
  .strict();


const words = z.array(z.string().min(1));

/** signatures/commands.yaml `programs.<name>`: how a program's arguments are read. */
const programSchema = z
  .object({
    /** Flags whose next word is a value, not a positional word (both front-ends). */
    valueFlags: words.optional(),
    /** Flags whose next word is a key the program logs in with, not data it sends (JS reading). */
    identityFlags: words.optional(),
    /** Flags whose value names a local file the program sends (`curl -T f`, `-d @f`, `-F x=@f`, `gh api --input f`) (JS reading). */
    fileFlags: words.optional(),
    /** -i / --identity / -o IdentityFile=… name the key an SSH-family program logs in with. */
    sshLogin: z.boolean().optional(),
    /** The output is the file it is given: a credential file read through it is a read (Python reading). */
    printsFiles: z.boolean().optional(),
    /** A sending program sends only when this flag is given (`ping -p <pattern>`), attached or apart. */
    sendsOnlyWith: z.string().regex(/^-/).optional(),
    /** Where the destination is when no argument is a URL. */
    destination: z.union([z.enum(DESTINATION_STYLES), z.object({ host: z.string().min(1) }).strict()]).optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, "a program entry with no field means nothing to either front-end");

/** signatures/commands.yaml `credentialCommands[]`: a command whose output is a stored credential. */
const credentialCommandSchema = z
  .object({
    /** Refused: both front-ends read every credential command through one interface. */
    only: z.unknown().refine(() => false, "both front-ends read every credential command (src/analyzers/common/shell-command.ts): leave out only:").optional(),
    program: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Regexes, each matching the whole positional word at its index. */
    words: z.array(wordRegex).min(1).optional(),
    anyWord: wordRegex.optional(),
    anyArg: flaggedRegex.optional(),
    noWords: z.literal(true).optional(),
    /** Some argument is a URL or host of a cloud metadata service (sources.yaml `cloudMetadata.hosts`). */
    metadataService: z.literal(true).optional(),
    /** Regex over "program arg arg…". */
    line: flaggedRegex.optional(),
    kind: z.enum(SOURCE_KINDS),
    note: z.string().min(1),
    detail: z.enum(["line", "program"]).default("line"),
  })
  .strict()
  .refine((c) => c.program !== undefined || c.line !== undefined, "a credential command needs a program or a line pattern (else it would match every command)")
  .refine((c) => !(c.noWords && (c.words || c.anyWord)), "noWords cannot be combined with words or anyWord: the entry could never match");

/**
 * signatures/commands.yaml `runners.js`: modules whose calls run a program, and how a member
 * takes it: one command line run by a shell, or a program and an argv array.
 */
const jsRunnersSchema = z
  .object({
    /** Modules whose `commandLine` and `argv` members run a program. */
    modules: names.default([]),
    /** Members that take one command line (`exec`, `execSync`, execa's `$`). */
    commandLine: names.default([]),
    /** Members that take a program and an argv array (`spawn`, `execFile`; "" = the module called itself). */
    argv: z.array(z.string()).default([]),
    /** Modules whose every member takes one command line (shelljs). */
    commandLineModules: names.default([]),
  })
  .strict();

/** signatures/commands.yaml */
const commandsSchema = z
  .object({
    programs: z.record(z.string().min(1), programSchema).default({}),
    credentialCommands: z.array(credentialCommandSchema).default([]),
    /** Flags of an `sshLogin` program whose next word is how it logs in (`-i key`, `-o IdentityFile=…`), not data it sends (Python reading). */
    sshLoginFlags: words.default([]),
    /** Calls that run a command line: Python qualified names (os.system, subprocess.run …). */
    runners: z
      .object({
        python: z.array(z.string().regex(/^[A-Za-z_][\w.]*$/, "a qualified call name such as subprocess.run")).default([]),
        js: jsRunnersSchema.optional(),
      })
      .strict()
      .default({ python: [] }),
  })
  .strict();

/** signatures/decoders.yaml: qualified call name → decoding algorithm. */
const decodersSchema = z.object({ python: z.record(z.string().min(1), z.enum(DECODER_ALGORITHMS)).default({}) }).strict();

const qualifiedName = z.string().regex(/^[A-Za-z_][\w.]*$/, "a qualified call name such as base64.b64encode");

/** signatures/transforms.yaml: what a library call does to the data it is given, per front-end (Python only so far). */
const transformsSchema = z
  .object({
    /** The result carries the input encoded: a flow step named `note`; `fold` also encodes a constant input. */
    encoders: z
      .object({ python: z.record(qualifiedName, z.object({ note: z.string().min(1), fold: z.enum(ENCODER_ALGORITHMS).optional() }).strict()).default({}) })
      .strict()
      .default({ python: {} }),
    /** The result says nothing about the input's content (a digest, a size, a check): the taint stops. */
    sanitizers: z
      .object({
        python: z
          .object({ calls: z.array(qualifiedName).default([]), prefixes: z.array(z.string().regex(/^[A-Za-z_][\w.]*\.$/, "a module prefix ending in a dot, such as hashlib.")).default([]) })
          .strict()
          .default({ calls: [], prefixes: [] }),
      })
      .strict()
      .default({ python: { calls: [], prefixes: [] } }),
    /** The result is a path built from the arguments: a credential path among them is not a read. */
    pathBuilders: z.object({ python: z.array(qualifiedName).default([]) }).strict().default({ python: [] }),
  })
  .strict();

/** signatures/indicators.yaml */
const indicatorsSchema = z
  .object({
    /** Services that receive exfiltrated data: chat webhooks, request bins, tunnels, OAST. */
    exfilServices: z.array(
      z.object({ name: z.string(), pattern: regexSource, category: z.string() }).strict(),
    ),
    /** Confirmed-bad hosts and addresses. */
    knownBad: z.array(
      z
        .object({
          type: z.enum(["domain", "ip", "url"]),
          value: z.string(),
          reference: z.string().optional(),
          note: z.string().optional(),
        })
        .strict(),
    ),
    /** Who issued a credential (kind, and detail: env name or path) and its API hosts (whole-host regexes). */
    issuers: z
      .array(
        z
          .object({
            name: z.string().min(1),
            kinds: z.array(z.enum(SOURCE_KINDS)).min(1),
            detail: regexSource.optional(),
            hosts: z.array(hostRegex).min(1),
            /** The API takes the credential in the URL path, right after this path prefix (Telegram's Bot API: `/bot`). */
            pathSlot: z.string().regex(/^\/[^\s?#*]*$/, "a path prefix starting with /").optional(),
          })
          .strict(),
      )
      .default([]),
    /** Top-level domains under which a whole dotted string is a hostname indicator (both front-ends; lower case, no dot). */
    publicTlds: z.array(z.string().regex(/^[a-z]{2,24}$/, "a top-level domain in lower case, without the dot")).default([]),
  })
  .strict();

return { ruleSchema, sourcesSchema, sinksSchema, indicatorsSchema, commandsSchema, decodersSchema, transformsSchema };
}

export type RuleMeta = Zod.z.infer<Schemas["ruleSchema"]>;
export type SourceKind = (typeof SOURCE_KINDS)[number];
export type SinkChannel = (typeof SINK_CHANNELS)[number];
export type ClientRole = (typeof CLIENT_ROLES)[number];
export type SendRole = (typeof SEND_ROLES)[number];
export type SourcesData = Zod.z.infer<Schemas["sourcesSchema"]>;
export type SinksData = Zod.z.infer<Schemas["sinksSchema"]>;
export type IndicatorsData = Zod.z.infer<Schemas["indicatorsSchema"]>;
export type CommandsData = Zod.z.infer<Schemas["commandsSchema"]>;
export type DecodersData = Zod.z.infer<Schemas["decodersSchema"]>;
export type TransformsData = Zod.z.infer<Schemas["transformsSchema"]>;
export type EncoderAlgorithm = (typeof ENCODER_ALGORITHMS)[number];
export type DecoderAlgorithm = (typeof DECODER_ALGORITHMS)[number];
export type DestinationStyle = (typeof DESTINATION_STYLES)[number];
