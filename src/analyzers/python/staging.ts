// Files written and read back under one folded name (a temp file, a copy of a key, an
// archive): what was written to a path reaches every later read of it, in any function.
// The store lives for the whole package analysis, so the second pass sees writes that
// come after the read in program order.
import type { FlowStep } from "../facts.js";
import { foldedText, mergeTaints, withStep, type Taint, type Value } from "./model.js";
import { wildcardMatches } from "../../core/glob.js";

/** Calls that write their first argument into the file object given second (`json.dump(data, fh)`). */
export const FILE_DUMPERS = /^(json|simplejson|pickle|yaml|toml|marshal|csv)\.(dump|safe_dump)$/;
/** Calls whose first argument is a file opened for writing when their mode says so. */
const WRITABLE_OPENERS = /^(builtins\.open|io\.open|codecs\.open|zipfile\.ZipFile|tarfile\.open|gzip\.open|bz2\.open|lzma\.open)$/;

/** The name a file is staged under: its folded path, when enough of it is known to be specific. */
export function stagingKey(value: Value | undefined): string | undefined {
  const raw = value ? foldedText(value) : undefined;
  // `./out/x` and `out/x` are one file; "." is the current folder (see reachedKeys).
  const text = raw?.replace(/^(\.[\\/])+(?=.)/, "");
  if (text === "." || text === "./" || text === ".\\") return CURRENT_FOLDER;
  if (!text || text.length > 1024 || text.replace(/[*/.\\]/g, "").length < 3) return undefined;
  // One spelling per file: Windows separators and case, no doubled or trailing separators.
  return text.replace(/\\/g, "/").replace(/\/{2,}/g, "/").replace(/(.)\/$/, "$1").toLowerCase();
}

const CURRENT_FOLDER = ".";
/**
 * A path that may be relative to the current folder: `chrome/default/cookies.txt`, or one whose
 * folders are computed (`Path(browser) / profile / "cookies.txt"`); not one under home, the root
 * or a drive.
 */
const isRelative = (key: string): boolean => !/^([/~]|[a-z]:)/i.test(key);

/**
 * The written keys a read of `key` reaches: the file itself, everything under it when it is a
 * folder (`os.walk(stage)`, `make_archive(…, stage)`), and when the read has unknown parts
 * (`os.path.join(root, name)` under a walk) the files its pattern matches below its known folder.
 */
function reachedKeys(key: string, written: Iterable<string>): string[] {
  const out: string[] = [];
  const star = key.indexOf("*");
  const folder = star < 0 ? undefined : key.slice(0, key.lastIndexOf("/", star) + 1);
  // A pattern is only followed below a specific known folder (not "*/x" or "~/").
  const pattern = folder !== undefined && folder.replace(/[~/.*]/g, "").length >= 3 ? globMatcher(key) : undefined;
  // A folder is only followed when specific (not "~", "*" or "/tmp/*").
  const folderRead = key.replace(/[~/.*]/g, "").length >= 3 && !/^\/tmp\/?\*?$/.test(key);
  for (const candidate of written) {
    // `os.walk(".")` / `make_archive(…, ".")`: every file written under the current folder.
    if (key === CURRENT_FOLDER && isRelative(candidate)) out.push(candidate);
    else if (candidate === key || (folderRead && candidate.startsWith(`${key}/`))) out.push(candidate);
    else if (pattern && candidate.startsWith(folder!) && pattern.test(candidate)) out.push(candidate);
  }
  return out;
}

/** `*` any characters (not a line break), the rest literal; the path or anything under it. Not a regex: many stars would backtrack. */
export function globMatcher(key: string): { test: (path: string) => boolean } {
  const options = { literalQuestionMark: true };
  return { test: (path) => wildcardMatches(key, path, options) || wildcardMatches(`${key}/*`, path, options) };
}

/** The mode argument of an opener call, when it opens the file for writing. */
export function writeTarget(qname: string, positional: Value[], keywords: Map<string, Value>): string | undefined {
  if (!WRITABLE_OPENERS.test(qname)) return undefined;
  const mode = positional[1]?.str ?? keywords.get("mode")?.str ?? "";
  return /[wax]/.test(mode) ? stagingKey(positional[0] ?? keywords.get("file")) : undefined;
}

export class StagedFiles {
  private readonly files = new Map<string, Taint[]>();
  /** Known text written to a path (a decoded second stage), so that running the file analyses it. */
  private readonly texts = new Map<string, { text: string; plain: boolean }>();

  writeText(key: string | undefined, value: Value | undefined): void {
    if (!key || value?.str === undefined || value.str.length > 2_000_000) return;
    if (!this.texts.has(key) && this.texts.size >= 200) return;
    this.texts.set(key, { text: value.str, plain: value.plain === true });
  }

  text(key: string | undefined): { text: string; plain: boolean } | undefined {
    return key ? this.texts.get(key) : undefined;
  }

  write(key: string | undefined, taints: Taint[]): void {
    if (!key || !taints.some((t) => t.source)) return;
    if (!this.files.has(key) && this.files.size >= 1000) return;
    this.files.set(key, mergeTaints(this.files.get(key) ?? [], taints.filter((t) => t.source)));
  }

  /** Nothing with credential data written yet (the common case): callers skip building keys and steps for read(). */
  get empty(): boolean {
    return this.files.size === 0;
  }

  /** Something with credential data was written to `key` or under it. */
  holds(key: string | undefined): boolean {
    return key !== undefined && this.files.size > 0 && reachedKeys(key, this.files.keys()).length > 0;
  }

  /** Taints of what was written to `key` (or under it, when it is a folder), with a step at the read. */
  read(key: string | undefined, step: FlowStep): Taint[] {
    if (!key || this.files.size === 0) return [];
    let taints: Taint[] = [];
    for (const reached of reachedKeys(key, this.files.keys())) taints = mergeTaints(taints, this.files.get(reached)!);
    return taints.length ? withStep(taints, step) : [];
  }
}
