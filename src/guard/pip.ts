// What a pip command would install, found without building anything: pip's own resolver in
// --dry-run --report mode restricted to wheels (a wheel's metadata is data; an sdist's is
// produced by running its build code, which is never done here). The real install then
// reads only the verified wheelhouse (--no-index --find-links), so nothing can change.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ParsedLockfile, ResolvedPackage } from "../deps/types.js";
import type { ParsedCommand } from "./command.js";
import { runCaptured, tail } from "./process.js";
import { ResolutionError } from "./npm.js";

export interface PipPlan {
  lockfile: ParsedLockfile;
  wheelhouse: string;
  /** The command to run once the wheelhouse holds the verified archives. */
  install: string[];
  cleanup(): void;
}

interface ReportItem {
  download_info?: { url?: string; archive_info?: { hash?: string; hashes?: Record<string, string> } };
  metadata?: { name?: string; version?: string };
  requested?: boolean;
}

/** The pip used for resolution: the user's own (pip3, python -m pip); uv resolves with python3 -m pip. */
function resolverArgv(cmd: ParsedCommand): string[] {
  if (cmd.manager === "uv") return ["python3", "-m", "pip", "install"];
  return [cmd.program, ...cmd.prefix, "install"];
}

export function planPip(cmd: ParsedCommand, cwd: string, env: NodeJS.ProcessEnv = process.env): PipPlan {
  const bad = cmd.pipRequirements.find((r) => r.kind === "other");
  if (bad) throw new ResolutionError(`${bad.raw}: VCS, URL, local and editable requirements are not fetched from an index and cannot be checked before install`);
  const tmp = mkdtempSync(join(tmpdir(), "exfilscan-guard-"));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  try {
    const reportFile = join(tmp, "report.json");
    const wheelhouse = join(tmp, "wheelhouse");
    mkdirSync(wheelhouse);
    const args = cmd.manager === "uv" && cmd.verb === "add" ? cmd.pipRequirements.map((r) => r.raw) : cmd.args;
    const argv = [...resolverArgv(cmd), "--dry-run", "--ignore-installed", "--only-binary=:all:", "--quiet", "--report", reportFile, "--disable-pip-version-check", ...args.filter((a) => a !== "--user")];
    const run = runCaptured(argv, cwd, { ...env, PIP_NO_INPUT: "1" });
    if (run.status !== 0 || !existsSync(reportFile)) {
      const why = tail(run.stderr || run.stdout);
      const sdistOnly = /no matching distribution|could not find a version/i.test(why);
      throw new ResolutionError(
        sdistOnly
          ? `pip could not resolve the requirements from wheels alone (a source distribution would run its build code just to be resolved):\n${why}`
          : `pip could not resolve the requirements (dry run, wheels only):\n${why}`,
      );
    }
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as { install?: ReportItem[] };
    const packages: ResolvedPackage[] = [];
    for (const item of report.install ?? []) {
      const name = item.metadata?.name;
      const version = item.metadata?.version;
      const url = item.download_info?.url;
      const hashes = item.download_info?.archive_info?.hashes ?? {};
      const legacy = /^sha256=([0-9a-f]{64})$/i.exec(item.download_info?.archive_info?.hash ?? "");
      const sha256 = (hashes["sha256"] ?? legacy?.[1])?.toLowerCase();
      if (!name || !version || !url) throw new ResolutionError(`pip's report names an entry without name, version or URL: ${JSON.stringify(item).slice(0, 200)}`);
      if (!/^https?:/.test(url)) throw new ResolutionError(`${name}==${version} comes from ${url}, not from an index: it cannot be checked before install`);
      if (!sha256) throw new ResolutionError(`${name}==${version}: the index gives no sha256 for ${url}; refusing an unverifiable download`);
      const fileName = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? `${name}-${version}.whl`);
      packages.push({
        ecosystem: "pypi", name, version, resolved: url, integrity: [{ algorithm: "sha256", value: sha256 }], source: "registry",
        lockfile: "pip install --dry-run", line: 1, dev: false, optional: false, direct: Boolean(item.requested), paths: [[`${name}@${version}`]],
        files: [{ name: fileName, url, digest: { algorithm: "sha256", value: sha256 } }],
      });
    }
    const lockfile: ParsedLockfile = { file: "pip install --dry-run", kind: "requirements", packages, problems: [] };
    const local = ["--no-index", "--find-links", wheelhouse];
    const install =
      cmd.manager === "uv" ? [cmd.program, ...cmd.prefix, cmd.verb ?? "install", ...local, ...cmd.args] : [cmd.program, ...cmd.prefix, "install", ...local, "--only-binary=:all:", ...cmd.args];
    return { lockfile, wheelhouse, install, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}
