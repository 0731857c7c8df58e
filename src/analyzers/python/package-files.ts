// The package's own files as its code names them: setup.py running
// `exec(open("pkg/_version.py").read())` runs code we already have, so it is read and
// analysed instead of being reported as unknown code.

/** Package-relative file a path names, trying it as given and relative to the running file's directory. */
export function resolvePackagePath(path: string, fromFile: string, exists: (file: string) => boolean): string | undefined {
  if (path === "" || path.startsWith("/") || path.startsWith("~") || path.includes("*") || /^[a-z]:/i.test(path)) return undefined;
  const directory = fromFile.includes("/") ? fromFile.slice(0, fromFile.lastIndexOf("/")) : "";
  for (const candidate of [path, directory ? `${directory}/${path}` : path]) {
    const normal = normalize(candidate);
    if (normal !== undefined && exists(normal)) return normal;
  }
  return undefined;
}

/** Resolve "." and ".." and doubled slashes; undefined when the path climbs out of the package. */
function normalize(path: string): string | undefined {
  const parts: string[] = [];
  for (const part of path.replace(/\\/g, "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join("/");
}
