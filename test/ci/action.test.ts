import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../helpers/cli.js";

// Runs the composite action's own shell steps (action.yml) the way a GitHub runner does:
// `${{ }}` expressions in each step's env are evaluated from the workflow's `with:`, the
// action's input defaults and a runner context; an expression this test does not model
// fails the test, so the action cannot grow an input the test silently ignores.

interface Step { id?: string; name?: string; uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, string>; "working-directory"?: string; "continue-on-error"?: boolean }
type Context = Record<string, string>;

const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as {
  inputs: Record<string, { default?: string }>;
  runs: { steps: Step[] };
};
const workflow = parse(readFileSync(join(ROOT, ".github/workflows/exfilscan.yml"), "utf8")) as {
  jobs: Record<string, { steps: Step[] }>;
};

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function evaluate(text: string, context: Context): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    if (!(expr in context)) throw new Error(`expression not modelled by this test: ${expr}`);
    return context[expr]!;
  });
}

function outputs(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => {
      const at = line.indexOf("=");
      return [line.slice(0, at), line.slice(at + 1)];
    }),
  );
}

function runStep(step: Step, context: Context, workdir: string, files: { output: string; summary: string }) {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(step.env ?? {})) env[key] = evaluate(String(value), context);
  writeFileSync(files.output, "");
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", evaluate(step.run!, context)], {
    cwd: workdir,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? tmpdir(), NO_COLOR: "1", GITHUB_OUTPUT: files.output, GITHUB_STEP_SUMMARY: files.summary, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, outputs: outputs(files.output) };
}

/** Run the action's `scan` and `Verdict` steps with the given `with:` inputs. */
function runAction(withInputs: Record<string, string>, github: { base_ref?: string; event_name?: string } = {}) {
  const temp = mkdtempSync(join(tmpdir(), "exfilscan-action-"));
  temps.push(temp);
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) inputs[name] = spec.default ?? "";
  Object.assign(inputs, withInputs);
  const context: Context = {
    "github.action_path": ROOT,
    "github.base_ref": github.base_ref ?? "",
    "github.event_name": github.event_name ?? "push",
    "github.token": "unused",
    "runner.temp": temp,
  };
  for (const [name, value] of Object.entries(inputs)) context[`inputs.${name}`] = value;
  const files = { output: join(temp, "output"), summary: join(temp, "summary.md") };
  const scanStep = action.runs.steps.find((step) => step.id === "scan")!;
  const workdir = join(ROOT, evaluate(scanStep["working-directory"] ?? ".", context));
  const scan = runStep(scanStep, context, workdir, files);
  context["steps.scan.outputs.exit-code"] = scan.outputs["exit-code"] ?? "";
  const verdictStep = action.runs.steps.find((step) => step.name === "Verdict")!;
  const verdict = runStep(verdictStep, context, workdir, files);
  const summary = existsSync(files.summary) ? readFileSync(files.summary, "utf8") : "";
  return { scan, verdict, summary, context: { ...context, "steps.scan.outputs.report": scan.outputs.report ?? "" }, files, workdir };
}

describe("GitHub Action (action.yml) on this repository's fixtures", () => {
  it("the `fixtures` workflow job blocks the transitive stealer, and its check step passes", () => {
    const job = workflow.jobs.fixtures!;
    const uses = job.steps.find((step) => step.uses === "./")!;
    expect(uses["continue-on-error"]).toBe(true);
    // On a pull request the default would be a --changed-since scan; `none` must keep it whole.
    const run = runAction(uses.with!, { base_ref: "main", event_name: "pull_request" });
    expect(run.scan.code).toBe(0);
    expect(run.scan.outputs["exit-code"]).toBe("1");
    const report = run.scan.outputs.report!;
    expect(report.endsWith("report.json")).toBe(true);
    const json = JSON.parse(readFileSync(report, "utf8"));
    expect(JSON.stringify(json)).toContain("lodahs-utils");
    expect(run.summary).toMatch(/credential-exfiltration/);
    expect(run.verdict.code).toBe(1);
    expect(run.verdict.stdout).toContain("::error::exfilscan: findings at or above high");
    // The job's own check step, run as written, accepts this outcome.
    const check = job.steps.find((step) => step.name === "The stealer is blocked and named")!;
    const checked = runStep(check, run.context, run.workdir, run.files);
    expect(checked.stdout + checked.stderr).not.toContain("::error::");
    expect(checked.code).toBe(0);
  });

  it("a clean tree exits 0, writes the summary and the SARIF, and the verdict passes", () => {
    const project = join(ROOT, "test", "ci", ".tmp-clean");
    temps.push(project);
    mkdirSync(join(project, "node_modules", "left-pad-ish"), { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", dependencies: { "left-pad-ish": "1.0.0" } }));
    writeFileSync(join(project, "node_modules", "left-pad-ish", "package.json"), JSON.stringify({ name: "left-pad-ish", version: "1.0.0", main: "index.js" }));
    writeFileSync(join(project, "node_modules", "left-pad-ish", "index.js"), "module.exports = (s, n) => String(s).padStart(n);\n");
    const run = runAction({ path: "test/ci/.tmp-clean", targets: "node_modules", args: "--offline", "changed-since": "none" });
    expect(run.scan.outputs["exit-code"]).toBe("0");
    expect(run.scan.outputs.report).toMatch(/exfilscan\.sarif$/);
    const sarif = JSON.parse(readFileSync(run.scan.outputs.report!, "utf8"));
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0].results).toEqual([]);
    expect(run.summary.length).toBeGreaterThan(0);
    expect(run.verdict.code).toBe(0);
  });

  it("the workflow's main job scans the project's own lockfile on pull requests and pushes to main", () => {
    const text = readFileSync(join(ROOT, ".github/workflows/exfilscan.yml"), "utf8");
    const on = (parse(text) as { on: Record<string, unknown> }).on;
    expect(Object.keys(on)).toEqual(expect.arrayContaining(["pull_request", "push"]));
    const main = workflow.jobs.exfilscan!.steps.find((step) => step.uses === "./")!;
    expect(existsSync(join(ROOT, main.with!.targets!))).toBe(true);
  });
});
