// Python module names of the files in a package, and import resolution between them.

/** Dotted name → file for every .py file, named the way Python would import it. */
export function moduleNames(files: Iterable<string>): Map<string, string> {
  const all = [...files].filter((f) => f.endsWith(".py")).sort();
  const dirsWithInit = new Set(all.filter((f) => /(^|\/)__init__\.py$/.test(f)).map((f) => f.replace(/\/?__init__\.py$/, "")));
  const names = new Map<string, string>();
  for (const file of all) {
    const parts = file.replace(/\.py$/, "").split("/");
    if (parts[parts.length - 1] === "__init__") parts.pop();
    // Walk up while the directory is a package.
    let start = parts.length - 1;
    while (start > 0 && dirsWithInit.has(parts.slice(0, start).join("/"))) start--;
    const packageName = parts.slice(start).join(".");
    if (packageName && !names.has(packageName)) names.set(packageName, file);
  }
  // Namespace packages (PEP 420): `from modules.webhook import X` run from the project folder
  // names a directory without __init__.py. Longer names only fill what the packages left free.
  for (const file of all) {
    const parts = file.replace(/\.py$/, "").split("/");
    if (parts[parts.length - 1] === "__init__") parts.pop();
    for (let start = 0; start < parts.length - 1; start++) {
      const name = parts.slice(start).join(".");
      if (!names.has(name)) names.set(name, file);
    }
  }
  return names;
}

/** Absolute module named by `from <dots><module> import …` inside module `current`. */
export function resolveRelative(current: string, isPackage: boolean, level: number, module: string): string {
  const parts = current ? current.split(".") : [];
  const base = isPackage ? parts : parts.slice(0, -1);
  const up = base.slice(0, Math.max(0, base.length - (level - 1)));
  return [...up, ...(module ? [module] : [])].join(".");
}
