// The contract every log format implements: detect from the first lines, then parse a
// stream line by line. Parsers never print and never throw on bad input.
import type { Cursor, HostEvent } from "../events.js";

/**
 * recognised: produced events. skipped: a line of a program this format does not model.
 * unmodelled: an sshd line with no event (counted and listed, never silently dropped).
 * unparseable: not a line of this format at all.
 */
export type LineStatus = "recognised" | "skipped" | "unmodelled" | "unparseable";

export interface ParserContext {
  /** Path as given (or "-"): copied into every event. */
  file: string;
  /** Newest time the input can hold (file mtime): anchors RFC 3164 year inference. */
  referenceMs: number;
  /** Minutes east of UTC for timestamps that carry no zone. */
  offsetMinutes: number;
}

export interface ParseSession {
  /**
   * One line (without its newline). Completed events are pushed to `out` (append only: it may
   * hold earlier lines' events). `plain`: the reader knows the line is ASCII without a CR.
   */
  line(text: string, lineNumber: number, startOffset: number, out: HostEvent[], plain?: boolean): LineStatus;
  /** End of input: emit whatever is still pending. */
  end(out: HostEvent[]): void;
  /** Where a resumed read must restart so a pending (incomplete) group is not lost. */
  pendingCursor?(): Cursor | undefined;
  /**
   * An independent session in this one's state: fed the lines that follow, it gives exactly
   * the events this one would. Lets a conflicting commit re-read its batch instead of holding
   * every event (see analyze.ts); parsers without it have their events held.
   */
  clone?(): ParseSession;
}

export interface LogParser {
  name: string;
  description: string;
  /** True when these first non-empty lines look like this format. */
  detect(firstLines: string[]): boolean;
  open(context: ParserContext): ParseSession;
}
