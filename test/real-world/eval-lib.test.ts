import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  condense,
  discoverSamples,
  formatSummary,
  parseLabels,
  parseSource,
  stripPrefix,
  summarize,
  summarizePrecision,
  type Condensed,
} from "../../scripts/eval-lib.mjs";

const HEADER = "ecosystem\tname\tversion\tin_scope\tclass\treason\tsource\twrap";
const row = (...c: string[]) => c.join("\t");

describe("parseLabels", () => {
  it("reads rows, skips comments and reports each bad row by line", () => {
    const text = [
      "# comment",
      HEADER,
      row("pypi", "a", "1.0", "yes", "credential-store", "reads leveldb, posts", "o/r@abcdef1:a.py", "setup.py"),
      row("npm", "b", "1.0", "maybe", "credential-store", "x", "o/r@abcdef1:b.js", "npm-install"),
      row("npm", "c", "1.0", "no", "credential-store", "x", "o/r@abcdef1:c.js", "npm-install"),
      row("pypi", "a", "1.0", "no", "out-of-scope", "dup", "o/r@abcdef1:a.py", "setup.py"),
      row("pypi", "d", "1.0", "no", "out-of-scope", "too few"),
    ].join("\n");
    const { labels, errors } = parseLabels(text);
    expect(labels.map((l) => l.name)).toEqual(["a"]);
    expect(errors).toEqual([
      "line 4: in_scope must be yes or no",
      "line 5: in_scope no needs class out-of-scope",
      "line 6: duplicate sample pypi/a/1.0",
      "line 7: 6 columns, header has 8",
    ]);
  });

  it("the committed labels file parses without errors and names a source commit for every row", () => {
    const { labels, errors } = parseLabels(readFileSync(join(import.meta.dirname, "labels.tsv"), "utf8"));
    expect(errors).toEqual([]);
    expect(labels.length).toBeGreaterThanOrEqual(100);
    for (const l of labels) expect(parseSource(l.source), l.name).not.toBeNull();
  });
});

describe("parseSource", () => {
  it("splits repo, commit and several paths", () => {
    expect(parseSource("own/repo.x@0123abc:dir/|main.py")).toEqual({ repo: "own/repo.x", commit: "0123abc", paths: ["dir/", "main.py"] });
    expect(parseSource("no-commit:main.py")).toBeNull();
  });
});

describe("discoverSamples", () => {
  it("finds plain and DataDog layouts, scoped npm names included", () => {
    const root = mkdtempSync(join(tmpdir(), "exfilscan-evallib-"));
    const mk = (p: string, file: string) => {
      mkdirSync(join(root, p), { recursive: true });
      writeFileSync(join(root, p, file), "x");
    };
    mk("pypi/steal/0.1", "setup.py");
    mk("npm/@sc+pkg/1.0.0", "index.js");
    mk("npm/malicious_intent/evil/2.0.0", "2.0.0.zip");
    const got = discoverSamples(root).map((s) => [s.ecosystem, s.name, s.version, s.layout, s.zips ?? []]);
    expect(got).toEqual([
      ["npm", "@sc/pkg", "1.0.0", "plain", []],
      ["npm", "evil", "2.0.0", "datadog", ["2.0.0.zip"]],
      ["pypi", "steal", "0.1", "plain", []],
    ]);
  });
});

describe("condense and summarize", () => {
  const ok = (severity: string | null, source?: string): Condensed =>
    condense({ findings: severity ? [{ ruleId: "r", severity: severity as "high", source, location: { file: "f.py", line: 3 } }] : [] }, null);

  it("keeps the highest finding and whether a credential finding reached high", () => {
    const c = condense(
      {
        findings: [
          { ruleId: "net", severity: "medium" },
          { ruleId: "cred", severity: "critical", source: "ssh-key", location: { file: "a.js", line: 9 } },
        ],
      },
      null,
    );
    expect(c.top).toMatchObject({ ruleId: "cred", severity: "critical", location: "a.js:9" });
    expect(c.credentialHigh).toBe(true);
    expect(condense(null, "timeout").status).toBe("error");
  });

  it("computes recall per ecosystem and class; errors are never caught; out-of-scope hits listed", () => {
    const L = (eco: string, name: string, inScope: string, cls: string) =>
      row(eco, name, "1", inScope, cls, `reason ${name}`, "o/r@abcdef1:x", eco === "npm" ? "npm-install" : "setup.py");
    const { labels } = parseLabels(
      [
        HEADER,
        L("pypi", "caught", "yes", "credential-store"),
        L("pypi", "medium", "yes", "channel"),
        L("pypi", "broken", "yes", "channel"),
        L("npm", "none", "yes", "credential-store"),
        L("npm", "poc", "no", "out-of-scope"),
      ].join("\n"),
    );
    const res = (eco: string, name: string, c: Condensed) => ({ ecosystem: eco, name, version: "1", ...c });
    const s = summarize(
      [
        res("pypi", "caught", ok("critical", "browser-store")),
        res("pypi", "medium", ok("medium")),
        res("pypi", "broken", condense(null, "exit 2: parse")),
        res("npm", "none", ok(null)),
        res("npm", "poc", ok("high")),
        res("npm", "stray", ok(null)),
      ],
      labels,
    );
    expect(s.recall.pypi.high).toEqual({ caught: 1, total: 3, pct: 33.3 });
    expect(s.recall.pypi.credentialFlow.caught).toBe(1);
    expect(s.recall.pypi.any.caught).toBe(2);
    expect(s.recall.npm.high).toEqual({ caught: 0, total: 1, pct: 0 });
    expect(s.perClass.channel).toEqual({ n: 2, high: 0, any: 1 });
    expect(s.misses.map((m) => m.key)).toEqual(["pypi/medium/1", "npm/none/1"]);
    expect(s.errors).toEqual([{ key: "pypi/broken/1", in_scope: "yes", error: "exit 2: parse" }]);
    expect(s.outOfScopeFlagged.count).toBe(1);
    expect(s.unlabelled).toEqual(["npm/stray/1"]);
    const text = formatSummary(s);
    expect(text).toContain("pypi/medium/1 [channel] reason medium");
    expect(text).toContain("scan errors (1; never counted as caught)");
  });
});

describe("summarizePrecision", () => {
  it("lists packages with high/critical and with any credential finding", () => {
    const pkg = (name: string, hits: { ruleId: string; severity: "medium" | "high"; source?: string }[]) => ({
      name,
      hits,
      ...condense({ findings: hits }, null),
    });
    const s = summarizePrecision([
      pkg("quiet", []),
      pkg("noisy", [{ ruleId: "install-time-network", severity: "high" }]),
      pkg("cred", [{ ruleId: "credential-access-with-network", severity: "medium", source: "env-dump" }]),
    ]);
    expect(s.packages).toBe(3);
    expect(s.highOrCritical.map((p) => p.name)).toEqual(["noisy"]);
    expect(s.credential.map((p) => p.name)).toEqual(["cred"]);
  });
});

describe("stripPrefix", () => {
  it("keeps an npm package's layout relative to its package.json, else drops the entry's folder", () => {
    // repo root is the package: src/index.js stays where package.json's main says
    expect(stripPrefix("npmtree", ["src/index.js", "package.json"], ["src/index.js", "package.json"])).toBe("");
    // package in a subfolder: that folder is the root
    const wish = ["apps/malware/index.js", "apps/malware/modules/a.js", "apps/malware/package.json"];
    expect(stripPrefix("npmtree+postinstall", ["apps/malware/index.js", "apps/malware/"], wish)).toBe("apps/malware/");
    // no package.json listed: the entry's folder, as before
    expect(stripPrefix("npmtree+postinstall", ["app/index.js", "app/"], ["app/index.js", "app/x.js"])).toBe("app/");
    expect(stripPrefix("npm-main", ["src/index.js", "package.json"], ["src/index.js", "package.json"])).toBe("src/");
    expect(stripPrefix("pytree", ["pkg/", "x.py"], ["pkg/a.py", "x.py"])).toBe("pkg/");
    expect(stripPrefix("setup.py", ["main.py"], ["main.py"])).toBe("");
  });
});
