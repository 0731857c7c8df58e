// Parse recovery for files with syntax errors (decompiler output, hand-damaged code).
// tree-sitter often swallows everything after one bad line into a single ERROR node;
// here the file is cut into statements by indentation and each piece is re-parsed on
// its own, so every statement that parses cleanly is analysed. A compound statement
// whose body is broken keeps its header (def, class, with, for…) and gets the body's
// recovered statements. Pieces that still fail keep tree-sitter's partial parse and are
// listed as not analysed: the file is never reported as fully read.
import { field, type PyNode } from "./ast.js";

/**
 * Parses a piece of the file (its line 1 is the piece's first line); clean = no ERROR/MISSING.
 * A broken piece's tree is only needed (and converted) when keepBroken is set.
 */
export type PieceParser = (text: string, keepBroken: boolean) => { root: PyNode; clean: boolean } | undefined;

export interface Recovered {
  statements: PyNode[];
  /** 1-based inclusive line ranges whose code was not (fully) parsed. */
  unparsed: [number, number][];
}

/**
 * Bounds on the work one broken file can cause: re-parses, and characters re-parsed as a
 * multiple of the file's size (tree-sitter's error recovery is slow on broken text).
 */
const MAX_PARSES = 400;
const MAX_REPARSE_FACTOR = 8;
/** Statements re-parsed together before they are parsed one by one. */
const GROUP = 8;
const MAX_DEPTH = 40;
const CONTINUATION = /^(else|elif|except|finally)\b/;

/** A clause of a compound statement: header lines [start, bodyStart), body lines [bodyStart, end). */
interface Clause {
  start: number;
  bodyStart: number;
  end: number;
}

interface Line {
  text: string;
  /** Leading whitespace; undefined for blank and comment-only lines. */
  indent: string | undefined;
  /** The line without its comment, trimmed. */
  code: string;
}

export function recoverStatements(source: string, parse: PieceParser): Recovered {
  return new Recovery(source, parse).run();
}

class Recovery {
  private readonly lines: Line[];
  private parses = 0;
  private parsedChars = 0;
  private readonly maxChars: number;
  private readonly unparsed: [number, number][] = [];

  constructor(
    source: string,
    private readonly parse: PieceParser,
  ) {
    this.lines = source.split("\n").map(describeLine);
    this.maxChars = MAX_REPARSE_FACTOR * source.length + 20_000;
  }

  run(): Recovered {
    const statements = this.recover(0, this.lines.length, 0);
    return { statements, unparsed: mergeRanges(this.unparsed) };
  }

  /** Statements of lines [start, end), all at least as indented as the region's first statement. */
  private recover(start: number, end: number, depth: number): PyNode[] {
    const first = this.firstCodeLine(start, end);
    if (first === undefined) return [];
    const clean = this.parseRegion(first, end, this.lines[first]!.indent!);
    if (clean?.clean) return clean.statements;
    const chunks = this.splitStatements(first, end);
    if (depth >= MAX_DEPTH || this.parses >= MAX_PARSES || this.parsedChars >= this.maxChars) return this.giveUp(first, end);
    if (chunks.length > 1) {
      // Runs of statements first: a clean run costs one parse, not one per statement.
      const statements: PyNode[] = [];
      for (let i = 0; i < chunks.length; i += GROUP) {
        const groupEnd = i + GROUP < chunks.length ? chunks[i + GROUP]! : end;
        const group = GROUP > 1 && i + 1 < chunks.length ? this.parseRegion(chunks[i]!, groupEnd, this.lines[chunks[i]!]!.indent!) : undefined;
        if (group?.clean) statements.push(...group.statements);
        else for (let j = i; j < Math.min(i + GROUP, chunks.length); j++) statements.push(...this.recover(chunks[j]!, chunks[j + 1] ?? end, depth + 1));
      }
      return statements;
    }
    return this.recoverCompound(first, end, depth);
  }

  /**
   * One statement that does not parse: keep its clause headers (def, class, with, for,
   * if/elif/else, try/except/finally) and recover each clause's body on its own.
   */
  private recoverCompound(start: number, end: number, depth: number): PyNode[] {
    const clauses = this.clauses(start, end);
    if (clauses.length === 0) return this.giveUp(start, end);
    let skeleton = this.skeleton(start, clauses);
    let grafted = clauses;
    if (!skeleton) {
      // A clause header is the broken line (a stray `else:`): keep the first clause only,
      // the others' bodies are appended to it (an over-approximation that still reads them).
      skeleton = this.skeleton(start, clauses.slice(0, 1));
      grafted = clauses.slice(0, 1);
    }
    const bodies = clauses.map((c) => this.recover(c.bodyStart, c.end, depth + 1));
    if (!skeleton) {
      // The first header is broken too (a mangled signature): the bodies run in the enclosing block.
      for (const clause of clauses) this.unparsed.push([clause.start + 1, clause.bodyStart]);
      return bodies.flat();
    }
    for (const clause of clauses.slice(grafted.length)) this.unparsed.push([clause.start + 1, clause.bodyStart]);
    skeleton.blocks.forEach((block, i) => {
      // With only the first clause kept, every clause's body goes into its block.
      const statements = grafted.length < clauses.length ? bodies.flat() : bodies[i]!;
      if (statements.length > 0) block.children = statements;
    });
    return [skeleton.statement];
  }

  /** The compound statement with each clause's body reduced to `pass`, and one block per clause; undefined when it does not parse so. */
  private skeleton(start: number, clauses: Clause[]): { statement: PyNode; blocks: PyNode[] } | undefined {
    const last = clauses[clauses.length - 1]!;
    const bodyLines = new Map<number, string>();
    for (const clause of clauses) {
      const indent = this.lines[this.firstCodeLine(clause.bodyStart, clause.end) ?? clause.bodyStart]?.indent;
      for (let i = clause.bodyStart; i < clause.end; i++) bodyLines.set(i, "");
      bodyLines.set(clause.bodyStart, `${indent !== undefined && indent.length > this.lines[start]!.indent!.length ? indent : `${this.lines[start]!.indent!}    `}pass`);
    }
    const parsed = this.parsePiece(start, last.end, this.lines[start]!.indent!, false, (i) => bodyLines.get(i));
    if (!parsed?.clean || parsed.statements.length !== 1) return undefined;
    const statement = parsed.statements[0]!;
    const blocks: PyNode[] = [];
    const stack = [statement];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.type === "block") blocks.push(node);
      else for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
    return blocks.length === clauses.length ? { statement, blocks } : undefined;
  }

  /** Clause headers (the line ending in ":" after the start or a continuation keyword) and their bodies. */
  private clauses(start: number, end: number): Clause[] {
    const indent = this.lines[start]!.indent!;
    const result: Clause[] = [];
    let clauseStart = start;
    while (clauseStart < end) {
      let headerEnd = clauseStart;
      while (headerEnd < end && !this.lines[headerEnd]!.code.endsWith(":")) headerEnd++;
      if (headerEnd >= end - 1) break;
      let next = headerEnd + 1;
      while (next < end && !(this.lines[next]!.indent === indent && CONTINUATION.test(this.lines[next]!.code))) next++;
      result.push({ start: clauseStart, bodyStart: headerEnd + 1, end: next });
      clauseStart = next;
    }
    return result;
  }

  /** Start lines of the statements at the region's indentation (continuation clauses, closing brackets and decorated definitions stay joined). */
  private splitStatements(start: number, end: number): number[] {
    const indent = this.lines[start]!.indent!;
    const starts = [start];
    let decorators = this.lines[start]!.code.startsWith("@");
    for (let i = start + 1; i < end; i++) {
      const line = this.lines[i]!;
      if (line.indent === undefined || line.indent.length > indent.length) continue;
      if (CONTINUATION.test(line.code) || /^[)\]}]/.test(line.code) || decorators) {
        decorators &&= line.code.startsWith("@");
        continue;
      }
      starts.push(i);
      decorators = line.code.startsWith("@");
    }
    return starts;
  }

  private giveUp(start: number, end: number): PyNode[] {
    this.unparsed.push([start + 1, this.lastCodeLine(start, end) + 1]);
    // tree-sitter's own partial parse: the interpreter still looks inside its ERROR nodes.
    return this.parsePiece(start, end, this.lines[start]!.indent!, true)?.statements ?? [];
  }

  private parseRegion(start: number, end: number, indent: string): { statements: PyNode[]; clean: boolean } | undefined {
    return this.parsePiece(start, end, indent, false);
  }

  /**
   * Parse lines [start, end) (plus an optional extra line) with the file's line numbers:
   * earlier lines become empty, and an indented piece is placed under `if 1:` on the line
   * before it so its columns stay those of the file.
   */
  private parsePiece(start: number, end: number, indent: string, keepBroken: boolean, replace?: (line: number) => string | undefined): { statements: PyNode[]; clean: boolean } | undefined {
    this.parses++;
    const body = this.lines.slice(start, end).map((l, i) => replace?.(start + i) ?? l.text);
    const nested = indent.length > 0 && start > 0;
    const prefix = nested ? "if 1:\n" : "";
    const text = body.join("\n");
    this.parsedChars += text.length;
    const parsed = this.parse(prefix + text, keepBroken);
    if (!parsed) return undefined;
    shiftLines(parsed.root, nested ? start - 1 : start);
    let statements = parsed.root.children.filter((c) => c.named);
    if (nested) {
      const wrapper = statements.length === 1 && statements[0]!.type === "if_statement" ? field(statements[0]!, "consequence") : undefined;
      if (!wrapper) return { statements, clean: false };
      statements = wrapper.children.filter((c) => c.named);
    }
    return { statements, clean: parsed.clean };
  }

  private firstCodeLine(start: number, end: number): number | undefined {
    for (let i = start; i < end; i++) if (this.lines[i]!.indent !== undefined) return i;
    return undefined;
  }

  private lastCodeLine(start: number, end: number): number {
    for (let i = end - 1; i > start; i--) if (this.lines[i]!.indent !== undefined) return i;
    return start;
  }
}

/** Move a piece's nodes to the file's line numbers (pieces are parsed without the lines before them). */
function shiftLines(root: PyNode, offset: number): void {
  if (offset === 0) return;
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    node.shiftLines(offset);
    for (const child of node.children) stack.push(child);
  }
}

function describeLine(text: string): Line {
  const code = stripComment(text).trim();
  if (code === "") return { text, indent: undefined, code };
  return { text, indent: /^[ \t\f]*/.exec(text)![0], code };
}

/** The line up to a `#` outside string quotes (one line's view: good enough to find a header's ":"). */
function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#") return text.slice(0, i);
  }
  return text;
}

function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1] + 1) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  return merged;
}
