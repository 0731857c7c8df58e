// When Python code in a package runs: setup.py and interpreter-start hooks at install,
// everything else when imported; function bodies only when called.
import type { Trigger } from "../facts.js";
import type { InTreeBackend } from "../../ingest/python-metadata.js";
import { trimEndChars } from "../../core/trim.js";

export interface CodeUnit {
  file: string;
  source: string;
  trigger: Trigger;
  /** The package's own PEP 517 build backend: its hooks run when the package is built/installed. */
  buildBackend?: boolean;
}

/** PEP 517 hooks a frontend calls on the backend while building and installing. */
export const BUILD_HOOKS = [
  "get_requires_for_build_wheel", "get_requires_for_build_sdist", "get_requires_for_build_editable",
  "prepare_metadata_for_build_wheel", "prepare_metadata_for_build_editable", "build_wheel", "build_sdist", "build_editable",
];

/** Package files that hold the in-tree backend module named by pyproject.toml. */
export function backendFiles(backend: InTreeBackend): string[] {
  const relative = backend.module.replace(/\./g, "/");
  return backend.paths.flatMap((dir) => {
    const base = trimEndChars(dir.replace(/\\/g, "/").replace(/^\.?\/+/, ""), "/");
    const prefix = base && base !== "." ? `${base}/` : "";
    return [`${prefix}${relative}.py`, `${prefix}${relative}/__init__.py`];
  });
}

const basename = (path: string): string => path.slice(path.lastIndexOf("/") + 1);

/** The trigger of a file's top level, or undefined when the file is not Python code. */
export function fileTrigger(path: string): Trigger | undefined {
  const name = basename(path);
  if (name === "setup.py") return path.split("/").length <= 3 ? "install" : "import";
  if (name === "sitecustomize.py" || name === "usercustomize.py") return "install";
  if (name.endsWith(".py") || name.endsWith(".pyw")) return "import";
  if (name.endsWith(".pth")) return "install";
  return undefined;
}

/**
 * site.py executes the lines of a .pth file that start with `import`; other lines are
 * paths. Keep the code lines in place (blank the rest) so line numbers stay true.
 */
export function pthCode(text: string): string | undefined {
  const lines = text.split(/\r?\n/);
  let any = false;
  const code = lines.map((line) => {
    if (/^import[ \t]/.test(line)) {
      any = true;
      return line;
    }
    return "";
  });
  return any ? code.join("\n") : undefined;
}

/** setuptools/distutils command classes whose `run` executes during install/build. */
export const INSTALL_COMMANDS = new Set([
  "install", "develop", "egg_info", "build_py", "build_ext", "build", "bdist_wheel", "bdist_egg", "sdist",
  "install_lib", "install_scripts", "install_data", "easy_install", "build_clib", "build_scripts", "Command",
]);

export function isInstallCommandBase(qname: string): boolean {
  const last = qname.slice(qname.lastIndexOf(".") + 1);
  return /^(setuptools|distutils|wheel|_distutils)/.test(qname) && INSTALL_COMMANDS.has(last);
}

/** Top-level modules of the distribution: what `import name` runs (rule unanalysed-code, parse order). */
export function isPythonEntry(path: string): boolean {
  const parts = path.split("/");
  const name = parts.at(-1)!;
  if (name === "__init__.py" || name === "__main__.py") return parts.length <= 3;
  return parts.length <= 2 && name.endsWith(".py");
}
