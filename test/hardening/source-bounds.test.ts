// Issue #16, "Source": hostile code is analysed within a budget (tokens parsed, interpreter
// steps), never refused by size alone, and whatever is not analysed is said. Each case comes
// from scripts/gen-hostile-source.mjs (`node scripts/gen-hostile.mjs DIR` writes them). The
// assertions are on the report only; the vitest timeout is just the guard against a hang.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bigSourceCases, sourceCases, type SourceCase } from "../../scripts/gen-hostile-source.mjs";
import { withoutInlineSourceMap } from "../../src/analyzers/js/inert.js";
import { parseJs } from "../../src/analyzers/js/parse.js";
import { pythonTokens } from "../../src/analyzers/python/cost.js";
import { DEFAULT_LIMITS } from "../../src/ingest/types.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { scanTargets } from "../../src/scan.js";

const signatures = loadSignatures();
/** Built once: two of the cases deflate 256 MB (decompression bombs). */
const CASES = sourceCases();
const root = mkdtempSync(join(tmpdir(), "exfilscan-source-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function materialize(c: SourceCase): string {
  for (const [path, content] of Object.entries(c.files)) {
    const full = join(root, c.id, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return join(root, c.id);
}

async function check(c: SourceCase): Promise<void> {
  const dir = materialize(c);
  const report = await scanTargets([dir], { signatures, workers: 1, ...(c.budget ? { budget: c.budget } : {}) });
  rmSync(dir, { recursive: true, force: true });
  const found = report.findings.map((f) => [f.ruleId, f.location.file, f.severity]);
  const has = ([rule, file, severity]: [string, string, string?]) => found.some(([r, f, s]) => r === rule && f === file && (!severity || s === severity));
  const said = JSON.stringify({ found, errors: report.errors.map((e) => [e.file, e.message.slice(0, 120)]) });
  expect(report.targets).toHaveLength(1);
  if (c.expect.rule) expect(has(c.expect.rule), said).toBe(true);
  if (c.expect.anyOf) expect(c.expect.anyOf.some(has), said).toBe(true);
  if (c.expect.noRule) expect(found.filter(([r]) => r === c.expect.noRule), said).toEqual([]);
  // Whatever was not analysed is also listed with its reason.
  for (const [rule, file] of found) if (rule === "unanalysed-code") expect(report.errors.some((e) => e.file?.replace(/#.*$/, "") === file), said).toBe(true);
}

describe("hostile source: bounded, reported, never clean", () => {
  for (const c of CASES) it(`${c.id}: ${c.about}`, () => check(c), 60_000);
});

// 50 MB files cost tens of seconds of CPU: run with EXFILSCAN_BIG_TESTS=1.
describe.runIf(process.env["EXFILSCAN_BIG_TESTS"])("hostile source at full size (EXFILSCAN_BIG_TESTS=1)", () => {
  for (const c of bigSourceCases()) it(`${c.id}: ${c.about}`, () => check(c), 600_000);

  it("npm-package-100mb: the bundles past the package's token budget are listed one by one", async () => {
    const c = bigSourceCases().find((b) => b.id === "npm-package-100mb")!;
    const report = await scanTargets([materialize({ ...c, id: "npm-package-100mb-listed", files: c.files })], { signatures, workers: 1 });
    const listed = report.errors.filter((e) => /--max-package-tokens/.test(e.message)).map((e) => e.file);
    // ~1.25 M tokens a bundle, 16 M for the package: about 12 fit, the other ~28 are listed.
    expect(listed.length).toBeGreaterThan(20);
    expect(listed.length).toBeLessThan(40);
    expect(listed.every((f) => /^lib\/bundle\d+\.js$/.test(f!))).toBe(true);
  }, 600_000);
});

describe("inert regions and token costs", () => {
  const map = "//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozfQ==";

  it("cuts a trailing inline source map line, keeping every line before it", () => {
    const code = "var a = 1;\nvar b = 2;\n";
    expect(withoutInlineSourceMap(Buffer.from(`${code}${map}\n\n`)).toString()).toBe(code);
    expect(withoutInlineSourceMap(Buffer.from(`${code}${map}`)).toString()).toBe(code);
  });

  it("keeps a source-map-looking line that code follows, or that does not start its line", () => {
    const followed = `var a = 1;\n${map}\nrequire("child_process").exec("x");\n`;
    expect(withoutInlineSourceMap(Buffer.from(followed)).toString()).toBe(followed);
    const inString = `var s = "${map}";\n`;
    expect(withoutInlineSourceMap(Buffer.from(inString)).toString()).toBe(inString);
  });

  it("a cut inside a template literal leaves code that no longer parses (reported), never other code", () => {
    const hidden = `var t = \`\n${map}\`; require("child_process").exec("x");\n`;
    const cut = withoutInlineSourceMap(Buffer.from(hidden)).toString();
    expect(cut).toBe("var t = `\n");
    expect(parseJs("install.js", cut).ast).toBeUndefined();
  });

  it("JavaScript: comments and string contents cost no tokens; code does", () => {
    expect(parseJs("a.js", `// ${"x".repeat(100_000)}\nvar s = "${"y".repeat(100_000)}";\n`, 10).ast).toBeDefined();
    expect(parseJs("a.js", "var a = [1, 2, 3, 4, 5, 6];\n", 10).problem).toMatch(/analysis budget exceeded.*--max-file-tokens/);
    expect(parseJs("a.ts", "let a: number[] = [1, 2, 3, 4, 5, 6];\n", 10).problem).toMatch(/analysis budget exceeded/);
  });

  it("Python: comments and plain string contents are free; escapes and f-string fields are charged", () => {
    expect(pythonTokens(`# ${"x".repeat(10_000)}\ns = "${"y".repeat(10_000)}"\n`, 1_000)).toBe(3);
    expect(pythonTokens(`s = """${"a\n".repeat(1_000)}"""\n`, 1_000)).toBe(3);
    expect(pythonTokens(`s = "${"\\x41".repeat(600)}"\n`, 1_000)).toBeGreaterThan(600);
    expect(pythonTokens(`s = f"${"{a}".repeat(600)}"\n`, 1_000)).toBeGreaterThan(1_000);
    expect(pythonTokens("def f(a, b):\n    return a + b\n", 1_000)).toBe(12);
  });
});

describe("files left out by --max-file-bytes keep their role", () => {
  const limits = { ...DEFAULT_LIMITS, maxFileBytes: 1_000 };
  const manifest = JSON.stringify({ name: "x", version: "1.0.0", main: "index.js", scripts: { postinstall: "node install.js" } });
  const big = `// ${"x".repeat(2_000)}\n`;

  async function scanWith(id: string, files: Record<string, string>) {
    const dir = materialize({ id, about: id, files, expect: {} });
    const report = await scanTargets([dir], { signatures, limits, workers: 1 });
    return report.findings.filter((f) => f.ruleId === "unanalysed-code").map((f) => `${f.severity} ${f.location.file}`);
  }

  it("an npm install script or a file it requires, skipped for its size, is unanalysed-code (it was a clean result)", async () => {
    expect(await scanWith("skip-install", { "package.json": manifest, "install.js": big, "index.js": "" })).toEqual(["high install.js"]);
    expect(await scanWith("skip-required", { "package.json": manifest, "install.js": 'require("./lib/x");\n', "lib/x.js": big, "index.js": "" })).toEqual(["high lib/x.js"]);
    expect(await scanWith("skip-main", { "package.json": manifest, "install.js": "", "index.js": big })).toEqual(["medium index.js"]);
  });

  it("twin: a skipped file nothing runs is only listed", async () => {
    expect(await scanWith("skip-data", { "package.json": manifest, "install.js": "", "index.js": "", "data/x.js": big })).toEqual([]);
  });
});

describe("the package's token budget (--max-package-tokens): as far as it goes, the rest said", () => {
  const twin = CASES.find((c) => c.id === "npm-package-tokens-other-files")!;

  async function leftOut(budget: { packageTokens?: number }) {
    const dir = materialize({ ...twin, id: `${twin.id}-${budget.packageTokens ?? "default"}` });
    const report = await scanTargets([dir], { signatures, workers: 1, budget });
    const files = report.errors.filter((e) => /--max-package-tokens/.test(e.message)).map((e) => e.file);
    return { files, findings: report.findings.map((f) => f.ruleId) };
  }

  it("files nothing runs are analysed until the budget is spent, the others listed one by one and each a finding", async () => {
    const { files, findings } = await leftOut({ packageTokens: 60_000 });
    // ~20 000 tokens a bundle: the first two fit, the other four are listed. Which ones is the
    // package's choice (file names, filler files), so each left-out file is unanalysed-code.
    expect(files).toEqual(["data/bundle2.js", "data/bundle3.js", "data/bundle4.js", "data/bundle5.js"]);
    expect(findings.filter((f) => f === "unanalysed-code")).toHaveLength(4);
  });

  it("control: the default budget analyses them all", async () => {
    expect((await leftOut({})).files).toEqual([]);
  });
});

describe("a file not read in full is still read as text (evidence, never a verdict of its own)", () => {
  async function reportOf(id: string) {
    const c = CASES.find((s) => s.id === id)!;
    const report = await scanTargets([materialize({ ...c, id: `${id}-text` })], { signatures, workers: 1, ...(c.budget ? { budget: c.budget } : {}) });
    const finding = report.findings.find((f) => f.ruleId === "unanalysed-code" && f.location.file === "install.js");
    return { report, finding };
  }

  it("a stealer over the token budget: the finding names the credential file and the exfiltration service it mentions", async () => {
    const { report, finding } = await reportOf("npm-stealer-over-budget");
    expect(finding?.severity).toBe("high");
    expect(finding?.message).toMatch(/analysis budget exceeded.*not analysed; read as text only, it names: .*credential file \/\.npmrc.*exfiltration service \(webhook\.site\) https:\/\/webhook\.site\/0000-example/);
    expect(finding?.indicators).toContainEqual({ type: "url", value: "https://webhook.site/0000-example" });
    expect(report.findings.map((f) => f.ruleId)).toEqual(["unanalysed-code"]); // text is evidence, not a flow
  });

  it("a dropper over the budget: the download command beside child_process is named (JavaScript and Python)", async () => {
    expect((await reportOf("npm-minified-over-budget")).finding?.message).toMatch(/a download command beside code that runs commands curl -s http:\/\/dropper/);
    const py = CASES.find((s) => s.id === "py-dense-over-budget")!;
    const report = await scanTargets([materialize({ ...py, id: "py-dense-text" })], { signatures, workers: 1, budget: py.budget! });
    expect(report.findings.find((f) => f.location.file === "setup.py")?.message).toMatch(/read as text only, it names: a download command beside code that runs commands curl/);
  });

  it("twin: a bundle over the budget that names nothing of note gets no evidence", async () => {
    const { finding } = await reportOf("npm-bundle-over-budget");
    expect(finding?.message).toMatch(/analysis budget exceeded/);
    expect(finding?.message).not.toMatch(/read as text only/);
    expect(finding?.indicators).toEqual([]);
  });
});
