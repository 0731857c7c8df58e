// Registry specs on the command line: npm:name@version, pypi:name@version.
import type { Ecosystem } from "../core/types.js";

export interface PackageSpec {
  ecosystem: Ecosystem;
  name: string;
  /** Exact version or npm dist-tag; undefined = latest. */
  version?: string;
}

export function parseSpec(input: string): PackageSpec | undefined {
  const match = /^(npm|pypi):(@?[^@\s]+)(?:@([^\s]+))?$/i.exec(input);
  if (!match) return undefined;
  const ecosystem = match[1]!.toLowerCase() as Ecosystem;
  return { ecosystem, name: match[2]!, ...(match[3] ? { version: match[3] } : {}) };
}

export function formatSpec(spec: PackageSpec): string {
  return `${spec.ecosystem}:${spec.name}${spec.version ? `@${spec.version}` : ""}`;
}
