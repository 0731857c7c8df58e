// The reify wrapper of src/guard/npm-inside.ts on a stand-in for npm's Arborist: the check sees
// the resolved tree's lockfile before anything is installed, a refusal or a failed check stops
// the install, and what reify installs is the very tree that was checked.
import { EventEmitter } from "node:events";
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findOnPath } from "../../src/guard/npm-inline.js";
import { checkInsideReify, npmArborist, resolvedLockfile, sayIfNeverChecked, type InsideCheck, type InsideVerdict } from "../../src/guard/npm-inside.js";

const npmOnPath = findOnPath("npm", process.cwd(), process.env["PATH"]);
const RealArborist = npmOnPath ? (npmArborist(realpathSync(npmOnPath)) as unknown as (new (options: Record<string, unknown>) => { loadVirtual(): Promise<never>; buildIdealTree(): Promise<never> }) | undefined) : undefined;

interface Tree {
  id: number;
  meta?: { toString(): string };
}

/** Like Arborist: buildIdealTree resolves (a new tree each call), reify asks for it and installs it. */
function fakeArborist(resolve: () => Promise<Tree>) {
  const events: string[] = [];
  class Arborist {
    options = { packageLockOnly: false, dryRun: false };
    async buildIdealTree(options: Record<string, unknown> = {}): Promise<Tree> {
      events.push(`resolve complete=${String(options["complete"])}`);
      return resolve();
    }
    async reify(options: Record<string, unknown> = {}): Promise<string> {
      const tree = await this.buildIdealTree(options);
      events.push(`install tree ${tree.id}`);
      return "installed";
    }
  }
  return { Arborist, events };
}

function inside(verdict: InsideVerdict, failed: InsideVerdict = { exitCode: 2 }) {
  const seen: string[] = [];
  const check: InsideCheck = {
    check: async (lockfile) => {
      seen.push(`check ${JSON.stringify(lockfile)}`);
      return verdict;
    },
    resolutionFailed: async (error) => {
      seen.push(`failed ${(error as Error).message}`);
      return failed;
    },
  };
  return { check, seen };
}

async function rejection(p: Promise<unknown>): Promise<Error & { errno?: number }> {
  try {
    await p;
  } catch (error) {
    return error as Error & { errno?: number };
  }
  throw new Error("reify went on");
}

describe("npm's reify, checked in between", () => {
  it("checks the resolved tree's lockfile, then installs that very tree (not a second resolution)", async () => {
    let n = 0;
    const { Arborist, events } = fakeArborist(async () => ({ id: ++n, meta: { toString: () => JSON.stringify({ lockOf: n }) } }));
    const { check, seen } = inside({ proceed: true });
    checkInsideReify(Arborist, check);
    expect(await new Arborist().reify({ add: ["left-pad"] })).toBe("installed");
    expect(seen).toEqual(['check {"lockOf":1}']);
    expect(events).toEqual(["resolve complete=false", "install tree 1"]);
  });

  it("a refusal stops npm with exit code 1 before anything is installed", async () => {
    const { Arborist, events } = fakeArborist(async () => ({ id: 1, meta: { toString: () => "{}" } }));
    checkInsideReify(Arborist, inside({ exitCode: 1 }).check);
    const error = await rejection(new Arborist().reify());
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/refused the install/);
    expect(error.errno).toBeUndefined(); // npm's default exit code, 1
    expect(events).toEqual(["resolve complete=false"]);
  });

  it("a failed resolution ends npm with exit code 2 (fail closed), or npm's own error under --fail-open", async () => {
    const closed = fakeArborist(async () => Promise.reject(new Error("ECONNREFUSED")));
    const c = inside({ proceed: true });
    checkInsideReify(closed.Arborist, c.check);
    const error = await rejection(new closed.Arborist().reify());
    expect(error.errno).toBe(2);
    expect(c.seen).toEqual(["failed ECONNREFUSED"]);
    const open = fakeArborist(async () => Promise.reject(new Error("ECONNREFUSED")));
    checkInsideReify(open.Arborist, inside({ proceed: true }, { proceed: true }).check);
    await expect(new open.Arborist().reify()).rejects.toThrow("ECONNREFUSED");
  });

  it("a tree without a lockfile cannot be checked: fail closed", async () => {
    const { Arborist, events } = fakeArborist(async () => ({ id: 1 }));
    const { check, seen } = inside({ proceed: true });
    checkInsideReify(Arborist, check);
    await expect(new Arborist().reify()).rejects.toThrow(/could not complete the check/);
    expect(seen).toEqual(["failed npm resolved a tree without a lockfile"]);
    expect(events).toEqual(["resolve complete=false"]);
  });

  it("resolves with pacote's git preparation a no-op and scripts off, then reifies with npm's own options", async () => {
    const at: Record<string, unknown>[] = [];
    class Arborist {
      options: Record<string, unknown> = { ignoreScripts: false };
      async buildIdealTree(): Promise<Tree> {
        at.push({ ...this.options, env: process.env["npm_config_ignore_scripts"] });
        return { id: 1, meta: { toString: () => "{}" } };
      }
      async reify(): Promise<string> {
        await this.buildIdealTree();
        return "installed";
      }
    }
    checkInsideReify(Arborist, inside({ proceed: true }).check);
    const arb = new Arborist();
    expect(await arb.reify()).toBe("installed");
    expect(at[0]).toEqual({ ignoreScripts: true, npmBin: process.execPath, npmInstallCmd: ["-e", ""], npmCliConfig: [], env: "true" });
    expect(arb.options).toEqual({ ignoreScripts: false });
    expect(process.env["npm_config_ignore_scripts"]).toBeUndefined();
  });

  it("npm ending without the check: said, and npm's success turned into exit code 2 (not under --fail-open, not npm's own failure)", () => {
    const end = (ran: boolean, code: number, exitCode: number | undefined) => {
      const proc = Object.assign(new EventEmitter(), { exitCode: code as number | undefined });
      const said: string[] = [];
      sayIfNeverChecked(() => ran, (t) => said.push(t), exitCode, proc as never);
      proc.emit("exit", code);
      return { said: said.join(""), exitCode: proc.exitCode };
    };
    expect(end(true, 0, 2)).toEqual({ said: "", exitCode: 0 });
    const unchecked = end(false, 0, 2);
    expect(unchecked.said).toMatch(/without the guard's check running/);
    expect(unchecked.exitCode).toBe(2);
    expect(end(false, 0, undefined).exitCode).toBe(0);
    expect(end(false, 1, 2).exitCode).toBe(1);
  });

  it("finds no Arborist where npm is not laid out as npm", () => {
    expect(npmArborist("/nonexistent/npm/bin/npm-cli.js")).toBeUndefined();
  });
});

describe.skipIf(!RealArborist)("the resolved tree's lockfile, read from npm's own tree", () => {
  /** What the check gets next to the lockfile npm itself would write for the same tree. */
  const both = (tree: { meta: { toString(): string } }) => {
    const text = JSON.parse(String(tree.meta)) as { lockfileVersion: number; packages: unknown };
    return { read: resolvedLockfile(tree as never), npm: { lockfileVersion: text.lockfileVersion, packages: text.packages } };
  };

  it("is the lockfile npm would write: a 313-package tree with optional packages", async () => {
    const dir = mkdtempSync(join(tmpdir(), "exfilscan-tree-"));
    try {
      for (const name of ["package.json", "package-lock.json"]) cpSync(join(import.meta.dirname, "../../bench/guard-project", name), join(dir, name));
      const tree = await new RealArborist!({ path: dir }).loadVirtual();
      const { read, npm } = both(tree);
      expect(Object.keys((npm.packages as object) ?? {}).length).toBeGreaterThan(300);
      expect(read).toEqual(npm);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is the lockfile npm would write for a tree it resolved with local folders (links), one a dev dependency", async () => {
    const dir = mkdtempSync(join(tmpdir(), "exfilscan-tree-"));
    try {
      for (const name of ["local", "devlocal"]) {
        mkdirSync(join(dir, name));
        writeFileSync(join(dir, name, "package.json"), JSON.stringify({ name, version: "1.0.0" }));
      }
      const manifest = { name: "app", version: "1.0.0", dependencies: { local: "file:local" }, devDependencies: { devlocal: "file:devlocal" } };
      writeFileSync(join(dir, "package.json"), JSON.stringify(manifest));
      const tree = await new RealArborist!({ path: dir, cache: join(dir, ".cache"), offline: true }).buildIdealTree();
      const { read, npm } = both(tree);
      expect(Object.keys(npm.packages as object)).toEqual(expect.arrayContaining(["", "node_modules/local", "node_modules/devlocal", "local", "devlocal"]));
      expect(read).toEqual(npm);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
