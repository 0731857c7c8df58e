// Builds in-memory packages for the JS front-end tests and runs the analyzer on them.
import type { PackageFacts } from "../../../src/analyzers/facts.js";
import { analyzeNpmPackage } from "../../../src/analyzers/js/index.js";
import type { LoadedPackage } from "../../../src/ingest/types.js";
import { loadSignatures, type Signatures } from "../../../src/rules/signatures.js";

let cached: Signatures | undefined;

export function signatures(): Signatures {
  cached ??= loadSignatures();
  return cached;
}

/** A package from file contents; `package.json` gets a default when absent. */
export function makePackage(files: Record<string, string>): LoadedPackage {
  const map = new Map<string, Buffer>();
  if (!("package.json" in files)) map.set("package.json", Buffer.from(JSON.stringify({ name: "pkg", version: "1.0.0", main: "index.js" }, null, 2)));
  let bytes = 0;
  for (const [path, content] of Object.entries(files)) {
    const buffer = Buffer.from(content);
    bytes += buffer.length;
    map.set(path, buffer);
  }
  return { input: "test", ecosystem: "npm", name: "pkg", version: "1.0.0", files: map, bytes, errors: [] };
}

export function analyze(files: Record<string, string>): Promise<PackageFacts> {
  return analyzeNpmPackage(makePackage(files), signatures());
}

/** package.json text with these scripts (and main), pretty-printed so each script has its own line. */
export function manifest(scripts: Record<string, string>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ name: "pkg", version: "1.0.0", main: "index.js", ...extra, scripts }, null, 2);
}

/** Short description of each flow: "kind → channel destination @line (trigger)". */
export function flowSummary(facts: PackageFacts): string[] {
  return facts.flows.map(
    (f) => `${f.source.kind} -> ${f.sink.channel} ${f.sink.destination ?? "?"} @${f.sink.location.file}:${f.sink.location.line} (${f.sink.trigger})`,
  );
}
