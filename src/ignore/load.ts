// Reads and validates an ignore file; each entry keeps its line for messages.
import { existsSync, readFileSync } from "node:fs";
import { LineCounter, isNode, isSeq, parseDocument } from "yaml";
import { ConfigurationError } from "../core/errors.js";
import { readValidated } from "../rules/signatures.js";
import { ignoreFileSchema, type IgnoreEntryData } from "./schema.js";

export const DEFAULT_IGNORE_FILE = ".exfilscanignore";

export interface IgnoreEntry extends IgnoreEntryData {
  file: string;
  line: number;
}

export interface IgnoreList {
  file: string;
  entries: IgnoreEntry[];
}

/** Throws a ConfigurationError naming the file and line of the first bad entry. */
export function loadIgnoreFile(file: string, ruleIds: ReadonlySet<string>): IgnoreList {
  if (!existsSync(file)) throw new ConfigurationError("ignore file not found", file);
  const entries = readValidated(file, ignoreFileSchema(ruleIds));
  const lines = entryLines(readFileSync(file, "utf8"));
  return { file, entries: entries.map((entry, index) => ({ ...entry, file, line: lines[index] ?? 1 })) };
}

/** The explicit --ignore-file, else ./.exfilscanignore when it exists, else none. */
export function findIgnoreFile(flag: string | undefined, cwd = process.cwd()): string | undefined {
  if (flag) return flag;
  const local = `${cwd}/${DEFAULT_IGNORE_FILE}`;
  return existsSync(local) ? local : undefined;
}

function entryLines(text: string): number[] {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  if (!isSeq(doc.contents)) return [];
  return doc.contents.items.map((item) => (isNode(item) && item.range ? counter.linePos(item.range[0]).line : 1));
}
