// Decides a loaded package's ecosystem, name and version from its manifests.
import { readPythonMetadata } from "./python-metadata.js";
import type { LoadedPackage } from "./types.js";

/**
 * Archives wrap everything in one folder (npm: "package/", sdists: "name-1.0/"): drop it,
 * from the files and from the entry errors, so every path is relative to the package root.
 */
const DRIVE = /^[a-z]:/i;

export function stripCommonTopDirectory(pkg: LoadedPackage): void {
  let top: string | undefined;
  for (const path of pkg.files.keys()) {
    const slash = path.indexOf("/");
    if (slash < 0) return;
    const first = path.slice(0, slash);
    if (top === undefined) top = first;
    else if (top !== first) return;
  }
  if (top === undefined) return;
  const prefix = `${top}/`;
  // The readers refuse a drive-letter start ("C:/x"); dropping the wrapper must not make one.
  for (const path of pkg.files.keys()) if (DRIVE.test(path.slice(prefix.length))) return;
  const stripped = new Map<string, Buffer>();
  for (const [path, content] of pkg.files) stripped.set(path.slice(prefix.length), content);
  pkg.files = stripped;
  for (const error of pkg.errors) if (error.file?.startsWith(prefix)) error.file = error.file.slice(prefix.length);
}

const PYTHON_MARKERS = /^(PKG-INFO|setup\.py|setup\.cfg|pyproject\.toml)$|\.dist-info\/METADATA$|^EGG-INFO\/PKG-INFO$|\.pth$/;

export function identifyPackage(pkg: LoadedPackage): void {
  const manifest = pkg.files.get("package.json");
  if (manifest) {
    pkg.ecosystem = "npm";
    try {
      const json = JSON.parse(manifest.toString("utf8")) as { name?: unknown; version?: unknown } | null;
      // Valid JSON that is not an object (`null`, `3`) names nothing; it is not a parse error.
      if (typeof json?.name === "string") pkg.name = json.name;
      if (typeof json?.version === "string") pkg.version = json.version;
    } catch (error) {
      pkg.errors.push({ input: pkg.input, file: "package.json", message: `package.json is not valid JSON: ${(error as Error).message}` });
    }
    return;
  }
  const paths = [...pkg.files.keys()];
  if (paths.some((p) => PYTHON_MARKERS.test(p)) || paths.some((p) => p.endsWith(".py"))) {
    pkg.ecosystem = "pypi";
    const meta = readPythonMetadata(pkg.files);
    if (meta.name) pkg.name = meta.name;
    if (meta.version) pkg.version = meta.version;
    return;
  }
  if (paths.some((p) => /\.(c|m)?[jt]sx?$/.test(p))) pkg.ecosystem = "npm";
}
