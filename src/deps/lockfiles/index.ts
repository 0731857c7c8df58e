// One entry point: a lockfile path → ParsedLockfile, by file name.
import { basename } from "node:path";
import type { ParsedLockfile } from "../types.js";
import { readLockfileWith } from "./common.js";
import { parseNpmLock } from "./npm.js";
import { parsePnpmLock } from "./pnpm.js";
import { parsePdmLock, parsePipfileLock, parsePoetryLock, parseUvLock } from "./python.js";
import { parseRequirements } from "./requirements.js";
import { parseYarnLock } from "./yarn.js";
import { LOCKFILE_NAMES, isRequirementsFile } from "./names.js";

export { isLockfileName, isRequirementsFile } from "./names.js";

type Parser = (file: string, text: string) => ParsedLockfile;

const BY_NAME: Record<(typeof LOCKFILE_NAMES)[number], Parser> & Record<string, Parser | undefined> = {
  "package-lock.json": parseNpmLock,
  "npm-shrinkwrap.json": parseNpmLock,
  "yarn.lock": parseYarnLock,
  "pnpm-lock.yaml": parsePnpmLock,
  "poetry.lock": parsePoetryLock,
  "uv.lock": parseUvLock,
  "pdm.lock": parsePdmLock,
  "Pipfile.lock": parsePipfileLock,
};

export function parseLockfileText(file: string, text: string): ParsedLockfile {
  const name = basename(file);
  const parser = (Object.hasOwn(BY_NAME, name) ? BY_NAME[name] : undefined) ?? (isRequirementsFile(name) || name.endsWith(".txt") ? parseRequirements : undefined);
  if (!parser) throw new Error(`${file}: not a known lockfile name (${[...Object.keys(BY_NAME), "requirements*.txt"].join(", ")})`);
  return parser(file, text);
}

/** Never throws for a bad file: problems name the file and line. */
export function parseLockfile(file: string): ParsedLockfile {
  return readLockfileWith(file, parseLockfileText);
}

export { parseNpmLock, parsePnpmLock, parsePdmLock, parsePipfileLock, parsePoetryLock, parseRequirements, parseUvLock, parseYarnLock };
