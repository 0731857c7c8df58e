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

export function detectParser(firstLines: string[]): LogParser | undefined {
  const lines = firstLines.filter((l) => l.trim() !== "");
  if (lines.length === 0) return undefined;
  return PARSERS.find((p) => p.detect(lines));
}
