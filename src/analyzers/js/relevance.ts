// A cheap pre-scan over the raw text of a package's files: which files can produce a fact
// at all. A file is *active* when its text names something a source, sink, eval, decoder
// or indicator could come from (process, fetch, eval, Buffer, a URL literal, a Node
// built-in or modelled module …); it is *relevant* when it is active or imports a relevant
// file. Irrelevant files cannot reach any source or sink: when nothing loads them they are
// not parsed, and their functions are not analysed on their own (their exports are still
// analysed, on demand, when a relevant file requires them). A false "active" only costs time.
import { builtinModules } from "node:module";
import { isSecretEnvName, type Signatures } from "../../rules/signatures.js";
import { isCommandModule } from "./sinks.js";
import { isFsModule, isPromptModule } from "./sources.js";
import { moduleName, resolveSpecifier } from "./modules.js";

const ACTIVE = new RegExp(
  [
    // code from strings, timers that take strings, the Function constructor used as a value
    String.raw`\beval\b`,
    String.raw`\bFunction\s*[(;,)]`,
    String.raw`\bset(?:Timeout|Interval|Immediate)\b`,
    // decoders and obfuscators whose output may name a host or be run
    String.raw`\bBuffer\b|\batob\b|fromCharCode|fromCodePoint|\bunescape\b|decodeURI|_0x`,
    String.raw`\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F{]`,
    // a URL inside a string literal (not in a comment)
    String.raw`['"\x60][^'"\x60\n]{0,300}:\/\/`,
    // computed access to the global object, Reflect, module loading that is not a literal
    String.raw`\b(?:global|globalThis|window|self)\s*\[|\bReflect\s*\.|\b_load\b`,
    // the Deno and Bun runtimes' own environment and file APIs
    String.raw`\b(?:Deno|Bun)\s*\.\s*(?:env|read|file)`,
    String.raw`\b(?:require|import)\s*\(\s*[^'"\s)]`,
  ].join("|"),
);

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
    const text = files.get(path)!.toString("latin1");
    let active = ACTIVE.test(text) || processActive(text, signatures);
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
