// Dependency paths from the root: every parser builds nodes and edges, then this
// computes, breadth-first, the shortest paths (at most MAX_PATHS) to each node.
import { MAX_PATHS, type ResolvedPackage } from "./types.js";

export interface GraphNode {
  pkg: ResolvedPackage;
  /** Ids of the nodes this one depends on. */
  children: string[];
}

export interface Graph {
  nodes: Map<string, GraphNode>;
  /** Ids the root project depends on directly. Empty: roots are nodes nothing depends on. */
  roots: string[];
}

export function label(pkg: ResolvedPackage): string {
  const name = pkg.alias && pkg.alias !== pkg.name ? `${pkg.alias}(${pkg.name})` : pkg.name;
  return pkg.version ? `${name}@${pkg.version}` : name;
}

/** Fills pkg.paths and pkg.direct for every node; returns the packages in a stable order. */
export function computePaths(graph: Graph): ResolvedPackage[] {
  let roots = graph.roots.filter((id) => graph.nodes.has(id));
  if (roots.length === 0) {
    const depended = new Set<string>();
    for (const node of graph.nodes.values()) for (const child of node.children) depended.add(child);
    roots = [...graph.nodes.keys()].filter((id) => !depended.has(id));
  }
  const queue: { id: string; path: string[]; seen: Set<string> }[] = [];
  for (const id of roots) {
    const node = graph.nodes.get(id)!;
    node.pkg.direct = true;
    queue.push({ id, path: [label(node.pkg)], seen: new Set([id]) });
  }
  // Bounded BFS: a node is expanded only while it still collects paths.
  for (let head = 0; head < queue.length; head++) {
    const { id, path, seen } = queue[head]!;
    const node = graph.nodes.get(id)!;
    if (node.pkg.paths.length >= MAX_PATHS) continue;
    node.pkg.paths.push(path);
    if (node.pkg.paths.length > 1) continue; // children already reached through the first path
    for (const child of node.children) {
      const target = graph.nodes.get(child);
      if (!target || seen.has(child) || target.pkg.paths.length >= MAX_PATHS) continue;
      queue.push({ id: child, path: [...path, label(target.pkg)], seen: new Set([...seen, child]) });
    }
  }
  return [...graph.nodes.values()].map((n) => n.pkg);
}
