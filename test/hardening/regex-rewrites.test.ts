// Issue #16: the regex literals outside the analyzers that src/core/regex-safety.ts flagged
// were rewritten so they cannot backtrack far (no two unbounded parts that can trade the same
// characters). Each rewrite must give what the old pattern gave: the literal now in the file
// (found by agreeing with the old pattern on typical lines) is compared with the old pattern
// on random lines built from the pieces it cares about. Then hostile lines of the worst-case
// shape, sized so the old pattern would run for many seconds (quadratic or cubic), are
// matched and their result checked: no timing is asserted.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { regexLiterals } from "../../scripts/regex-scaling.mjs";
import { pinLine } from "../../src/correlate/lockfile-history.js";
import { isInstallScriptDir } from "../../src/correlate/processes.js";
import { parseRequirements } from "../../src/deps/lockfiles/requirements.js";
import { parsePipRequirement } from "../../src/guard/command.js";
import { hookStatus } from "../../src/guard/hook.js";
import { defaultPenaltyConfig, penaltyConfigFromSshdConfig } from "../../src/logs/penalties.js";
import { loadPipIndexConfig } from "../../src/registry/config.js";

const src = (file: string) => fileURLToPath(new URL(`../../src/${file}`, import.meta.url));
const LS = "\u2028"; // a line separator: `.` stops at it, `\s` takes it
const spaces = (n: number) => " ".repeat(n);

interface Site {
  file: string;
  old: RegExp;
  /** Typical lines, at least one matching: the rewrite is the literal that agrees on all of them. */
  samples: string[];
  /** Pieces random lines are made of. */
  pieces: string[];
  /** A group the rewrite leaves undefined where the old pattern captured "" (the code reads it with ?? ""). */
  emptyGroup?: number;
  /** A line of the worst-case shape and what the old pattern gives on it. */
  hostile: string;
  expected: (string | undefined)[] | null;
}

const SITES: Site[] = [
  {
    file: "correlate/lockfile-history.ts",
    old: /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([^\s;#\\]+)/,
    samples: ["requests==2.31.0", "  urllib3[socks] == 2.0.7 ; python_version", "name = \"x\""],
    pieces: [" ", "a", "[", "]", "=", "==", ";", "\r", ".", "1"],
    hostile: `a${spaces(200_000)}x`,
    expected: null,
  },
  {
    file: "deps/lockfiles/requirements.ts",
    old: /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*$/,
    samples: ["requests==2.31.0", "urllib3 [socks] >=2 ", "flask", "x [a] "],
    pieces: [" ", "a", "[", "]", "==", "\r", LS, "-", "1"],
    emptyGroup: 3,
    hostile: `a${spaces(100_000)}x\ry`,
    expected: null,
  },
  {
    file: "deps/lockfiles/requirements.ts",
    old: /^(-e|--editable)\s+(.+)$/,
    samples: ["-e ./pkg", "--editable  git+https://x/y#egg=z", "-e  "],
    pieces: ["-e", "--editable", " ", "a", "\r", LS, "\t"],
    hostile: `-e${spaces(200_000)}x\ry`,
    expected: null,
  },
  {
    file: "deps/lockfiles/requirements.ts",
    old: /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*@\s*(\S+)/,
    samples: ["pkg @ https://x/pkg.whl", "pkg[extra]@file:///tmp/x", "pkg==1"],
    pieces: [" ", "a", "[", "]", "@", "\r", ".", "x"],
    hostile: `a${spaces(200_000)}x`,
    expected: null,
  },
  {
    file: "guard/command.ts",
    old: /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*)$/,
    samples: ["requests==2.31.0", "urllib3 [socks, brotli] >= 2", "flask"],
    pieces: [" ", "a", "[", "]", ",", "=", "\r", LS, "."],
    hostile: `a${spaces(100_000)}x\ry`,
    expected: null,
  },
  {
    file: "correlate/processes.ts",
    old: /\/([^/]+?)-\d[^/]*\/setup\.py$/,
    samples: ["/tmp/pip-build/evil-pkg-1.0/setup.py", "/x/a-1-2/setup.py", "/x/a/setup.py"],
    pieces: ["/", "a", "-", "1", "x", "/setup.py", "setup.py"],
    hostile: `/x${"-1".repeat(200_000)}`,
    expected: null,
  },
  {
    file: "logs/penalties.ts",
    old: /^(\S+)\s*(?:=\s*|\s+)(.*)$/,
    samples: ["PerSourcePenalties crash:90 authfail:5", "LogLevel=VERBOSE", "MaxStartups = 10:30:100", "a=b=c d", "a="],
    pieces: [" ", "a", "=", "\r", LS, "\t"],
    hostile: `a${spaces(100_000)}b${LS}c`,
    expected: null,
  },
  {
    file: "registry/config.ts",
    old: /^([\w-]+)\s*[=:]\s*(.*)$/,
    samples: ["index-url = https://pypi.example/simple", "extra-index-url:https://x", "timeout=", "[global]"],
    pieces: [" ", "a", "=", ":", "\r", LS, "-"],
    hostile: `index-url=${spaces(200_000)}x${LS}y`,
    expected: null,
  },
  {
    file: "guard/hook.ts",
    old: /^npm\(\) \{.*?then (.*?) guard --/m,
    samples: ["npm() { if true; then '/usr/bin/node' '/x/cli.js' guard -- npm \"$@\"; fi; }", "x\nnpm() { then a guard --"],
    pieces: ["then ", " guard --", "x", "\n", "npm() {", "t", " "],
    hostile: `npm() { ${"then ".repeat(200_000)}`,
    expected: null,
  },
  {
    file: "logs/parsers/sshd.ts",
    old: /^Received disconnect from (\S+?)(?: port (\d+))?: ?(\d+): ?(.*)$/,
    samples: ["Received disconnect from 203.0.113.9 port 52144:11: Bye Bye [preauth]", "Received disconnect from 10.0.0.1: 11: disconnected by user"],
    pieces: ["Received disconnect from ", " port ", "1", ":", " ", "a", "\r", LS],
    hostile: `Received disconnect from ${":1".repeat(200_000)}${LS}`,
    expected: null,
  },
  {
    file: "logs/parsers/sshd.ts",
    old: /^User (.*?)(?: from (\S+))? not allowed because (.*)$/,
    samples: ["User root from 203.0.113.9 not allowed because not listed in AllowUsers", "User bob not allowed because shell /bin/false is not executable"],
    pieces: ["User ", " from ", " not allowed because ", "a", " ", "\r", LS],
    hostile: `User ${" not allowed because ".repeat(40_000)}${LS}`,
    expected: null,
  },
  {
    file: "logs/parsers/syslog.ts",
    old: /^(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? (?:(\S*[^\s:\]]) )?(?:\[([\w-]+)\]:?|([^\s:[]+)(?:\[(\d*)\])?:) ?(.*)$/,
    samples: ["Mar  3 00:17:22 [sshd]: Accepted", "Nov 23 21:50:19 sshd[8148]: Failed password", "Jul  1 22:13:21 host sshd[1]: x", "Jul  1 22:13:21 host [sshd] msg"],
    pieces: ["Jan  1 00:00:00 ", "Jan 12 00:00:00.1 ", "a", ":", "[", "]", " ", "1", "\r", LS, "-"],
    // The old pattern was linear in practice (host and tag have few readings); rewritten so the checker can tell.
    hostile: `Jan  1 00:00:00 h t:${" a:".repeat(100_000)}${LS}`,
    expected: null,
  },
];

function groups(m: RegExpExecArray | null, emptyGroup?: number): (string | undefined)[] | null {
  if (!m) return null;
  const out = [...m].slice(1);
  if (emptyGroup !== undefined) out[emptyGroup - 1] ??= "";
  return out;
}

/** The literal of the file that gives what the old pattern gave on every sample (and is not the old pattern). */
function rewriteOf(site: Site): RegExp {
  const file = src(site.file);
  const literals = regexLiterals(dirname(file)).filter((l) => l.file === file && !(l.source === site.old.source && l.flags === site.old.flags));
  expect(site.samples.some((s) => site.old.test(s)), "a sample matches").toBe(true);
  const found = literals
    .map((l) => new RegExp(l.source, l.flags))
    .filter((re) => site.samples.every((s) => JSON.stringify(groups(re.exec(s), site.emptyGroup)) === JSON.stringify(groups(site.old.exec(s)))));
  expect(found.length, `the rewrite of /${site.old.source}/ in ${site.file}`).toBe(1);
  return found[0]!;
}

describe("rewritten regex literals", () => {
  for (const site of SITES) {
    it(`${site.file}: /${site.old.source.slice(0, 60)}…/ gives what it gave, and reads a hostile line in one pass`, () => {
      const re = rewriteOf(site);
      const line = fc.array(fc.constantFrom(...site.pieces), { maxLength: 12 }).map((a) => a.join(""));
      fc.assert(
        fc.property(line, (text) => {
          expect(groups(re.exec(text), site.emptyGroup), JSON.stringify(text)).toEqual(groups(site.old.exec(text)));
        }),
        { numRuns: 2000, seed: 16 },
      );
      expect(groups(re.exec(site.hostile), site.emptyGroup)).toEqual(site.expected);
    });
  }
});

describe("the code around them, on hostile input", () => {
  const root = mkdtempSync(join(tmpdir(), "exfilscan-rewrites-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("requirement lines with a long blank run before a line separator", () => {
    const line = `a${spaces(100_000)}x\ry`;
    expect(parsePipRequirement(line)).toMatchObject({ kind: "other" });
    const parsed = parseRequirements("/r/requirements.txt", `${line}\nrequests==2.31.0\n`);
    expect(parsed.packages.map((p) => `${p.name}@${p.version ?? ""}`)).toEqual(["requests@2.31.0"]);
    expect(parsed.problems.map((p) => p.line)).toEqual([1]);
    expect(pinLine(`a${spaces(200_000)}x\nrequests==2.31.0\n`, { ecosystem: "pypi", name: "requests", version: "2.31.0" })).toBe(2);
  });

  it("a build path with a long run of version-like parts", () => {
    expect(isInstallScriptDir(`/tmp/x${"-1".repeat(200_000)}`, { ecosystem: "pypi", name: "x" })).toBe(false);
    expect(isInstallScriptDir(`/tmp/x${"-1".repeat(200_000)}/setup.py`, { ecosystem: "pypi", name: "x" })).toBe(true);
  });

  it("sshd_config, pip.conf and a shell hook block with hostile lines", () => {
    const base = defaultPenaltyConfig();
    const sshd = `${`a${spaces(100_000)}b${LS}c`}\nPerSourcePenalties crash:7\n`;
    expect(penaltyConfigFromSshdConfig(sshd, base)).toEqual({ ...base, crash: 7 });

    const conf = join(root, "pip.conf");
    writeFileSync(conf, `[global]\nindex-url=${spaces(200_000)}x${LS}y\nextra-index-url = https://extra.example/simple\n`);
    expect(loadPipIndexConfig({ PIP_CONFIG_FILE: conf, HOME: root, XDG_CONFIG_HOME: root })).toEqual({ extra: ["https://extra.example/simple"] });

    const home = join(root, "home");
    mkdirSync(home);
    writeFileSync(join(home, ".bashrc"), `# >>> exfilscan guard hook >>>\nnpm() { ${"then ".repeat(200_000)}\n# <<< exfilscan guard hook <<<\n`);
    const bash = hookStatus(home, { HOME: home, XDG_CONFIG_HOME: join(home, ".config") }).find((s) => s.shell === "bash");
    expect(bash).toMatchObject({ installed: true });
    expect(bash?.runs).toBeUndefined();
  });
});

describe("versions in patterns built at run time", () => {
  it("a version is matched literally in a lockfile line (build metadata, or a hostile version from a log)", () => {
    const pnpm = "  /widget@1.0.0+build.1:\n    resolution: {integrity: sha512-x}\n";
    expect(pinLine(pnpm, { ecosystem: "npm", name: "widget", version: "1.0.0+build.1" })).toBe(1);
    expect(pinLine("  /widget@1.0.00build.1:\n", { ecosystem: "npm", name: "widget", version: "1.0.0+build.1" })).toBeUndefined();
    // As a pattern this would be exponential on the line below; as text it simply is not there.
    expect(pinLine(`  /widget@${"a".repeat(40)}!\n`, { ecosystem: "npm", name: "widget", version: "(a+)+$" })).toBeUndefined();
  });
});
