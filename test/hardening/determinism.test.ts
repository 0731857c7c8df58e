// Issue #16: the same package gives the same report. A value that differs per run in the
// scanned code (Math.random) is not folded into a destination: it is an unknown part, and
// the finding names the fixed host around it, so message and fingerprint are stable.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { knownHost } from "../../src/rules/destination.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { scanTargets } from "../../src/scan.js";

const signatures = loadSignatures();
const fixture = fileURLToPath(new URL("../../fixtures/npm/malicious/dns-hex-exfil", import.meta.url));

describe("deterministic output", () => {
  it("a Math.random() label in a DNS destination gives the same finding on every run, naming the fixed host", async () => {
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const report = await scanTargets([fixture], { signatures, workers: 1 });
      runs.push(report.findings.map((f) => `${f.ruleId} ${f.severity} ${f.fingerprint} ${f.message}`));
    }
    expect(runs[0]!.length).toBeGreaterThan(0);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    expect(runs[0]!.some((f) => f.startsWith("credential-exfiltration critical") && f.includes("to q.dns-metrics.example.invalid"))).toBe(true);
  });

  it("the known host of a destination drops every label up to the last one with an unknown part", () => {
    expect(knownHost("*.0.*.q.dns-metrics.example.invalid")).toBe("q.dns-metrics.example.invalid");
    expect(knownHost("*.x.attacker.invalid")).toBe("x.attacker.invalid");
    expect(knownHost("https://api.*.example.com/v1")).toBe("example.com");
    expect(knownHost("https://collector.example.com/*")).toBe("collector.example.com");
    expect(knownHost("https://*/a")).toBeUndefined();
    expect(knownHost("https://api.*/a")).toBeUndefined();
    expect(knownHost("*.*")).toBeUndefined();
    expect(knownHost("a*b.com")).toBeUndefined();
  });
});
