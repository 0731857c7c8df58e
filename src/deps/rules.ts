// Rules raised by the dependency pipeline itself (not by the analyzers): their metadata
// for the reporters (SARIF rule descriptors, help). Merged over the signature rules.
import type { RuleMeta } from "../rules/schema.js";

export const INTEGRITY_MISMATCH = "integrity-mismatch";
export const INSTALLED_FILE_MODIFIED = "installed-file-modified";

export const DEPS_RULES: Map<string, RuleMeta> = new Map([
  [
    INTEGRITY_MISMATCH,
    {
      id: INTEGRITY_MISMATCH,
      title: "Archive does not match the lockfile's integrity",
      severity: "critical",
      category: "integrity",
      attack: ["T1195.002"],
      summary: "The registry served an archive whose digest is not the one the lockfile pins.",
      help:
        "The bytes downloaded for this package version do not hash to the digest recorded in the lockfile " +
        "(`integrity` in npm/yarn/pnpm locks, `--hash` in requirements.txt, file hashes in poetry/uv/pdm/Pipfile.lock). " +
        "Either the registry (or a mirror/proxy in between) serves a different file than the one that was locked, " +
        "or the lockfile was edited. The archive was not scanned as that package and was not cached. " +
        "Compare with a second source before installing; never re-lock blindly.",
      references: ["https://attack.mitre.org/techniques/T1195/002/"],
    },
  ],
  [
    INSTALLED_FILE_MODIFIED,
    {
      id: INSTALLED_FILE_MODIFIED,
      title: "Installed file differs from the package's RECORD",
      severity: "high",
      category: "integrity",
      attack: ["T1195.002"],
      summary: "A file of an installed Python distribution does not match the sha256 its RECORD lists.",
      help:
        "Wheels list every installed file with its sha256 in `*.dist-info/RECORD`. A file whose content no longer " +
        "matches was changed after installation (or the RECORD was forged). The file was analysed as it is on disk.",
      references: ["https://packaging.python.org/en/latest/specifications/recording-installed-packages/"],
    },
  ],
]);

export function withDepsRules(rules: Map<string, RuleMeta>): Map<string, RuleMeta> {
  return new Map([...rules, ...DEPS_RULES]);
}
