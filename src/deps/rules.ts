// Rules raised by the dependency pipeline itself (not by the analyzers): their metadata
// for the reporters (SARIF rule descriptors, help). Merged over the signature rules.
import type { RuleMeta } from "../rules/schema.js";

export const INTEGRITY_MISMATCH = "integrity-mismatch";
export const INSTALLED_FILE_MODIFIED = "installed-file-modified";
export const INSTALLED_LOCK_MISMATCH = "installed-lock-mismatch";

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
      title: "Installed file differs from what was locked or recorded",
      severity: "high",
      category: "integrity",
      attack: ["T1195.002"],
      summary:
        "A file of an installed package differs from the archive the lockfile's integrity pins (npm, Python wheels), or from the sha256 its RECORD lists (Python).",
      help:
        "npm: with `deps --installed`, each package in node_modules whose version the project's lockfile pins is compared, " +
        "file by file, with the archive that integrity names (fetched and verified, or from the cache). A changed file, or a " +
        "code file the archive does not have, was written after installation: by another package's install script, by " +
        "malware, or by hand. When the package has an install script of its own, which may legitimately rewrite its " +
        "files, the finding is medium instead of high. Python: wheels list every installed file with its sha256 in " +
        "`*.dist-info/RECORD`; a file whose content no longer matches was changed after installation (or the RECORD " +
        "was forged). With a Python lockfile that pins wheel hashes, each installed file is also compared with the RECORD " +
        "inside the wheel the lockfile pins (fetched and verified, or from the cache), which catches a file changed together " +
        "with its line in the installed RECORD. Installed files are analysed as they are on disk.",
      references: ["https://packaging.python.org/en/latest/specifications/recording-installed-packages/"],
    },
  ],
  [
    INSTALLED_LOCK_MISMATCH,
    {
      id: INSTALLED_LOCK_MISMATCH,
      title: "Installed package version is not the one the lockfile pins",
      severity: "medium",
      category: "integrity",
      attack: ["T1195.002"],
      summary: "An installed tree holds a package version the project's lockfile does not pin (medium), or a package it does not list (low, npm).",
      help:
        "With `deps --installed`, every package of node_modules (or of a virtualenv under the project) is matched by name with " +
        "the project's lockfile. A different version means the code that runs is not the code that was locked and reviewed " +
        "(a stale install, `npm install --no-save`, or a tree changed after `npm ci`). Reinstall from the lockfile " +
        "(`npm ci`, `pip install --require-hashes -r ...`). The installed version is scanned from disk either way.",
      references: ["https://docs.npmjs.com/cli/commands/npm-ci"],
    },
  ],
]);

export function withDepsRules(rules: Map<string, RuleMeta>): Map<string, RuleMeta> {
  return new Map([...rules, ...DEPS_RULES]);
}
