// The facts IR: what both language front-ends lower a package to. Rules are written
// once against these shapes (src/rules/evaluate.ts); analyzers never decide severity.
import type { Ecosystem, Indicator, Location } from "../core/types.js";
import type { SinkChannel, SourceKind } from "../rules/schema.js";

export type { SinkChannel, SourceKind };

/**
 * When the code runs: at install, when the package is imported/started, only when a
 * function is called, or "manual": in a file no install script, entry point or require of
 * the package reaches (it runs only if someone starts or deep-requires it by hand).
 */
export type Trigger = "install" | "import" | "call" | "manual";

export interface FlowStep extends Location {
  /** What happens at this step, e.g. "reads ~/.ssh/id_rsa", "base64-encoded", "passed to post()". */
  note: string;
}

/** A credential read. */
export interface SourceFact {
  kind: SourceKind;
  location: Location;
  note: string;
  /** The concrete thing read when known: a path ("~/.ssh/id_rsa"), an env name ("NPM_TOKEN"), a parameter name. */
  detail?: string;
  trigger: Trigger;
  /**
   * "page": a credential of the web page the code runs in (`document.cookie`, its
   * `localStorage`/`sessionStorage`). Its issuer is the page's own origin: sent there (a
   * relative URL, `location.origin`) it authenticates; sent to another host it is stolen.
   */
  origin?: "page";
}

/**
 * How the JavaScript front-end folds the web page's own origin (`location.origin`,
 * `location.host`, `document.location.href`): a destination starting with it is the page's server.
 */
export const PAGE_ORIGIN = "<page-origin>";

/** Data leaving the machine. */
export interface SinkFact {
  channel: SinkChannel;
  location: Location;
  note: string;
  trigger: Trigger;
  /** Folded URL or host when it can be known; unknown parts written as "*". */
  destination?: string;
  /** The destination itself is computed from the credential's own data (a registry URL read from the same .npmrc). */
  destinationFromSource?: boolean;
}

/** A path from a source to a sink. steps[0] is at the source, the last step at the sink. */
export interface FlowFact {
  source: SourceFact;
  sink: SinkFact;
  steps: FlowStep[];
  /**
   * Where the credential's value sits in what leaves. "auth": only as the request's own
   * credential (Authorization header, basic-auth user:pass, a login()/connect() password,
   * an SDK client signing with it). "payload": copied into a body, URL, query, cookie,
   * another header, a file or a command. Absent means "payload" (the sound default):
   * only "auth" to the credential's issuer can make a flow benign.
   */
  use?: "auth" | "payload";
}

export type ObfuscationTechnique =
  | "eval-decoded" // eval/exec/Function/vm of a string built by decoding or folding
  | "eval-dynamic" // eval/exec of a value that could not be folded
  | "string-array" // string-array obfuscator
  | "char-codes" // String.fromCharCode / chr lists
  | "encoded-blob" // long base64/hex literal
  | "dynamic-import"; // require/__import__ of a computed name

export interface ObfuscationFact {
  technique: ObfuscationTechnique;
  location: Location;
  note: string;
  trigger: Trigger;
  /** True when the obfuscated value is run as code (eval/exec/Function/vm/compile). */
  executed: boolean;
  /**
   * Code that could not be decoded but that no credential data can reach: not a direct eval
   * in a scope holding a credential, not given one as its code or (a built function) as its
   * arguments. It cannot be the hidden link between a credential read and a send.
   */
  sealed?: boolean;
}

/** A URL, host or IP that appears (after folding) in the code, sink or not. */
export interface IndicatorFact {
  value: string;
  location: Location;
}

export interface ParseProblem {
  file: string;
  message: string;
  /**
   * Set when code was left unread whose trigger is known (decoded code nested past the
   * eval limit): the rule unanalysed-code reports it at `line` with this trigger.
   */
  trigger?: Trigger;
  line?: number;
  /** Destinations named in the text of the file (analyzers/common/unread-text.ts), when it was not read in full. */
  indicators?: Indicator[];
  /**
   * Left out because other files of the package used up a budget the package shares: the
   * package's own files decide which file that is, so unanalysed-code reports it whatever its role.
   */
  crowdedOut?: true;
}

/**
 * A file holding data the package fetched from the network is run (the staged-loader shape:
 * download a program, write it to disk, execute it). Rules decide how suspicious it is from
 * where it came from, where it was written and whether its bytes were checked first.
 */
export interface DownloadExecutionFact {
  /** Where the file is run. */
  location: Location;
  trigger: Trigger;
  /** How it is run: `execFile()`, `runs ./x`, `regsvr32`. */
  note: string;
  /** The file run, folded ("/tmp/x", "<package>/bin/x", "x.dll"); undefined when fetched data is run without a file. */
  path?: string;
  /** The request that fetched the data. */
  fetch: { location: Location; note: string; destination?: string };
  /** From the request to the run: fetched, written, run. */
  steps: FlowStep[];
  /** The fetched bytes were compared with a digest that does not come from the network before anything ran. */
  verified?: boolean;
}

export interface PackageFacts {
  ecosystem: Ecosystem;
  sources: SourceFact[];
  sinks: SinkFact[];
  flows: FlowFact[];
  obfuscations: ObfuscationFact[];
  indicators: IndicatorFact[];
  /** Files that could not be parsed (fully or partly); reported in errors[], never fatal. */
  parseProblems: ParseProblem[];
  /** Source files analyzed. */
  filesAnalyzed: number;
  /** npm: dependencies installed from a URL instead of a registry version (their install scripts run too). */
  remoteDependencies?: RemoteDependencyFact[];
  /** Files written from a network response and then run (absent when there are none). */
  downloadExecutions?: DownloadExecutionFact[];
}

/** A dependency whose manifest value is a URL: npm downloads it at install and runs its install scripts. */
export interface RemoteDependencyFact {
  name: string;
  /** The value in package.json (the URL). */
  spec: string;
  /** dependencies, optionalDependencies or peerDependencies. */
  field: string;
  location: Location;
}

export function emptyFacts(ecosystem: Ecosystem): PackageFacts {
  return { ecosystem, sources: [], sinks: [], flows: [], obfuscations: [], indicators: [], parseProblems: [], filesAnalyzed: 0 };
}
