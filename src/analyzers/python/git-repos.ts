// git as a channel: a repository object (GitPython) knows its working tree and its remote;
// `add` puts files in the next commit and `push` uploads them to the remote. The shell form
// (`git -C dir push url`, `cwd=dir`, `cd dir && git push`) is read in shell-calls.ts.
import type { PyNode } from "./ast.js";
import { reportSink } from "./effects.js";
import { location, type Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { allTaints, external, foldedText, mergeTaints, type Cell, type Taint, type Value } from "./model.js";
import { credentialPath, joinPath } from "./paths.js";
import { stagingKey } from "./staging.js";
import type { EvaluatedArgs } from "./calls.js";

/** What a repository object knows: where its files are and where it pushes. */
export interface RepoState {
  workTree?: Value;
  remote?: Value;
  /** `add(".")` / `git add -A`: every file of the working tree goes in the commit. */
  all?: boolean;
}

/** `git.Repo(path)`, `Repo.init(path)`, `Repo.clone_from(url, path)` (also through `git.repo.base`). */
const REPO_FACTORIES = /^git\.(repo\.base\.|repo\.)?Repo(\.(init|clone_from))?$/;

export function isRepoFactory(qname: string): boolean {
  return REPO_FACTORIES.test(qname);
}

/** A URL or scp-like remote (`user@host:path`), not a remote name or a refspec. */
const REMOTE_URL = /^([a-z][a-z0-9+.-]*:\/\/|[^@\s/:]+@[^:\s/]+:)/i;

const isRemoteUrl = (value: Value | undefined): boolean => {
  const text = value ? foldedText(value) : undefined;
  return text !== undefined && REMOTE_URL.test(text);
};

export function repoFactory(qname: string, args: EvaluatedArgs): Value {
  const repo: RepoState = {};
  if (qname.endsWith(".clone_from")) {
    const url = args.positional[0] ?? args.keywords.get("url");
    const to = args.positional[1] ?? args.keywords.get("to_path");
    if (url) repo.remote = url;
    if (to) repo.workTree = to;
  } else {
    const path = args.positional[0] ?? args.keywords.get("path");
    if (path) repo.workTree = path;
  }
  // A client with a sink: attribute chains (repo.index, repo.git, repo.remotes.origin) share its cell.
  const cell: Cell = { taints: [], sink: { channel: "shell", sent: false }, repo };
  return { ref: external(`${qname.replace(/\.(init|clone_from)$/, "")}()`).ref!, taints: [], cell };
}

const ADD_ALL_KEYWORDS = ["A", "all"];

/** Files an `add` puts in the commit: each path's credential file or what the package wrote there. */
function addedTaints(ip: Interpreter, frame: Frame, node: PyNode, repo: RepoState, args: EvaluatedArgs): Taint[] {
  const step = { ...location(frame, node), note: "added to a git commit" };
  if (ADD_ALL_KEYWORDS.some((k) => args.keywords.get(k)?.num === 1)) repo.all = true;
  const paths = args.positional.flatMap((a) => a.items ?? [a]);
  let taints: Taint[] = [];
  const base = repo.workTree ? foldedText(repo.workTree) : undefined;
  for (const path of paths) {
    const text = foldedText(path);
    if (text === "." || text === "*" || text === "-A" || text === "--all") {
      repo.all = true;
      continue;
    }
    taints = mergeTaints(taints, allTaints(path));
    if (text === undefined) continue;
    const full = base !== undefined ? joinPath([base, text]) : text;
    for (const candidate of new Set([full, text])) {
      const match = credentialPath(ip.signatures, candidate);
      if (match) taints = mergeTaints(taints, [ip.source(frame, node, match.kind, match.note, match.path)]);
      taints = mergeTaints(taints, ip.staged.read(stagingKey({ str: candidate, taints: [] }), step));
    }
  }
  return taints;
}

/**
 * A method on a repository object or one of its parts: `index.add` / `git.add` stage files,
 * `create_remote` / `set_url` / `git.remote("add", …)` name the remote, `push` sends.
 */
export function repoMethod(ip: Interpreter, frame: Frame, node: PyNode, receiver: Value, method: string, args: EvaluatedArgs): Value {
  const cell = receiver.cell!;
  const repo = cell.repo!;
  const qname = receiver.ref?.kind === "external" ? receiver.ref.qname : "git.Repo()";
  const same: Value = { ref: external(`${qname}.${method}()`).ref!, taints: [], cell };
  switch (method) {
    case "add":
      cell.taints = mergeTaints(cell.taints, addedTaints(ip, frame, node, repo, args));
      return same;
    case "create_remote":
    case "set_url":
    case "remote": {
      const url = args.positional.find(isRemoteUrl) ?? args.keywords.get("url") ?? args.keywords.get("new_url");
      if (url) repo.remote = url;
      return same;
    }
    case "push":
      return push(ip, frame, node, repo, cell, qname, args, same);
    default:
      return same;
  }
}

function push(ip: Interpreter, frame: Frame, node: PyNode, repo: RepoState, cell: Cell, qname: string, args: EvaluatedArgs, result: Value): Value {
  cell.sink!.sent = true;
  const remote = args.positional.find(isRemoteUrl) ?? repo.remote;
  const tree = repo.all && repo.workTree ? ip.staged.read(stagingKey(repo.workTree), { ...location(frame, node), note: "committed from the working tree" }) : [];
  const text = remote ? foldedText(remote) : undefined;
  reportSink(ip, frame, node, {
    channel: "shell",
    note: `pushes commits with GitPython (${qname.replace(/\(\).*$/, "")})`,
    ...(text !== undefined ? { destination: text } : {}),
    data: [],
    extraTaints: mergeTaints(cell.taints, tree),
    // `https://user:{token}@host/repo.git`: the URL's user part is the push's login, not data it uploads.
    authTaints: remote ? allTaints(remote) : [],
  });
  return result;
}

/** The working tree a shell `git` command runs in: `-C dir`, `--work-tree=dir`, or the call's `cwd=`. */
export function shellWorkTree(args: readonly string[], cwd: string | undefined): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-C" && args[i + 1] !== undefined) return args[i + 1];
    const tree = /^--work-tree=(.+)$/.exec(args[i]!);
    if (tree) return tree[1];
  }
  return cwd;
}
