// Dependencies npm installs from a URL (`"x": "https://host/x.tgz"`, `git+https://host/x.git`)
// instead of a registry version: their code is not in the package and not in any registry,
// and npm runs their install scripts. Registry versions, `file:`/`link:`/`workspace:`,
// aliases and `user/repo` shorthands are not URLs; the rule judges the host.
import type { RemoteDependencyFact } from "../facts.js";
import { keyOffsets, lineStarts, locationAt } from "./npm-scripts.js";
import type { Manifest } from "./modules.js";

/** Fields whose dependencies are installed with the package (devDependencies are not). */
const INSTALLED_FIELDS = ["dependencies", "optionalDependencies", "peerDependencies"] as const;
const URL_SPEC = /^(git\+)?(https?|git|ssh):\/\//i;

export function remoteDependencies(text: string, manifest: Manifest): RemoteDependencyFact[] {
  const out: RemoteDependencyFact[] = [];
  const lines = lineStarts(text);
  for (const field of INSTALLED_FIELDS) {
    const deps = (manifest as Record<string, unknown>)[field];
    if (!deps || typeof deps !== "object" || Array.isArray(deps)) continue;
    const fieldAt = text.search(new RegExp(`"${field}"\\s*:`));
    const keys = keyOffsets(text, fieldAt < 0 ? 0 : fieldAt);
    for (const [name, spec] of Object.entries(deps as Record<string, unknown>)) {
      if (typeof spec !== "string" || !URL_SPEC.test(spec.trim())) continue;
      out.push({ name, spec: spec.trim(), field, location: locationAt(lines, keys.get(name) ?? Math.max(fieldAt, 0)) });
    }
  }
  return out;
}
