// Severity of install-time-download-execute from what the facts say about the download.
import { describe, expect, it } from "vitest";
import { emptyFacts, type DownloadExecutionFact } from "../../src/analyzers/facts.js";
import { evaluateFacts } from "../../src/rules/evaluate.js";
import { outsidePackage } from "../../src/rules/install-time-download-execute.js";
import { loadSignatures } from "../../src/rules/signatures.js";

const signatures = loadSignatures();
const pkg = { ecosystem: "npm" as const, name: "demo", version: "1.0.0" };
const at = (line: number) => ({ file: "install.js", line, column: 1 });

function execution(destination: string | undefined, path: string | undefined, extra: Partial<DownloadExecutionFact> = {}): DownloadExecutionFact {
  return { location: at(9), trigger: "install", note: "execFile()", ...(path ? { path } : {}), fetch: { location: at(3), note: "https.get()", ...(destination ? { destination } : {}) }, steps: [{ ...at(3), note: "fetches" }, { ...at(9), note: "runs" }], ...extra };
}
const severities = (fact: DownloadExecutionFact, ruleId = "install-time-download-execute") =>
  evaluateFacts({ ...emptyFacts("npm"), downloadExecutions: [fact] }, pkg, signatures)
    .filter((f) => f.ruleId === ruleId)
    .map((f) => f.severity);

describe("install-time-download-execute", () => {
  it("is high over plain http, from a raw IP, or for a file run outside the package's folder", () => {
    expect(severities(execution("http://dl.example.invalid/x", "<package>/bin/x"))).toEqual(["high"]);
    expect(severities(execution("https://203.0.113.5/x", "bin/x"))).toEqual(["high"]);
    expect(severities(execution("https://cdn.example.invalid/x", "/tmp/x"))).toEqual(["high"]);
    expect(severities(execution(undefined, "%TEMP%/x.dll"))).toEqual(["high"]);
  });

  it("is medium for https from a named host into the package's folder, and silent once verified or not at install", () => {
    expect(severities(execution("https://registry.npmjs.org/@x/linux-x64/-/linux-x64-1.0.0.tgz", "<package>/bin/x"))).toEqual(["medium"]);
    expect(severities(execution(undefined, "*/bin/x"))).toEqual(["medium"]);
    expect(severities(execution("http://203.0.113.5/x", "/tmp/x", { verified: true }))).toEqual([]);
    expect(severities(execution("http://203.0.113.5/x", "/tmp/x", { trigger: "call" }))).toEqual([]);
  });

  it("tells the package's folder from outside it", () => {
    for (const inside of ["bin/x", "./x", "<package>/vendor/x", "*/x", "x.dll"]) expect(outsidePackage(inside), inside).toBe(false);
    for (const outside of ["/tmp/x", "~/.cache/x", "C:/Users/x/a.exe", "%APPDATA%/x.exe", "$TMPDIR/x", "${HOME}/x"]) expect(outsidePackage(outside), outside).toBe(true);
  });

  it("is high for code run without a file (curl | sh, eval of the response)", () => {
    expect(severities(execution("https://cdn.example.invalid/i.sh", undefined, { note: "curl | sh" }))).toEqual(["high"]);
  });
});

describe("runtime-download-execute", () => {
  it("reports the same shape at import and in files started by hand, never at install or in functions only called", () => {
    const evalOfResponse = (trigger: DownloadExecutionFact["trigger"]) => execution("https://cdn.example.invalid/stage", undefined, { trigger, note: "eval()" });
    expect(severities(evalOfResponse("import"), "runtime-download-execute")).toEqual(["high"]);
    expect(severities(evalOfResponse("manual"), "runtime-download-execute")).toEqual(["high"]);
    expect(severities(evalOfResponse("install"), "runtime-download-execute")).toEqual([]);
    expect(severities(evalOfResponse("call"), "runtime-download-execute")).toEqual([]);
    expect(severities(execution("https://cdn.example.invalid/x", "<package>/bin/x", { trigger: "import" }), "runtime-download-execute")).toEqual(["medium"]);
    expect(severities(execution("http://203.0.113.5/x", "/tmp/x", { trigger: "import", verified: true }), "runtime-download-execute")).toEqual([]);
  });
});
