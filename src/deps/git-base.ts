// The base of a change (`--changed-since <ref>`): the merge base of <ref> and HEAD, with
// shallow clones deepened (bounded) when the base is not there yet.
import { simpleGit, type SimpleGit } from "simple-git";
import { UsageError, errorMessage } from "../core/errors.js";

const DEEPEN_STEPS = [50, 200, 1000];

export interface GitBase {
  git: SimpleGit;
  /** Repository top level (absolute). */
  root: string;
  /** Commit the working tree is compared with. */
  mergeBase: string;
  /** What was fetched or deepened to find it, for the report. */
  notes: string[];
}

async function tryRaw(git: SimpleGit, args: string[]): Promise<string | undefined> {
  try {
    return (await git.raw(args)).trim() || undefined;
  } catch {
    return undefined;
  }
}

const shallowHint = (ref: string) =>
  `set \`fetch-depth: 0\` on actions/checkout (or run \`git fetch --unshallow\`) so ${ref} and its merge base with HEAD are in the clone`;

export async function findBase(cwd: string, ref: string): Promise<GitBase> {
  const git = simpleGit({ baseDir: cwd, config: ["core.quotepath=off"] });
  const root = await tryRaw(git, ["rev-parse", "--show-toplevel"]);
  if (!root) throw new UsageError(`--changed-since needs a git repository: ${cwd} is not inside one`);
  const notes: string[] = [];
  const shallow = (await tryRaw(git, ["rev-parse", "--is-shallow-repository"])) === "true";
  const resolves = async () => tryRaw(git, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (!(await resolves())) {
    // origin/main in a PR checkout that fetched only the PR head: fetch that branch.
    const match = /^([\w.-]+)\/(.+)$/.exec(ref);
    const remote = match && (await tryRaw(git, ["remote"]))?.split("\n").includes(match[1]!) ? match : undefined;
    if (remote) {
      const fetched = await tryRaw(git, ["fetch", "--no-tags", ...(shallow ? ["--depth=50"] : []), remote[1]!, `+refs/heads/${remote[2]}:refs/remotes/${remote[1]}/${remote[2]}`]);
      notes.push(`fetched ${ref}${fetched === undefined ? " (fetch reported nothing)" : ""}`);
    }
    if (!(await resolves())) throw new UsageError(`--changed-since ${ref}: no such commit or branch here; ${shallowHint(ref)}`);
  }
  let mergeBase = await tryRaw(git, ["merge-base", ref, "HEAD"]);
  for (const depth of shallow ? DEEPEN_STEPS : []) {
    if (mergeBase) break;
    try {
      await git.raw(["fetch", "--no-tags", `--deepen=${depth}`]);
      notes.push(`deepened the shallow clone by ${depth} commits`);
    } catch (error) {
      notes.push(`could not deepen the clone: ${errorMessage(error)}`);
      break;
    }
    mergeBase = await tryRaw(git, ["merge-base", ref, "HEAD"]);
  }
  if (!mergeBase) {
    throw new UsageError(`--changed-since ${ref}: no merge base with HEAD${shallow ? " in this shallow clone" : ""}; ${shallowHint(ref)}`);
  }
  return { git, root, mergeBase, notes };
}

/** A file's text at a commit, or undefined when it did not exist there. */
export async function showAt(git: SimpleGit, commit: string, pathFromRoot: string): Promise<string | undefined> {
  try {
    return await git.show([`${commit}:${pathFromRoot}`]);
  } catch {
    return undefined;
  }
}

/** Paths (from the repository root) that differ between the commit and the working tree, untracked files included. */
export async function changedPaths(git: SimpleGit, commit: string): Promise<{ changed: string[]; deleted: string[] }> {
  const diff = (await tryRaw(git, ["diff", "--name-status", "--no-renames", commit])) ?? "";
  const untracked = (await tryRaw(git, ["ls-files", "--others", "--exclude-standard"])) ?? "";
  const changed: string[] = [];
  const deleted: string[] = [];
  for (const line of diff.split("\n")) {
    const [status, path] = line.split("\t");
    if (!status || !path) continue;
    (status === "D" ? deleted : changed).push(path);
  }
  changed.push(...untracked.split("\n").filter(Boolean));
  return { changed: [...new Set(changed)].sort(), deleted: deleted.sort() };
}
