// One npm, one resolution: when npm runs in the guard's process (src/guard/npm-inline.ts), the
// guard checks the tree npm itself resolved, between resolution and install, instead of running
// a lockfile-only npm in a temporary copy first and a second npm for the install.
//
// npm's Arborist.reify is wrapped: it first builds the ideal tree as reify itself would (same
// options), hands that tree's lockfile to the check, and goes on only when the check says so.
// reify then installs that very tree (its own buildIdealTree call is answered with the checked
// tree), and pacote verifies every tarball it fetches against the integrity that was checked.
// Nothing is written into the project and no package code runs before the check: resolution
// reads packuments and the lockfile, and may fetch a git dependency (pacote clones or downloads
// it to read its package.json); pacote would then "prepare" it, an `npm install --force` in
// the clone that runs its install and prepare scripts. During resolution the guard makes that
// step a no-op and turns scripts off (withoutScripts); reify then runs with npm's own options.
// A refusal or a failed check ends npm with the guard's
// exit code (npm adds one line saying so). Node built-ins only.
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { trace } from "./trace.js";

/** What the check tells npm: go on, or stop with this exit code (the guard said why). */
export type InsideVerdict = { proceed: true } | { exitCode: number };

export interface InsideCheck {
  /** The resolved tree as npm would write its lockfile (its JSON value: resolvedLockfile). */
  check(lockfile: unknown): Promise<InsideVerdict>;
  /** Resolution failed (registry down, no such version, conflicting peers): npm's error, or a guard exit code. */
  resolutionFailed(error: unknown): Promise<InsideVerdict>;
}

interface TreeNode {
  path: string;
  location: string;
  isRoot?: boolean;
  extraneous?: boolean;
  inert?: boolean;
  fsParent?: { isRoot?: boolean } | null;
  package: { version?: unknown };
}
/** npm's Shrinkwrap (tree.meta), as far as resolvedLockfile reads it. */
interface Shrinkwrap {
  path?: string;
  lockfileVersion?: number;
  hiddenLockfile?: boolean;
  resolveOptions?: unknown;
  constructor: { metaFromNode?: (node: TreeNode, path: string, options: unknown) => Record<string, unknown> };
}
interface IdealTree {
  meta?: { toString(): string };
  target?: TreeNode;
  root?: { inventory?: Map<string, TreeNode> };
}
interface ArboristInstance {
  options: { packageLockOnly?: boolean; dryRun?: boolean } & Record<string, unknown>;
  buildIdealTree(options?: Record<string, unknown>): Promise<IdealTree>;
  reify(options?: Record<string, unknown>): Promise<unknown>;
}
interface ArboristClass {
  prototype: ArboristInstance;
}

/**
 * npm's Arborist as npm's own install and update commands load it (same file, so the same
 * module and class), or undefined when this npm is not laid out as expected.
 */
export function npmArborist(cli: string): ArboristClass | undefined {
  try {
    const commands = join(dirname(dirname(cli)), "lib", "commands");
    const fromInstall = createRequire(join(commands, "install.js")).resolve("@npmcli/arborist");
    const fromUpdate = createRequire(join(commands, "update.js")).resolve("@npmcli/arborist");
    if (fromInstall !== fromUpdate) return undefined;
    const Arborist = createRequire(join(commands, "install.js"))("@npmcli/arborist") as ArboristClass | undefined;
    const proto = Arborist?.prototype;
    if (typeof proto?.reify !== "function" || typeof proto.buildIdealTree !== "function") return undefined;
    return Arborist;
  } catch {
    return undefined;
  }
}

/**
 * What npm's Arborist hands pacote while resolving, so that fetching a git dependency runs none
 * of its code: pacote's GitFetcher "prepares" a clone whose package.json has install-time
 * scripts by running `npmBin npmInstallCmd npmCliConfig` in it (without looking at
 * ignoreScripts); here that is `node -e ""`. DirFetcher then skips its `prepare` on ignoreScripts.
 */
export function resolutionOptions(): Record<string, unknown> {
  return { ignoreScripts: true, npmBin: process.execPath, npmInstallCmd: ["-e", ""], npmCliConfig: [] };
}

/**
 * Runs `resolve` with `options` (an Arborist's) carrying resolutionOptions() and, for any npm
 * that still starts, `npm_config_ignore_scripts=true` in the environment (it outranks a
 * project .npmrc in the clone); both are put back afterwards.
 */
export async function withoutScripts<T>(options: Record<string, unknown>, resolve: () => Promise<T>): Promise<T> {
  const saved = Object.entries(resolutionOptions()).map(([name, value]) => {
    const had = Object.prototype.hasOwnProperty.call(options, name);
    const before = options[name];
    options[name] = value;
    return () => (had ? (options[name] = before) : delete options[name]);
  });
  const env = process.env["npm_config_ignore_scripts"];
  process.env["npm_config_ignore_scripts"] = "true";
  try {
    return await resolve();
  } finally {
    for (const restore of saved) restore();
    if (env === undefined) delete process.env["npm_config_ignore_scripts"];
    else process.env["npm_config_ignore_scripts"] = env;
  }
}

/**
 * The error that ends npm with the guard's exit code. npm prints its message after the guard's
 * own (and the errno, which is how npm takes an exit code other than 1 from an error).
 */
export function stopNpm(exitCode: number): Error {
  const why = exitCode === 1 ? "exfilscan guard refused the install (findings above): nothing was installed" : "exfilscan guard could not complete the check (see above): nothing was installed";
  return Object.assign(new Error(why), exitCode === 1 ? {} : { errno: exitCode });
}

/**
 * Should npm install through some other copy of Arborist than the wrapped one, the check never
 * runs: when npm then ends, this says so and turns npm's success into `exitCode` (the guard's
 * "could not check"; undefined under --fail-open). npm's own failure stays as it is. `proc` is the process (a parameter for the tests).
 */
export function sayIfNeverChecked(ran: () => boolean, say: (text: string) => void, exitCode: number | undefined, proc: Pick<NodeJS.Process, "on" | "exitCode"> = process): void {
  proc.on("exit", (code: number) => {
    if (ran()) return;
    say("exfilscan: npm ended without the guard's check running (it did not install through the Arborist the guard wraps): whatever it installed was not checked\n");
    if (!code && exitCode !== undefined) proc.exitCode = exitCode;
  });
}

/**
 * The lockfile npm would write for `tree` (what its Shrinkwrap's commit() makes, as a JSON value),
 * read from the tree's nodes with npm's own metaFromNode: one entry per node, without the
 * nested v1 section commit() also builds and the text round trip (most of the time both took).
 * Anything not laid out as expected (another lockfile version, no inventory) takes npm's own
 * text; undefined when the tree has no lockfile at all.
 */
export function resolvedLockfile(tree: IdealTree): unknown {
  if (!tree.meta) return undefined;
  const meta = tree.meta as unknown as Shrinkwrap;
  const metaFromNode = meta.constructor.metaFromNode;
  const inventory = tree.root?.inventory;
  const version = meta.lockfileVersion ?? 3;
  if (typeof metaFromNode !== "function" || !(inventory instanceof Map) || typeof meta.path !== "string" || !tree.target || meta.hiddenLockfile || (version !== 2 && version !== 3)) {
    return JSON.parse(String(meta)) as unknown;
  }
  const packages: Record<string, Record<string, unknown>> = {};
  const root = metaFromNode(tree.target, meta.path, meta.resolveOptions);
  if (Object.keys(root).length) packages[""] = root;
  for (const node of inventory.values()) {
    // As commit(): the root, stale top-level folders that are no dependency, optional packages that failed to load.
    if (node === (tree as unknown) || node.isRoot || node.location === "") continue;
    const location = relative(meta.path, node.path).replace(/\\/g, "/");
    if (node.extraneous && !/(^|\/)node_modules\//.test(location) && location !== "node_modules" && (!node.fsParent || node.fsParent.isRoot)) continue;
    if (node.inert && !node.package.version) continue;
    packages[location] = metaFromNode(node, meta.path, meta.resolveOptions);
  }
  return { lockfileVersion: version, packages };
}

/** Wraps Arborist.reify so that every install first passes `inside`. */
export function checkInsideReify(Arborist: ArboristClass, inside: InsideCheck): void {
  const reify = Arborist.prototype.reify;
  Arborist.prototype.reify = async function (this: ArboristInstance, options: Record<string, unknown> = {}) {
    trace("npm until reify");
    let tree: IdealTree;
    try {
      // The options reify's own _loadTrees gives buildIdealTree; no package code runs meanwhile.
      tree = await withoutScripts(this.options, () => this.buildIdealTree({ ...options, complete: Boolean(this.options.packageLockOnly || this.options.dryRun) }));
    } catch (error) {
      const verdict = await inside.resolutionFailed(error);
      if ("exitCode" in verdict) throw stopNpm(verdict.exitCode);
      throw error;
    }
    trace("npm resolved the tree");
    let lockfile: unknown;
    let unreadable: unknown = new Error("npm resolved a tree without a lockfile");
    try {
      lockfile = resolvedLockfile(tree);
    } catch (error) {
      unreadable = error;
    }
    trace("resolved lockfile read from the tree");
    // --fail-open on a tree that could not be checked: npm goes on as it would without the guard.
    const verdict = lockfile !== undefined ? await inside.check(lockfile) : await inside.resolutionFailed(unreadable);
    if ("exitCode" in verdict) throw stopNpm(verdict.exitCode);
    // reify asks for the ideal tree again: it gets the checked one, whatever else changed.
    this.buildIdealTree = async () => tree;
    try {
      return await reify.call(this, options);
    } finally {
      trace("npm installed");
    }
  };
}
