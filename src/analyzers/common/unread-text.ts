// What the text of a file the analyzer could not read in full names (over a token budget,
// unparsable, nested too deeply): credential files, secret environment variables,
// exfiltration services and known-bad hosts, a download command beside a way to run
// commands. One linear pass over the text, no parse, both languages. It is evidence for the
// report on that file (unanalysed-code, or the listed skipped file), never a finding of its
// own: a name in a text proves no flow, and the report still says the file was not analysed.
import type { Indicator } from "../../core/types.js";
import { classifyCredentialPath, hostOf, isSecretEnvName, matchExfilService, matchKnownBad, type Signatures } from "../../rules/signatures.js";

export interface TextEvidence {
  /** Short phrases ("credential file .npmrc", …), at most a few of each kind. */
  notes: string[];
  /** Exfiltration-service and known-bad destinations named in the text. */
  indicators: Indicator[];
}

/** Items of one kind said (the rest are counted). */
const MAX_OF_A_KIND = 3;
/** Distinct string literals and URLs looked at: bounds the work on a 64 MiB file. */
const MAX_DISTINCT = 200_000;

const STRING_LITERAL = /(["'`])([^"'`\\\r\n]{2,200})\1/g;
const URL_IN_TEXT = /\b(?:https?|wss?|ftp):\/\/[^\s"'`<>\\]{3,300}/gi;
const ENV_READ = /\b(?:env|environ)(?:\.get\s*\(\s*["']|\[\s*["'`]|\s*\.\s*)([A-Za-z_][A-Za-z0-9_]{1,80})|\bgetenv\s*\(\s*["']([A-Za-z_][A-Za-z0-9_]{1,80})/g;
const RUNS_COMMANDS = /\bchild_process\b|\bsubprocess\b|\bos\.(?:system|popen)\b|\bexecSync\b|\bspawnSync\b/;
const DOWNLOAD_COMMAND = /(?:^|[\s;&|(])(?:curl|wget|iwr|Invoke-WebRequest|bitsadmin)\s/i;

/** The evidence in a file's text; empty lists when it names nothing of note. */
export function unreadTextEvidence(text: string, signatures: Signatures): TextEvidence {
  const kinds = new Map<string, Set<string>>();
  const indicators = new Map<string, Indicator>();
  const add = (kind: string, item: string): void => {
    let items = kinds.get(kind);
    if (!items) kinds.set(kind, (items = new Set()));
    items.add(item.length > 80 ? `${item.slice(0, 77)}...` : item);
  };

  const literals = distinct(text, STRING_LITERAL, 2);
  const urls = distinct(text, URL_IN_TEXT, 0);
  let download: string | undefined;
  for (const literal of literals) {
    const credential = /[./~\\%]/.test(literal) ? classifyCredentialPath(signatures, literal.trim()) : undefined;
    if (credential) add("credential file", literal.trim());
    if (!download && DOWNLOAD_COMMAND.test(literal)) download = literal;
  }
  for (const destination of [...urls, ...literals]) {
    // A bare address in a string (a CIDR table, a default) is no destination; in a URL it is one.
    const matched = matchExfilService(signatures, destination);
    const service = matched && (matched.category !== "raw-ip" || destination.includes("://")) ? matched : undefined;
    const bad = service ? undefined : matchKnownBad(signatures, destination);
    if (!service && !bad) continue;
    add(service ? `exfiltration service (${service.name})` : "known-bad indicator", destination);
    const host = hostOf(destination);
    const type = destination.includes("://") ? "url" : host && /^[\d.]+$/.test(host) ? "ip" : "domain";
    indicators.set(destination, { type, value: destination });
  }
  for (const match of text.matchAll(ENV_READ)) {
    const name = match[1] ?? match[2]!;
    if (isSecretEnvName(signatures, name)) add("secret variable", name);
    if ((kinds.get("secret variable")?.size ?? 0) > 20) break;
  }
  if (download && RUNS_COMMANDS.test(text)) add("a download command beside code that runs commands", download);

  const notes: string[] = [];
  for (const [kind, items] of kinds) {
    const shown = [...items].slice(0, MAX_OF_A_KIND).join(", ");
    notes.push(`${kind} ${shown}${items.size > MAX_OF_A_KIND ? ` (+${items.size - MAX_OF_A_KIND} more)` : ""}`);
  }
  return { notes, indicators: [...indicators.values()].slice(0, 10) };
}

/** Distinct values of `group` (0: the whole match) of a global pattern, at most MAX_DISTINCT. */
function distinct(text: string, pattern: RegExp, group: number): Set<string> {
  const out = new Set<string>();
  for (const match of text.matchAll(pattern)) {
    out.add(match[group]!);
    if (out.size >= MAX_DISTINCT) break;
  }
  return out;
}

/** The evidence as a sentence to append to a problem's message ("" when there is none). */
export function evidenceSentence(evidence: TextEvidence): string {
  return evidence.notes.length ? `; read as text only, it names: ${evidence.notes.join("; ")}` : "";
}
