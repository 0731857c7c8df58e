// Rule `unanalysed-code`: a file the analyzer could not read in full (over a size cap,
// a parse failure, nesting, a step budget, an analyzer exception) is never reported as
// clean when it runs on its own. Install scripts, entry points and the files they load
// are a finding (high when they run at install, medium when on import); every other
// skipped file stays listed in the report's errors with its reason.
//
// Self-contained on purpose: the runtime role of a file is decided here from the
// manifest and the literal require/import specifiers of the package's files, not from
// the analyzer's facts (the analyzer may be exactly what failed on that file).
import type { Ecosystem, Finding, Indicator, PackageRef, ScanErrorEntry } from "../core/types.js";
import type { LoadedPackage } from "../ingest/types.js";
import type { Trigger } from "../analyzers/facts.js";
import { entryPoints, manifestOf, resolveFile, resolveSpecifier } from "../analyzers/js/modules.js";
import { INSTALL_SCRIPTS } from "../analyzers/js/npm-scripts.js";
import { fileTrigger, isPythonEntry } from "../analyzers/python/triggers.js";
import { finalize, type Draft } from "./evaluate.js";
import type { Signatures } from "./signatures.js";

export const UNANALYSED_RULE = "unanalysed-code";

/** A file-level problem: the file named was skipped, or analysed only in part. */
export interface Unanalysed {
  file: string;
  reason: string;
  /** Set by an analyzer that knows when the unread code runs (e.g. a nested exec at install). */
  trigger?: Trigger;
  line?: number;
  /** Destinations its text names (what a text-only look at the file found). */
  indicators?: Indicator[];
  /** Left out because other files used up the package's shared budget: reported whatever its role (filler files could pick it). */
  crowdedOut?: true;
}

/** Files larger than this are not scanned for require/import specifiers (the role map stays partial). */
const MAX_SPECIFIER_SCAN_BYTES = 8 * 1024 * 1024;
const JS_FILE = /\.(c|m)?[jt]sx?$/;
const REQUIRE = /\brequire\s*\(\s*(["'`])([^"'`\n]{1,300})\1\s*\)|\bimport\s*(?:\(\s*)?(?:[\w*{},$][\w*{}\s,$]*\sfrom\s*)?(["'])([^"'\n]{1,300})\3/g;

/**
 * When each file of the package runs: "install" (an install script or loaded by one),
 * "import" (an entry point or loaded by one); files absent from the map only run if
 * called. package.json counts as install code: it holds the install scripts.
 */
export function runtimeRoles(pkg: LoadedPackage, ecosystem: Ecosystem | undefined, skippedManifest: boolean, skipped: string[] = []): Map<string, Trigger> {
  const roles = new Map<string, Trigger>();
  if (ecosystem === "pypi") {
    // A file ingest could not read (e.g. a setup.py of a tar type pip extracts but tar
    // skips) still has the role its name gives it.
    for (const path of [...pkg.files.keys(), ...skipped]) {
      const trigger = fileTrigger(path);
      if (trigger === "install" || (trigger === "import" && isPythonEntry(path))) roles.set(path, trigger);
    }
    return roles;
  }
  if (pkg.files.has("package.json") || skippedManifest) roles.set("package.json", "install");
  const manifest = manifestOf(pkg.files.get("package.json"));
  // A file ingest left out (over --max-file-bytes) still has the role the manifest and the
  // requires give it: resolution sees it as present (and empty: nothing in it is followed).
  const files = skipped.length === 0 ? pkg.files : new Map([...pkg.files, ...skipped.map((f): [string, Buffer] => [f, Buffer.alloc(0)])]);
  const known: LoadedPackage = files === pkg.files ? pkg : { ...pkg, files };
  const install: string[] = [];
  const scripts = manifest?.scripts;
  if (scripts && typeof scripts === "object") {
    for (const name of INSTALL_SCRIPTS) {
      const command = (scripts as Record<string, unknown>)[name];
      if (typeof command !== "string") continue;
      for (const word of command.slice(0, 4096).split(/[\s;&|()<>"'=]+/)) {
        const file = word && !word.startsWith("-") ? resolveFile(files, word.replace(/^\.\//, "")) : undefined;
        if (file) install.push(file);
      }
    }
  }
  const bin = manifest?.bin;
  const binTargets = typeof bin === "string" ? [bin] : bin && typeof bin === "object" ? Object.values(bin as Record<string, unknown>) : [];
  const entries = [...(pkg.files.has("package.json") ? entryPoints(files) : []), ...binTargets.filter((b): b is string => typeof b === "string")];
  spread(known, install, "install", roles, manifest?.name);
  spread(
    known,
    entries.flatMap((e) => resolveFile(files, e.replace(/^\.\//, "")) ?? []),
    "import",
    roles,
    manifest?.name,
  );
  if (!pkg.files.has("package.json") && !skippedManifest && pkg.files.size === 1) {
    const [only] = pkg.files.keys();
    if (only && !roles.has(only)) roles.set(only, "import");
  }
  return roles;
}

/** Breadth-first over literal require/import specifiers; "install" beats "import". */
function spread(pkg: LoadedPackage, start: string[], trigger: Trigger, roles: Map<string, Trigger>, name: string | undefined): void {
  const queue = start.filter((f) => roles.get(f) !== "install");
  for (const file of queue) roles.set(file, trigger);
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i]!;
    const content = pkg.files.get(file);
    if (!content || !JS_FILE.test(file) && !/(^|\/)[^./]+$/.test(file)) continue;
    if (content.length > MAX_SPECIFIER_SCAN_BYTES) continue;
    REQUIRE.lastIndex = 0;
    for (const match of content.toString("latin1").matchAll(REQUIRE)) {
      const specifier = match[2] ?? match[4];
      if (!specifier) continue;
      const resolution = resolveSpecifier(pkg.files, file, specifier, name);
      if (!("file" in resolution)) continue;
      const current = roles.get(resolution.file);
      if (current === "install" || current === trigger) continue;
      roles.set(resolution.file, trigger);
      queue.push(resolution.file);
    }
  }
}

/** Problems of the analyzer and of ingest that mean a file of the package was not read in full. */
export function unanalysedFiles(pkg: LoadedPackage, errors: ScanErrorEntry[], problems: Unanalysed[]): Unanalysed[] {
  const out: Unanalysed[] = [];
  for (const error of errors) {
    if (error.file && !pkg.files.has(error.file) && SKIPPED_BY_INGEST.test(error.message)) out.push({ file: error.file, reason: error.message });
  }
  for (const problem of problems) if (pkg.files.has(problem.file) || problem.trigger) out.push(problem);
  return out;
}

/** Ingest entry errors that mean "a file of the package was left out" (not: a link that was refused). */
const SKIPPED_BY_INGEST = /per-file cap|over the cap|unsupported entry type|sparse|could not be read/;

export function unanalysedCodeFindings(
  pkg: LoadedPackage,
  ecosystem: Ecosystem | undefined,
  ref: PackageRef,
  unanalysed: Unanalysed[],
  signatures: Signatures,
): Finding[] {
  if (!unanalysed.length) return [];
  const skippedManifest = unanalysed.some((u) => u.file === "package.json" && !pkg.files.has("package.json"));
  const roles = runtimeRoles(pkg, ecosystem, skippedManifest, unanalysed.map((u) => u.file).filter((f) => !pkg.files.has(f)));
  const drafts: Draft[] = [];
  const seen = new Set<string>();
  for (const item of unanalysed) {
    const role = item.trigger ?? roles.get(item.file);
    const trigger = role === "install" || role === "import" ? role : item.crowdedOut ? "manual" : undefined;
    if (!trigger) continue;
    const key = `${item.file}|${trigger}|${item.line ?? 0}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // Decoded code is named "file#eval@line" by the analyzer: the finding is on the file.
    const file = item.file.replace(/#.*$/, "");
    const what =
      file === "package.json" ? "package.json (it holds the install scripts) was not read"
      : trigger === "install" ? `Code run at install was not analysed (${file})`
      : trigger === "import" ? `Code run when the package is imported was not analysed (${file})`
      : `Code of the package was not analysed (${file}): other files of the package used up the budget it shares`;
    drafts.push({
      ruleId: UNANALYSED_RULE,
      severity: trigger === "install" ? "high" : "medium",
      message: `${what}: ${item.reason}`,
      location: { file, line: item.line ?? 1, column: 1 },
      trigger,
      flow: [],
      indicators: item.indicators ?? [],
      attack: ["T1027"],
      identity: trigger,
    });
  }
  return finalize(drafts, ref, signatures);
}
