// yarn.lock: Yarn v1 (its own format) and Yarn Berry (YAML), both read by @yarnpkg/parsers.
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import type * as YarnParsers from "@yarnpkg/parsers";

// Loaded on the first yarn.lock only (see pnpm.ts).
let parsers: typeof YarnParsers | undefined;
const parseSyml = (text: string) => (parsers ??= createRequire(import.meta.url)("@yarnpkg/parsers") as typeof YarnParsers).parseSyml(text);
import { errorMessage } from "../../core/errors.js";
import { computePaths, type GraphNode } from "../graph.js";
import type { LockfileProblem, PackageSource, ParsedLockfile } from "../types.js";
import { newPackage, npmSource, parseSri, propagateFlags, readRootManifest, unscannableReason } from "./common.js";

interface YarnEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  resolution?: string;
  checksum?: string;
  linkType?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** `name@range` → [name, range]; the name may be scoped. */
export function splitDescriptor(descriptor: string): [string, string] {
  const at = descriptor.indexOf("@", descriptor.startsWith("@") ? 1 : 0);
  return at === -1 ? [descriptor, ""] : [descriptor.slice(0, at), descriptor.slice(at + 1)];
}

/** Every top-level key line → its descriptors, so each package points at its own line. */
function headerLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/\r$/, "");
    if (!line || /^[\s#]/.test(line) || !line.endsWith(":")) return;
    for (const part of line.slice(0, -1).split(/,\s*/)) lines.set(part.trim().replace(/^"|"$/g, ""), index + 1);
  });
  return lines;
}

export function parseYarnLock(file: string, text: string): ParsedLockfile {
  const berry = /^__metadata:/m.test(text);
  const kind = berry ? "yarn-berry" : "yarn-v1";
  let data: Record<string, YarnEntry>;
  try {
    data = parseSyml(text) as Record<string, YarnEntry>;
  } catch (error) {
    const message = errorMessage(error);
    const line = /line (\d+)/i.exec(message);
    return { file, kind, packages: [], problems: [{ file, ...(line ? { line: Number(line[1]) } : {}), message: `cannot parse yarn.lock: ${message}` }] };
  }
  if (!berry && !/^# yarn lockfile v1/m.test(text) && Object.keys(data).length > 0) {
    return { file, kind, packages: [], problems: [{ file, line: 1, message: "unknown yarn.lock format (no '# yarn lockfile v1' header and no __metadata)" }] };
  }
  const metadata = (data as Record<string, unknown>)["__metadata"] as { version?: string } | undefined;
  const formatVersion = berry ? String(metadata?.version ?? "?") : "1";
  const lines = headerLines(text);
  const problems: LockfileProblem[] = [];
  const nodes = new Map<string, GraphNode>();
  const byDescriptor = new Map<string, string>();
  const entries = new Map<string, YarnEntry>();
  const rootDeps: string[] = [];
  const dir = dirname(file);
  for (const [key, entry] of Object.entries(data)) {
    if (key === "__metadata") continue;
    const descriptors = key.split(/,\s*/).map((d) => d.trim());
    const line = lines.get(descriptors[0]!) ?? 1;
    if (!entry || typeof entry !== "object") {
      problems.push({ file, line, message: `entry "${key}" is not a mapping` });
      continue;
    }
    const id = berry ? entry.resolution ?? key : `${descriptors[0]}`;
    // The same resolution can appear once; v1 entries sharing one block were split by the parser.
    const existing = descriptors.map((d) => byDescriptor.get(d)).find(Boolean);
    if (berry && entry.resolution && nodes.has(entry.resolution)) {
      for (const d of descriptors) byDescriptor.set(d, entry.resolution);
      continue;
    }
    if (!berry && existing) continue;
    const [installedAs, range] = splitDescriptor(descriptors[0]!);
    let name = installedAs;
    let source: PackageSource;
    let spec: string | undefined;
    if (berry) {
      const [resolvedName, reference] = splitDescriptor(entry.resolution ?? descriptors[0]!);
      name = resolvedName;
      spec = reference;
      source = berrySource(reference);
      if (reference === "workspace:.") {
        for (const d of descriptors) byDescriptor.set(d, id);
        rootDeps.push(...Object.entries({ ...entry.dependencies, ...entry.optionalDependencies }).map(([n, r]) => `${n}@${r}`));
        nodes.set(id, { pkg: newPackage("npm", name, file, line, { source: "workspace" }), children: [] });
        entries.set(id, entry);
        nodes.get(id)!.pkg.unscannable = "the project itself";
        continue;
      }
    } else {
      const alias = /^npm:(@?[^@]+)@/.exec(range);
      if (alias) name = alias[1]!;
      spec = entry.resolved ?? range;
      source = range.startsWith("file:") || range.startsWith("link:") ? npmSource(range) : npmSource(entry.resolved);
    }
    const pkg = newPackage("npm", name, file, line, {
      source,
      ...(name !== installedAs ? { alias: installedAs } : {}),
      ...(entry.version ? { version: entry.version } : {}),
      ...(entry.resolved ? { resolved: entry.resolved } : {}),
      integrity: parseSri(entry.integrity),
    });
    if (source === "workspace" || source === "file" || source === "link") {
      const path = (spec ?? "").replace(/^(workspace|file|link|portal):/, "");
      pkg.localPath = join(dir, path);
    } else if (source !== "registry") {
      pkg.unscannable = unscannableReason(source, spec) ?? `unsupported resolution "${spec ?? key}"`;
    } else if (!entry.version) {
      pkg.unscannable = "no version recorded";
    }
    nodes.set(id, { pkg, children: [] });
    entries.set(id, entry);
    for (const d of descriptors) byDescriptor.set(d, id);
  }
  for (const [id, node] of nodes) {
    const entry = entries.get(id);
    for (const [dep, range] of Object.entries({ ...entry?.dependencies, ...entry?.optionalDependencies })) {
      const child = byDescriptor.get(`${dep}@${range}`) ?? (berry ? byDescriptor.get(`${dep}@npm:${range}`) : undefined);
      if (child && child !== id) node.children.push(child);
    }
  }
  const rootNode = [...nodes.entries()].find(([, n]) => n.pkg.unscannable === "the project itself");
  let roots: string[] = [];
  const manifest = readRootManifest(file);
  if (rootNode) {
    nodes.delete(rootNode[0]);
    roots = rootDeps.map((d) => byDescriptor.get(d) ?? byDescriptor.get(d.replace("@", "@npm:"))).filter((x): x is string => Boolean(x));
  } else if (manifest) {
    roots = [...nodes.keys()].filter((id) => {
      const name = nodes.get(id)!.pkg.alias ?? nodes.get(id)!.pkg.name;
      return manifest.prod.has(name) || manifest.dev.has(name) || manifest.optional.has(name);
    });
  }
  if (manifest) {
    const named = (set: Set<string>) => roots.filter((id) => set.has(nodes.get(id)!.pkg.alias ?? nodes.get(id)!.pkg.name));
    propagateFlags(nodes, [...named(manifest.prod), ...named(manifest.optional)], [...named(manifest.prod), ...named(manifest.dev)]);
  }
  return { file, kind, formatVersion, packages: computePaths({ nodes, roots }), problems };
}

function berrySource(reference: string): PackageSource {
  if (reference.startsWith("npm:") || reference.startsWith("patch:")) return "registry";
  if (reference.startsWith("workspace:")) return "workspace";
  if (reference.startsWith("file:") || reference.startsWith("portal:")) return "file";
  if (reference.startsWith("link:")) return "link";
  if (/^(git|github|https?:.*\.git)/.test(reference) || reference.includes("#commit=")) return "git";
  if (/^https?:/.test(reference)) return "url";
  return "unknown";
}
