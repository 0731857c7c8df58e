// Reading signature YAML: one file validated against its schema (errors name file and line),
// one directory's files, and the compiled built-in set (dist/signatures.json) while it is current.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join } from "node:path";
import type * as Yaml from "yaml";
import type { z } from "zod";
import { ConfigurationError } from "../../core/errors.js";
import { PACKAGE_ROOT } from "../../core/version.js";
import { signatureDigest, signatureFiles, signatureStamp } from "../signature-digest.js";
import { signatureSchemas } from "../schema.js";
import type { SignatureDirData } from "./types.js";

/** Written by `npm run build` (scripts/build-signatures.mjs). */
export const COMPILED_SIGNATURES_FILE = join(PACKAGE_ROOT, "dist", "signatures.json");

/** Largest YAML file read (signatures, ignore files): a real one is a few KiB, and the YAML parser needs ~150x its size in memory. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** Parse one YAML file and validate it; errors name the file and the line of the bad value. */
export function readValidated<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  const stats = statSync(file);
  if (!stats.isFile()) throw new ConfigurationError("not a regular file", file);
  if (stats.size > MAX_CONFIG_BYTES) throw new ConfigurationError(`file of ${stats.size} bytes is over the ${MAX_CONFIG_BYTES}-byte cap for YAML configuration`, file);
  const text = readFileSync(file, "utf8");
  // yaml is loaded on first use only (the compiled built-in set needs no YAML parser).
  const { LineCounter, parseDocument, isNode } = createRequire(import.meta.url)("yaml") as typeof Yaml;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    throw new ConfigurationError(`invalid YAML: ${yamlError.message.split("\n")[0]}`, file, line);
  }
  const result = schema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  // Walk up the path until a node with a position exists (a missing key has none).
  let line: number | undefined;
  for (let depth = path.length; depth >= 0 && line === undefined; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
  }
  const where = path.length ? `${path.join(".")}: ` : "";
  throw new ConfigurationError(`${where}${issue.message}`, file, line);
}

/**
 * A compiled set's data when it was made from `dir`'s current YAML; undefined when missing,
 * unreadable or stale. Its files' stamp (names, sizes, mtimes) unchanged since the build says
 * so without reading them; otherwise their digest decides (a checkout or copy changes mtimes).
 */
export function compiledData(file: string, dir: string, digest: () => string = () => signatureDigest(dir)): SignatureDirData | undefined {
  try {
    const compiled = JSON.parse(readFileSync(file, "utf8")) as { digest?: string; stamp?: string; data?: SignatureDirData };
    if (!compiled.data) return undefined;
    if (typeof compiled.stamp === "string" && compiled.stamp === signatureStamp(dir)) return compiled.data;
    if (compiled.digest === digest()) return compiled.data;
  } catch {
    // missing or unreadable: the YAML is the source of truth
  }
  return undefined;
}

/**
 * A YAML file in a signature directory that the loader would not read (a misspelt
 * sources.yml, a rule in a subfolder) is an error: rules the user believes active would
 * silently not be.
 */
export function refuseUnreadYaml(dir: string): void {
  const read = new Set(signatureFiles(dir));
  const pending = [dir];
  for (let seen = 0; pending.length && seen < 10_000; seen++) {
    const current = pending.pop()!;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (/\.ya?ml$/i.test(entry.name) && !read.has(full)) {
        throw new ConfigurationError("YAML file in a signature directory that is not read (the loader reads rules/*.yaml, sources.yaml, sinks.yaml, indicators.yaml, commands.yaml, decoders.yaml and transforms.yaml)", full);
      }
    }
  }
}

/** Read and validate one signature directory's YAML. */
export function readSignatureDirectory(dir: string): SignatureDirData {
  const schemas = signatureSchemas();
  const data: SignatureDirData = { rules: [] };
  const rulesDir = join(dir, "rules");
  if (existsSync(rulesDir)) {
    for (const name of readdirSync(rulesDir).filter((n) => n.endsWith(".yaml")).sort()) {
      const file = join(rulesDir, name);
      const rule = readValidated(file, schemas.ruleSchema);
      if (rule.id !== basename(name, ".yaml")) {
        throw new ConfigurationError(`rule id "${rule.id}" must equal the file name`, file, 1);
      }
      data.rules.push(rule);
    }
  }
  const sourcesFile = join(dir, "sources.yaml");
  if (existsSync(sourcesFile)) data.sources = readValidated(sourcesFile, schemas.sourcesSchema);
  const sinksFile = join(dir, "sinks.yaml");
  if (existsSync(sinksFile)) data.sinks = readValidated(sinksFile, schemas.sinksSchema);
  const indicatorsFile = join(dir, "indicators.yaml");
  if (existsSync(indicatorsFile)) data.indicators = readValidated(indicatorsFile, schemas.indicatorsSchema);
  const commandsFile = join(dir, "commands.yaml");
  if (existsSync(commandsFile)) data.commands = readValidated(commandsFile, schemas.commandsSchema);
  const decodersFile = join(dir, "decoders.yaml");
  if (existsSync(decodersFile)) data.decoders = readValidated(decodersFile, schemas.decodersSchema);
  const transformsFile = join(dir, "transforms.yaml");
  if (existsSync(transformsFile)) data.transforms = readValidated(transformsFile, schemas.transformsSchema);
  return data;
}
