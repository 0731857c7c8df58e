// Issue #16 (archives): 100 000 tiny files, 1000-deep folders, device and FIFO members,
// names that are not UTF-8 (and collide once decoded), names holding ESC/OSC sequences and
// newlines, as .tgz, sdist .tar.gz and wheel (scripts/gen-hostile.mjs, archiveShapes()).
// Each gives an error or a listed skip with its reason on that target, or is read in full;
// a cap is a target-level error, never a silent drop. The CLI then scans them all with a
// malicious package in the same run: that package is still reported, nothing is printed
// raw to the terminal, and (under strace) nothing is written outside the scratch folder.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { archiveShapes } from "../../scripts/gen-hostile.mjs";
import { DEFAULT_LIMITS, loadArchive } from "../../src/ingest/index.js";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);
const CLI = join(ROOT, "dist", "cli.js");
const GOOD = join(ROOT, "fixtures", "npm", "malicious", "api-key-header-ssh-key");
const shapes = archiveShapes();
const scratch = mkdtempSync(join(tmpdir(), "exfilscan-shapes-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("archive shapes, read in memory", () => {
  for (const shape of shapes) {
    it(`${shape.id}: ${shape.about}`, async () => {
      const pkg = await loadArchive(shape.name, shape.name, shape.data, DEFAULT_LIMITS);
      const problems = pkg.errors.map((e) => `${JSON.stringify(e.file ?? "")}: ${e.message}`).join("\n");
      for (const [file, pattern] of shape.expect.errors ?? []) {
        expect(pkg.errors.some((e) => (e.file ?? "") === file && pattern.test(e.message)), `${JSON.stringify(file)} ${pattern}\n${problems}`).toBe(true);
      }
      for (const [file, text] of shape.expect.contents ?? []) expect(pkg.files.get(file)?.toString(), JSON.stringify([...pkg.files.keys()].slice(0, 8))).toContain(text);
      for (const path of pkg.files.keys()) expect(path.split("/")).not.toContain("..");
      if (shape.expect.raised) {
        const all = await loadArchive(shape.name, shape.name, shape.data, { ...DEFAULT_LIMITS, ...shape.expect.raised });
        expect(all.files.size).toBe(shape.expect.files);
        expect(all.errors.filter((e) => !e.file)).toEqual([]);
      }
    }, 120_000);
  }
});

/** Paths the traced process opened for writing, created, renamed, linked or removed. */
function writtenPaths(log: string): string[] {
  const out: string[] = [];
  for (const line of log.split("\n")) {
    const call = /^\d+ +(\w+)\((.*)$/.exec(line);
    if (!call) continue;
    const [, name, rest] = call;
    const isOpen = name === "open" || name === "openat";
    if (isOpen && !/O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/.test(rest!)) continue;
    if (!isOpen && !/^(creat|mkdir|mkdirat|rename|renameat2?|link|linkat|symlink|symlinkat|unlink|unlinkat|rmdir|truncate)$/.test(name!)) continue;
    for (const quoted of rest!.matchAll(/"((?:[^"\\]|\\.)*)"/g)) out.push(quoted[1]!);
  }
  return out;
}

const hasStrace = spawnSync("strace", ["-f", "-qq", "-o", "/dev/null", "true"]).status === 0;

describe("archive shapes through the CLI, with a malicious package in the same run", () => {
  it("the other target is still reported, each shape is reported on its own target, nothing is written outside the scratch folder", () => {
    const work = join(scratch, "run");
    for (const dir of ["home", "tmp", "in"]) mkdirSync(join(work, dir), { recursive: true });
    const inputs = shapes.map((s) => {
      writeFileSync(join(work, "in", s.name), s.data);
      return join("in", s.name);
    });
    const args = [CLI, "scan", ...inputs, GOOD, "--offline", "-f", "json", "--workers", "1"];
    const env = { ...process.env, HOME: join(work, "home"), XDG_STATE_HOME: join(work, "home", "state"), TMPDIR: join(work, "tmp"), NO_COLOR: "1" };
    const trace = join(scratch, "strace.log");
    const command = hasStrace ? "strace" : process.execPath;
    const argv = hasStrace ? ["-f", "-qq", "-o", trace, "-e", "trace=open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,unlink,unlinkat,rmdir,truncate", process.execPath, ...args] : args;
    const run = spawnSync(command, argv, { cwd: work, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    expect(run.status, run.stderr).toBe(1); // findings at or above --fail-on decide the run
    const report = JSON.parse(run.stdout) as { targets: { input: string }[]; findings: { package?: { name: string }; location: { file: string }; trigger?: string }[]; errors: { input: string; file?: string; message: string }[] };

    // The malicious package in the same run is reported with its findings.
    expect(report.targets.some((t) => t.input === GOOD)).toBe(true);
    expect(report.findings.filter((f) => f.package?.name === JSON.parse(readFileSync(join(GOOD, "package.json"), "utf8")).name).length).toBeGreaterThan(0);
    // Every shape is a target of its own, with the errors or skips it must have.
    for (const [i, shape] of shapes.entries()) {
      const input = inputs[i]!;
      expect(report.targets.some((t) => t.input === input), shape.id).toBe(true);
      for (const [file, pattern] of shape.expect.errors ?? []) {
        expect(report.errors.some((e) => e.input === input && (e.file ?? "") === file && pattern.test(e.message)), `${shape.id}: ${JSON.stringify(file)}`).toBe(true);
      }
      if (shape.expect.finding) {
        const { file, trigger } = shape.expect.finding;
        expect(report.findings.some((f) => f.location.file === file && f.trigger === trigger), shape.id).toBe(true);
      }
    }
    // Terminal hygiene on stderr (the JSON report escapes by itself).
    expect(run.stderr).not.toMatch(/[\u001b\u0007]/);
    expect(run.stderr.split("\n").filter((l) => /^0 critical/.test(l))).toEqual([]);

    if (hasStrace) {
      const log = readFileSync(trace, "utf8");
      expect(log).toContain(`"${inputs[0]}"`); // the trace saw the archives being opened
      const written = writtenPaths(log);
      const outside = written.filter((p) => !resolve(work, p).startsWith(`${work}/`) && p !== "/dev/null");
      expect(outside).toEqual([]);
    }
  }, 300_000);

  it("text output prints hostile member names escaped, never raw", () => {
    const names = shapes.filter((s) => s.id.startsWith("control-") || s.id.startsWith("undecodable-")).map((s) => {
      const path = join(scratch, s.name);
      writeFileSync(path, s.data);
      return path;
    });
    const run = spawnSync(process.execPath, [CLI, "scan", ...names, "--offline", "-f", "text"], { encoding: "utf8", env: { ...process.env, XDG_STATE_HOME: join(scratch, "state") } });
    const out = run.stdout + run.stderr;
    expect(out).toContain("e\\e[2J\\e]0;owned\\u0007");
    expect(out).toContain("x\\n0 critical, 0 high\\n");
    expect(out).not.toMatch(/[\u001b\u0007]/);
    expect(out.split("\n").filter((l) => l.startsWith("0 critical"))).toEqual([]);
  }, 120_000);
});
