// The formats, in the order auto-detection tries them (most specific first).
import { auditdParser } from "./auditd.js";
import { dockerParser } from "./docker.js";
import { ecsParser } from "./ecs.js";
import { journaldParser } from "./journald.js";
import { syslogParser } from "./syslog.js";
import type { LogParser } from "./types.js";
import { zeekParser } from "./zeek.js";

export const PARSERS: readonly LogParser[] = [journaldParser, dockerParser, zeekParser, ecsParser, auditdParser, syslogParser];

export const FORMAT_NAMES = PARSERS.map((p) => p.name);

export function parserByName(name: string): LogParser | undefined {
  return PARSERS.find((p) => p.name === name);
}

/**
 * The format of an input from its first lines. Blank lines and "#" comment lines (test
 * corpora, hand-annotated excerpts) are looked past — except by Zeek, whose "#separator"
 * and "#fields" headers are its signature — so no file is refused for its first line.
 */
export function detectParser(firstLines: string[]): LogParser | undefined {
  const lines = firstLines.filter((l) => l.trim() !== "");
  if (lines.length === 0) return undefined;
  const data = lines.filter((l) => !l.startsWith("#"));
  return PARSERS.find((p) => p.detect(p === zeekParser || data.length === 0 ? lines : data));
}
