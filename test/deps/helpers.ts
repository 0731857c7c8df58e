// Lockfile fixtures hold placeholders for digests and registry URLs (see
// fixtures/lockfiles/README.md); tests copy a fixture folder to a temp dir with real values.
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.js";

export const LOCKFILES = join(ROOT, "fixtures", "lockfiles");

export interface Placeholders {
  registry?: string;
  pypi?: string;
  /** name@version → SRI */
  sri?: (id: string) => string;
  /** name@version → hex sha256 */
  sha256?: (id: string) => string;
}

/** Fake but well-formed digests derived from the package id, for parser-only tests. */
export const FAKE: Required<Placeholders> = {
  registry: "http://127.0.0.1:9",
  pypi: "http://127.0.0.1:9",
  sri: (id) => `sha512-${createHash("sha512").update(id).digest("base64")}`,
  sha256: (id) => createHash("sha256").update(id).digest("hex"),
};

export function fill(text: string, values: Placeholders): string {
  const v = { ...FAKE, ...values };
  return text
    .replaceAll("%REGISTRY%", v.registry)
    .replaceAll("%PYPI%", v.pypi)
    .replace(/%SRI:([^%]+)%/g, (_m, id: string) => v.sri(id))
    .replace(/%SHA256:([^%]+)%/g, (_m, id: string) => v.sha256(id));
}

/** Copy fixtures/lockfiles/<name> to a fresh temp dir with the placeholders filled in. */
export function materialize(name: string, values: Placeholders = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `exfilscan-${name}-`));
  cpSync(join(LOCKFILES, name), dir, { recursive: true });
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else writeFileSync(path, fill(readFileSync(path, "utf8"), values));
    }
  };
  walk(dir);
  return dir;
}
