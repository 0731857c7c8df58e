// Files the package writes, under their folded path: the known text written there (a
// decoded second stage, so that `node file` / spawn(process.execPath, [file]) runs it) and
// the credential taint of what was written (a staged copy of stolen data, so that reading
// the file back or a command sending it carries the credential). Python's staging.ts is the
// same model. Unknown parts of a path stay "*": the same variable folds to the same key.
import type { FlowStep } from "../facts.js";
import { HOLE, isFetched, mergeTaints, withStep, type Taint } from "./values.js";

const MAX_FILES = 500;
const MAX_TEXT = 2_000_000;

/** One spelling per file: "/" separators, no "./" prefix, no doubled or trailing "/"; undefined when too unspecific. */
export function writtenKey(path: string | undefined): string | undefined {
  const text = spelling(path);
  if (text === undefined) return undefined;
  // "*", "/tmp/*", "~/*.x": too little is known to tell this file from another; a name written
  // out in full ("/tmp/x1") is that file, however short.
  const named = text.includes("*") ? text.replace(/^(\/tmp|~)(?=\/)/, "") : text;
  return named.replace(/[*/.]/g, "").length < 3 ? undefined : text;
}

function spelling(path: string | undefined): string | undefined {
  if (path === undefined || path.length > 1024) return undefined;
  return path.replaceAll(HOLE, "*").replace(/\\/g, "/").replace(/^(\.\/)+(?=.)/, "").replace(/\/{2,}/g, "/").replace(/(.)\/$/, "$1");
}

/**
 * Fetched data (downloads.ts) written under a path too unspecific for a key (`/tmp/*`: a name
 * chosen at run time) is still found by a run of the same spelling: fetched taint is never a
 * credential, so a loose match only ever links a download to a run.
 */
function looseKey(path: string | undefined): string | undefined {
  const text = spelling(path);
  return text !== undefined && /[^*/.]/.test(text) ? text : undefined;
}

export class WrittenFiles {
  private readonly texts = new Map<string, string>();
  private readonly taints = new Map<string, Taint[]>();
  private readonly loose = new Map<string, Taint[]>();

  /** A write of `text` (when known) carrying `taint` to `path`. */
  write(path: string | undefined, text: string | undefined, taint: Taint[] | undefined): void {
    const key = writtenKey(path);
    if (!key) {
      const loose = looseKey(path);
      const fetched = taint?.filter(isFetched);
      if (loose && fetched?.length && (this.loose.has(loose) || this.loose.size < MAX_FILES)) this.loose.set(loose, mergeTaints(this.loose.get(loose), fetched)!);
      return;
    }
    if (text !== undefined && text.length <= MAX_TEXT && (this.texts.has(key) || this.texts.size < MAX_FILES)) this.texts.set(key, text);
    const carried = taint?.filter((t) => !t.latent);
    if (carried?.length && (this.taints.has(key) || this.taints.size < MAX_FILES)) this.taints.set(key, mergeTaints(this.taints.get(key), carried)!);
  }

  /** The known text last written to `path`. */
  text(path: string | undefined): string | undefined {
    const key = writtenKey(path);
    return key ? this.texts.get(key) : undefined;
  }

  /** Credential taint of what was written to `path`, with a step where it is read or sent. */
  taint(path: string | undefined, step: FlowStep): Taint[] | undefined {
    if (this.taints.size === 0 && this.loose.size === 0) return undefined;
    const key = writtenKey(path);
    const taint = key ? this.taints.get(key) : this.loose.get(looseKey(path) ?? "");
    return taint ? withStep(taint, step) : undefined;
  }
}
