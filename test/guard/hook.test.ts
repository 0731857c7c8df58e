import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hookBody, hookStatus, installHook, rcFile, uninstallHook } from "../../src/guard/hook.js";

let home: string;
const env = {} as NodeJS.ProcessEnv;
const GUARD = ["/usr/bin/node", "/opt/exfil scan/cli.js"];
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "exfilscan-hook-"));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe("hook install / uninstall", () => {
  it.each([
    ["ends with a newline", "export PATH=$HOME/bin:$PATH\nalias ll='ls -l'\n"],
    ["no final newline", "export A=1"],
    ["empty file", ""],
  ])("bash rc %s: install twice, uninstall → byte-identical", (_label, original) => {
    const file = join(home, ".bashrc");
    writeFileSync(file, original);
    expect(installHook("bash", home, GUARD, env).changed).toBe(true);
    const once = readFileSync(file, "utf8");
    expect(once.startsWith(original)).toBe(true);
    expect(installHook("bash", home, GUARD, env).changed).toBe(false);
    expect(readFileSync(file, "utf8")).toBe(once);
    expect(hookStatus(home, env).find((s) => s.shell === "bash")).toMatchObject({ installed: true, runs: "'/usr/bin/node' '/opt/exfil scan/cli.js'" });
    expect(uninstallHook("bash", home, env).changed).toBe(true);
    expect(readFileSync(file, "utf8")).toBe(original);
    expect(uninstallHook("bash", home, env).changed).toBe(false);
  });

  it("lines the user adds after the block survive uninstall; a created file is removed again", () => {
    const zshrc = rcFile("zsh", home, env);
    installHook("zsh", home, GUARD, env);
    writeFileSync(zshrc, `${readFileSync(zshrc, "utf8")}export LATER=1\n`);
    uninstallHook("zsh", home, env);
    expect(readFileSync(zshrc, "utf8")).toBe("export LATER=1\n");
    const fish = rcFile("fish", home, env);
    installHook("fish", home, GUARD, env);
    expect(existsSync(fish)).toBe(true);
    uninstallHook("fish", home, env);
    expect(existsSync(fish)).toBe(false);
  });

  it("re-install refreshes the command in place", () => {
    const file = join(home, ".bashrc");
    writeFileSync(file, "A=1\n");
    installHook("bash", home, GUARD, env);
    writeFileSync(file, `${readFileSync(file, "utf8")}B=2\n`);
    installHook("bash", home, ["/new/node", "/new/cli.js"], env);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("'/new/cli.js' guard -- npm");
    expect(text).not.toContain("/opt/exfil scan");
    expect(text.endsWith("B=2\n")).toBe(true);
  });

  it("an unclosed block is an error and nothing changes", () => {
    const file = join(home, ".bashrc");
    writeFileSync(file, "# >>> exfilscan guard hook >>>\nbroken\n");
    expect(() => installHook("bash", home, GUARD, env)).toThrow(/not closed/);
    expect(readFileSync(file, "utf8")).toBe("# >>> exfilscan guard hook >>>\nbroken\n");
  });
});

describe("the bash functions", () => {
  // A fake guard records its arguments; a fake npm records that it was called directly.
  it("route install verbs to the guard and everything else to the real command, keeping arguments and exit codes", () => {
    const bin = join(home, "bin");
    mkdirSync(bin);
    const fake = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    };
    fake("fakeguard", `printf 'guard:%s|' "$@" >> "${home}/log"; exit 7`);
    fake("npm", `printf 'npm:%s|' "$@" >> "${home}/log"; exit 3`);
    const script = `${hookBody("bash", [join(bin, "fakeguard")])}\nnpm install 'a b' -D; echo "rc=$?" >> "${home}/log"\nnpm run build; echo "rc=$?" >> "${home}/log"\nEXFILSCAN_GUARD_OFF=1 npm i x; echo "rc=$?" >> "${home}/log"\n`;
    const r = spawnSync("bash", ["-c", script], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(readFileSync(join(home, "log"), "utf8")).toBe(
      "guard:guard|guard:--|guard:npm|guard:install|guard:a b|guard:-D|rc=7\nnpm:run|npm:build|rc=3\nnpm:i|npm:x|rc=3\n",
    );
  });
});
