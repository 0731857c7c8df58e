// Files written and read back under one folded name (a temp file, a copy of a key, an
// archive): what was written to a path reaches every later read of it, in any function.
// The store lives for the whole package analysis, so the second pass sees writes that
// come after the read in program order.
import type { FlowStep } from "../facts.js";
import { foldedText, mergeTaints, withStep, type Taint, type Value } from "./model.js";

/** Calls that copy or move file `src` (argument 0) to `dst` (argument 1). */
export const FILE_COPIERS = /^(shutil\.(copy|copyfile|copy2|move)|os\.(rename|replace))$/;
/** Calls whose first argument is a file opened for writing when their mode says so. */
const WRITABLE_OPENERS = /^(builtins\.open|io\.open|codecs\.open|zipfile\.ZipFile|tarfile\.open|gzip\.open|bz2\.open|lzma\.open)$/;

/** The name a file is staged under: its folded path, when enough of it is known to be specific. */
export function stagingKey(value: Value | undefined): string | undefined {
  const text = value ? foldedText(value) : undefined;
  if (!text || text.length > 1024 || text.replace(/[*/.\\]/g, "").length < 3) return undefined;
  return text;
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

  /** Taints of what was written to `key`, with a step at the read. */
  read(key: string | undefined, step: FlowStep): Taint[] {
    const taints = key ? this.files.get(key) : undefined;
    return taints ? withStep(taints, step) : [];
  }
}
