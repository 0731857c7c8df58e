// Where a package declares its version: the location of a known-malicious-package finding.
import type { Ecosystem, Location } from "../core/types.js";

/** The line of the top-level "version" key of a package.json (nested ones, e.g. in "engines", are skipped). */
export function jsonTopLevelKeyLine(text: string, key: string): number | undefined {
  let depth = 0;
  let line = 1;
  let lastString: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "\n") line += 1;
    else if (char === '"') {
      const start = i;
      for (i += 1; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i += 1;
      lastString = text.slice(start + 1, i);
      continue;
    } else if (char === "{" || char === "[") depth += 1;
    else if (char === "}" || char === "]") depth -= 1;
    else if (char === ":" && depth === 1 && lastString === key) return line;
    if (!/\s/.test(char)) lastString = undefined;
  }
  return undefined;
}

const PYTHON_MANIFESTS = [/^PKG-INFO$/, /^[^/]+\.dist-info\/METADATA$/, /^EGG-INFO\/PKG-INFO$/, /^[^/]+\.egg-info\/PKG-INFO$/, /^pyproject\.toml$/, /^setup\.cfg$/, /^setup\.py$/];
const PYTHON_VERSION_LINE = /^(Version:|version\s*=|\s*version\s*=)/;

/** The manifest and line that state the version; line 1 of the manifest when no version line is found. */
export function manifestVersionLocation(ecosystem: Ecosystem, files: Map<string, Buffer>): Location {
  if (ecosystem === "npm") {
    const manifest = files.get("package.json");
    const line = manifest ? jsonTopLevelKeyLine(manifest.toString("utf8"), "version") : undefined;
    return { file: "package.json", line: line ?? 1, column: 1 };
  }
  const paths = [...files.keys()].sort();
  let fallback: string | undefined;
  for (const pattern of PYTHON_MANIFESTS) {
    for (const path of paths.filter((p) => pattern.test(p))) {
      fallback ??= path;
      const lines = files.get(path)!.toString("utf8").split("\n");
      // Metadata headers end at the first blank line; the description after it may say anything.
      const end = path.endsWith("METADATA") || path.endsWith("PKG-INFO") ? lines.findIndex((l) => l.trim() === "") : -1;
      const index = lines.slice(0, end < 0 ? undefined : end).findIndex((l) => PYTHON_VERSION_LINE.test(l));
      if (index >= 0) return { file: path, line: index + 1, column: 1 };
    }
  }
  return { file: fallback ?? "PKG-INFO", line: 1, column: 1 };
}
