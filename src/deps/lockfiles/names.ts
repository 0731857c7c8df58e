// Which file names are lockfiles, with no parser loaded (`scan` asks this of every target).
// index.ts maps each of these names to its parser (its type requires one per name).

export const LOCKFILE_NAMES = [
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "poetry.lock",
  "uv.lock",
  "pdm.lock",
  "Pipfile.lock",
] as const;

const NAMES: ReadonlySet<string> = new Set(LOCKFILE_NAMES);

/** requirements.txt, requirements-dev.txt, requirements/prod.txt, constraints.txt... */
export function isRequirementsFile(name: string): boolean {
  return /^(requirements|constraints)([-_.][\w.-]*)?\.(txt|in)$/i.test(name) && !/\.in$/i.test(name);
}

export function isLockfileName(name: string): boolean {
  return NAMES.has(name) || isRequirementsFile(name);
}
