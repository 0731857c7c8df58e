// Install-time entry points of a package, named so that two versions can be compared:
// npm lifecycle scripts (with their command), node-gyp builds, Python .pth code lines,
// sitecustomize, and setup.py command classes.
import type { Location } from "../core/types.js";
import type { LoadedPackage } from "../ingest/index.js";
import { INSTALL_SCRIPTS, readScripts } from "../analyzers/js/npm-scripts.js";
import { pthCode } from "../analyzers/python/triggers.js";

export interface InstallHook {
  key: string;
  label: string;
  location: Location;
}

const at = (file: string, text: string, index: number): Location => {
  const before = text.slice(0, Math.max(0, index));
  return { file, line: before.split("\n").length, column: index - before.lastIndexOf("\n") };
};

export function installHooks(pkg: LoadedPackage): InstallHook[] {
  const hooks: InstallHook[] = [];
  const manifest = pkg.files.get("package.json");
  if (manifest && pkg.ecosystem === "npm") {
    const text = manifest.toString("utf8");
    let scripts: Record<string, unknown> | undefined;
    try {
      scripts = (JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts;
    } catch {
      scripts = undefined;
    }
    const entries = readScripts(text, scripts);
    for (const name of INSTALL_SCRIPTS) {
      const entry = entries.get(name);
      if (!entry) continue;
      const command = entry.command.trim().replace(/\s+/g, " ");
      hooks.push({ key: `npm|${name}|${command}`, label: `"${name}": "${command}"`, location: entry.location });
    }
    if (pkg.files.has("binding.gyp") && !entries.has("install") && !entries.has("preinstall")) {
      hooks.push({ key: "npm|node-gyp", label: "binding.gyp (npm runs node-gyp rebuild)", location: { file: "binding.gyp", line: 1, column: 1 } });
    }
  }
  for (const [path, data] of pkg.files) {
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (name.endsWith(".pth") && pthCode(data.toString("utf8"))) {
      hooks.push({ key: `pth|${name}`, label: `${path} (code run at every interpreter start)`, location: { file: path, line: 1, column: 1 } });
    } else if (name === "sitecustomize.py" || name === "usercustomize.py") {
      hooks.push({ key: `site|${name}`, label: `${path} (run at every interpreter start)`, location: { file: path, line: 1, column: 1 } });
    } else if (name === "setup.py" && path.split("/").length <= 2) {
      const text = data.toString("utf8");
      const cmdclass = /cmdclass\s*=\s*\{([^}]*)\}/.exec(text);
      if (!cmdclass) continue;
      for (const m of cmdclass[1]!.matchAll(/["']([\w-]+)["']\s*:/g)) {
        hooks.push({ key: `setup.py|cmdclass|${m[1]}`, label: `setup.py command class "${m[1]}"`, location: at(path, text, cmdclass.index + 12 + (m.index ?? 0)) });
      }
    }
  }
  return hooks;
}
