// requirements.txt: pinned `name==version` lines with --hash, -r/-c includes, comments,
// environment markers and continuation lines. Everything that cannot be pinned to one
// registry release (VCS, URLs, local paths, ranges) is kept as an unscannable entry.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ExpectedDigest, LockfileProblem, ParsedLockfile, ResolvedPackage } from "../types.js";
import { newPackage, normalizePypiName, parseHexHash } from "./common.js";
import { splitTrimmed } from "../../core/trim.js";

interface LogicalLine {
  file: string;
  line: number;
  text: string;
}

const REQUIREMENT = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?![A-Za-z0-9._-])\s*(?:(\[[^\]]*\])\s*)?(?:(\S(?:.*\S)?)\s*)?$/;

function logicalLines(file: string, text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  let pending: LogicalLine | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    // pip: a comment starts at "#" at the start of a line or after whitespace.
    const uncommented = raw.replace(/(^|\s)#.*$/, "$1");
    const continued = /\\\s*$/.test(uncommented);
    const body = uncommented.replace(/\\\s*$/, " ");
    pending = pending ? { ...pending, text: `${pending.text} ${body}` } : { file, line: index + 1, text: body };
    if (!continued) {
      if (pending.text.trim()) out.push({ ...pending, text: pending.text.trim() });
      pending = undefined;
    }
  });
  if (pending?.text.trim()) out.push({ ...pending, text: pending.text.trim() });
  return out;
}

interface State {
  packages: ResolvedPackage[];
  problems: LockfileProblem[];
  constraints: Map<string, string>;
  indexUrls: string[];
  visited: Set<string>;
}

export function parseRequirements(file: string, text: string, readInclude: (path: string) => string = (p) => readFileSync(p, "utf8")): ParsedLockfile {
  const state: State = { packages: [], problems: [], constraints: new Map(), indexUrls: [], visited: new Set([resolve(file)]) };
  parseInto(file, text, state, readInclude, false, 0);
  // A constraints file pins what a requirements line left open.
  for (const pkg of state.packages) {
    const pinned = state.constraints.get(normalizePypiName(pkg.name));
    if (!pkg.version && pinned && pkg.unscannable?.startsWith("not pinned")) {
      pkg.version = pinned;
      delete pkg.unscannable;
    }
  }
  for (const pkg of state.packages) {
    pkg.direct = true;
    pkg.paths = [[pkg.version ? `${pkg.name}@${pkg.version}` : pkg.name]];
  }
  return { file, kind: "requirements", packages: state.packages, problems: state.problems, ...(state.indexUrls.length ? { indexUrls: state.indexUrls } : {}) };
}

function parseInto(file: string, text: string, state: State, readInclude: (path: string) => string, constraintsOnly: boolean, depth: number): void {
  for (const logical of logicalLines(file, text)) {
    const words = logical.text.split(/\s+/);
    const first = words[0]!;
    const include = /^(-r|--requirement|-c|--constraint)(?:=(.+))?$/.exec(first);
    if (include) {
      const target = include[2] ?? words[1];
      if (!target) {
        state.problems.push({ file, line: logical.line, message: `${first} needs a file name` });
        continue;
      }
      const path = resolve(dirname(file), target);
      if (state.visited.has(path) || depth > 20) continue;
      state.visited.add(path);
      let included: string;
      try {
        included = readInclude(path);
      } catch {
        state.problems.push({ file, line: logical.line, message: `cannot read included file ${target}` });
        continue;
      }
      parseInto(path, included, state, readInclude, constraintsOnly || include[1]!.startsWith("-c") || include[1] === "--constraint", depth + 1);
      continue;
    }
    const index = /^(-i|--index-url|--extra-index-url)(?:=(.+))?$/.exec(first);
    if (index) {
      const url = index[2] ?? words[1];
      if (url) state.indexUrls.push(url);
      continue;
    }
    if (first.startsWith("-") && !/^(-e|--editable)$/.test(first) && !first.startsWith("--hash")) continue; // other pip options
    const hashes: ExpectedDigest[] = [];
    const rest = logical.text.replace(/--hash[=\s]\s*(\S+)/g, (_m, value: string) => {
      const digest = parseHexHash(value);
      if (digest) hashes.push(digest);
      else state.problems.push({ file, line: logical.line, message: `cannot read hash "${value}"` });
      return "";
    });
    handleRequirement(file, logical.line, rest.trim(), hashes, state, constraintsOnly);
  }
}

function handleRequirement(file: string, line: number, text: string, hashes: ExpectedDigest[], state: State, constraintsOnly: boolean): void {
  const editable = /^(-e|--editable)\s+(\S.*|.)$/.exec(text);
  const spec = (editable ? editable[2]! : text).trim();
  const [requirement] = splitTrimmed(spec, ";", 1) as [string];
  const add = (name: string, extra: Partial<ResolvedPackage>) => {
    if (!constraintsOnly) state.packages.push(newPackage("pypi", name, file, line, { integrity: hashes, ...extra }));
  };
  const egg = /[#&]egg=([A-Za-z0-9._-]+)/.exec(requirement)?.[1];
  const direct = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\]\s*)?@\s*(\S+)/.exec(requirement);
  if (/^(git|hg|svn|bzr)\+/.test(requirement) || (direct && /^(git|hg|svn|bzr)\+/.test(direct[2]!))) {
    add(direct?.[1] ?? egg ?? requirement, { source: "git", unscannable: `VCS requirement (${direct?.[2] ?? requirement}): not fetched from a registry` });
    return;
  }
  if (/^[a-z]+:\/\//i.test(requirement) || direct) {
    add(direct?.[1] ?? egg ?? requirement, { source: "url", resolved: direct?.[2] ?? requirement, unscannable: `URL requirement (${direct?.[2] ?? requirement}): not a pinned registry release` });
    return;
  }
  if (editable || /^(\.|\/|~|file:)/.test(requirement) || /\.(whl|zip|tar\.gz|tgz)$/.test(requirement)) {
    add(egg ?? requirement, { source: "file", localPath: resolve(dirname(file), requirement.replace(/^file:/, "")), unscannable: `local path requirement (${requirement}): scan it with 'exfilscan scan'` });
    return;
  }
  const match = REQUIREMENT.exec(requirement);
  if (!match) {
    state.problems.push({ file, line, message: `cannot read requirement "${text}"` });
    return;
  }
  const name = match[1]!;
  const specifier = match[3] ?? ""; // undefined when nothing follows the name and extras
  const pin = /^(===?)\s*([^\s,*]+)$/.exec(specifier);
  if (constraintsOnly) {
    if (pin) state.constraints.set(normalizePypiName(name), pin[2]!);
    return;
  }
  if (pin) add(name, { version: pin[2]! });
  else add(name, { unscannable: `not pinned to one version (${specifier || "any version"}): pin it with == (pip-compile --generate-hashes)` });
}
