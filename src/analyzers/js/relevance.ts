// A cheap pre-scan over the raw text of a package's files: which files can produce a fact
// at all. A file is *active* when its text names something a source, sink, eval, decoder
// or indicator could come from (process, fetch, eval, Buffer, a URL literal, a Node
// built-in or modelled module …); it is *relevant* when it is active or imports a relevant
// file. Irrelevant files cannot reach any source or sink: when nothing loads them they are
// not parsed, and their functions are not analysed on their own (their exports are still
// analysed, on demand, when a relevant file requires them). A false "active" only costs time.
// Escapes (`\x70rocess`, `"\u0068ttps://…"`) hide nothing: the tests also run on the text
// with its escapes decoded, the way JavaScript reads them in strings, templates and names.
import { builtinModules } from "node:module";
import { isSecretEnvName, type Signatures } from "../../rules/signatures.js";
import { isCommandModule } from "./sinks.js";
import { isFsModule, isPromptModule } from "./sources.js";
import { moduleName, resolveSpecifier } from "./modules.js";

const ACTIVE = new RegExp(
  [
    // code from strings, the Function constructor used as a value (timers: timerActive)
    String.raw`\beval\b`,
    String.raw`\bFunction\s*[(;,)]`,
    // decoders and obfuscators whose output may name a host or be run
    String.raw`\bBuffer\b|\batob\b|fromCharCode|fromCodePoint|\bunescape\b|decodeURI|_0x`,
    // a URL inside a string literal (not in a comment)
    String.raw`['"\x60][^'"\x60\n]{0,300}:\/\/`,
    // computed access to the global object, Reflect, module loading that is not a literal
    String.raw`\b(?:global|globalThis|window|self)\s*\[|\bReflect\s*\.|\b_load\b`,
    // the Deno and Bun runtimes' own environment and file APIs
    String.raw`\b(?:Deno|Bun)\s*\.\s*(?:env|read|file|spawn|\$)`,
    String.raw`\b(?:require|import)\s*\(\s*[^'"\s)]`,
    // a comment where a specifier's call or quote would be (the specifier scan below would miss it)
    String.raw`\b(?:require|import|from)\s*\/[*/]`,
    // the Function constructor reached without its name: [].constructor.constructor, ["constructor"]
    String.raw`\bconstructor\s*\.\s*constructor\b|\[\s*['"\x60]constructor['"\x60]\s*\]`,
  ].join("|"),
);

/** The escapes of JavaScript strings, templates and identifiers that spell a character by code or stand for it (`\p` is `p`). */
// `\u{…}` takes any number of leading zeros; a backslash before a line end continues the string.
const ESCAPE = /\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|u\{0*([0-9a-fA-F]{1,6})\}|([0-3][0-7]{0,2}|[4-7][0-7]?)|([^bfnrtvxu0-9\r\n\u2028\u2029])|(\r\n?|[\n\u2028\u2029]))/g;

/**
 * The text with every escape replaced by the character it spells, in one pass as JavaScript
 * reads it (`\\x41` stays a backslash and `x41`); undefined when it has no backslash.
 */
export function decodeEscapes(text: string): string | undefined {
  if (!text.includes("\\")) return undefined;
  return text.replace(ESCAPE, (whole, hex?: string, unit?: string, point?: string, octal?: string, itself?: string, lineEnd?: string) => {
    if (lineEnd !== undefined) return "";
    if (itself !== undefined) return itself;
    const code = octal !== undefined ? parseInt(octal, 8) : parseInt(hex ?? unit ?? point!, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

const TIMER = /\bset(?:Timeout|Interval|Immediate)\b/g;
/**
 * What may follow a timer's name when it runs nothing hidden: a call whose first argument
 * is a function written out (its body is part of this text), or, on the same line, a word
 * that cannot follow a name in code (prose in a comment or string: code cannot call it);
 * the operators that can (`in`, `of`, TypeScript's `as`, `satisfies` …) leave it active.
 */
const INERT_AFTER_TIMER = /^(?:\s*\(\s*(?:async\b\s*)?(?:function\b|\([^()]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)|[ \t]+(?!(?:in|instanceof|of|from|as|satisfies|is|extends|implements)\b)[A-Za-z_$])/;

/** setTimeout/setInterval/setImmediate named where it could run a string as code (a value passed along, a string or unknown first argument). */
function timerActive(text: string): boolean {
  for (const match of text.matchAll(TIMER)) {
    if (!INERT_AFTER_TIMER.test(text.slice(match.index + match[0].length, match.index + match[0].length + 300))) return true;
  }
  return false;
}

const ENV_NAME = /^\s*\.\s*env\s*\.\s*([A-Za-z_$][\w$]*)/;

/**
 * `process` used for anything but inert members (signatures/sinks.yaml js.inert.processMembers)
 * and non-secret variables (`process.env.NODE_ENV`, `process.env.DEBUG`).
 */
function processActive(text: string, signatures: Signatures): boolean {
  for (const match of text.matchAll(/\bprocess\b/g)) {
    const after = text.slice(match.index + 7, match.index + 200);
    if (signatures.sinks.js.inert.afterProcess.test(after)) continue;
    const name = ENV_NAME.exec(after)?.[1];
    if (name !== undefined && !isSecretEnvName(signatures, name)) continue;
    return true;
  }
  return false;
}

function textActive(text: string, signatures: Signatures): boolean {
  return ACTIVE.test(text) || timerActive(text) || processActive(text, signatures);
}

/** Literal module specifiers: require('x'), import … from 'x', import('x'), export … from 'x'. */
const SPECIFIER = /(?:\brequire\s*\(\s*|\bfrom\s*|\bimport\s*(?:\(\s*)?)['"]([^'"\n]{1,300})['"]/g;

const BUILTINS = new Set(builtinModules);

function activeModule(specifier: string, signatures: Signatures): boolean {
  const name = moduleName(specifier);
  // Built-ins that neither read credentials nor send data nor run code: signatures/sinks.yaml js.inert.builtins.
  if (BUILTINS.has(name) || specifier.startsWith("node:")) return !signatures.sinks.js.inert.builtins.has(name);
  return name in signatures.sinks.js.modules || isFsModule(signatures, name) || isCommandModule(signatures, name) || isPromptModule(signatures, name) || signatures.credentialConsumers.js.ssh.has(name);
}

/** JavaScript files of the package that can produce no fact (see above). */
export function irrelevantFiles(files: ReadonlyMap<string, Buffer>, paths: string[], signatures: Signatures, packageName?: string): Set<string> {
  const relevant = new Set<string>();
  const importers = new Map<string, string[]>();
  for (const path of paths) {
    const raw = files.get(path)!.toString("latin1");
    let active = textActive(raw, signatures);
    // Decoded only when the raw text says nothing (most active files say it plainly).
    const decoded = active ? undefined : decodeEscapes(raw);
    const texts = decoded === undefined || decoded === raw ? [raw] : [raw, decoded];
    if (texts.length > 1) active = textActive(decoded!, signatures);
    for (const text of texts) {
      for (const match of text.matchAll(SPECIFIER)) {
        if (active) break;
        const specifier = match[1]!;
        const resolution = resolveSpecifier(files, path, specifier, packageName);
        if ("module" in resolution) active = activeModule(specifier, signatures);
        else if ("file" in resolution) {
          const list = importers.get(resolution.file);
          if (list) list.push(path);
          else importers.set(resolution.file, [path]);
        }
      }
    }
    if (active) relevant.add(path);
  }
  // Importers of relevant files are relevant (they may wire a reader to a sender).
  const queue = [...relevant];
  while (queue.length > 0) {
    for (const importer of importers.get(queue.pop()!) ?? []) {
      if (!relevant.has(importer)) {
        relevant.add(importer);
        queue.push(importer);
      }
    }
  }
  return new Set(paths.filter((p) => !relevant.has(p)));
}
