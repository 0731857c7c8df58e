// When the warm fast path may run npm in its own process: only when spawning `npm` would run
// npm's npm-cli.js under this very Node with no other options.
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findOnPath, inlineNpmCli } from "../../src/guard/npm-inline.js";

let root: string;
let bin: string;
let cli: string;

const executable = (file: string, text: string) => {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, 0o755);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "exfilscan-npm-inline-"));
  bin = join(root, "bin");
  cli = join(root, "lib", "node_modules", "npm", "bin", "npm-cli.js");
  executable(cli, "#!/usr/bin/env node\nrequire('../lib/cli.js')(process)\n");
  mkdirSync(bin);
  symlinkSync(cli, join(bin, "npm"));
  symlinkSync(process.execPath, join(bin, "node"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const decide = (path: string | undefined, execArgv: string[] = [], program = "npm") => inlineNpmCli(program, root, path === undefined ? {} : { PATH: path }, process.execPath, execArgv);

describe("running npm in the guard's process", () => {
  it("when PATH's npm is npm-cli.js and PATH's node is this Node", () => {
    expect(decide(bin)).toBe(realpathSync(cli));
    expect(decide(`${bin}:/usr/bin`, [], join(bin, "npm"))).toBe(realpathSync(cli)); // a path to npm, as typed
  });

  it("not when the guard runs with Node options of its own (npm would start without them)", () => {
    expect(decide(bin, ["--max-old-space-size=64"])).toBeUndefined();
  });

  it("not when PATH's node is another program", () => {
    const other = join(root, "other");
    executable(join(other, "node"), "#!/bin/sh\nexec true\n");
    symlinkSync(cli, join(other, "npm"));
    expect(decide(other)).toBeUndefined();
    expect(decide(`${other}:${bin}`)).toBeUndefined();
  });

  it("not when npm is a wrapper, a shim or npm-cli.js with another first line", () => {
    const wrap = join(root, "wrap");
    executable(join(wrap, "npm"), "#!/bin/sh\nexec node \"$0\"-cli.js \"$@\"\n");
    symlinkSync(process.execPath, join(wrap, "node"));
    expect(decide(wrap)).toBeUndefined();
    const flags = join(root, "flags", "npm", "bin", "npm-cli.js");
    executable(flags, "#!/usr/bin/env -S node --no-warnings\n");
    const flagsBin = join(root, "flags-bin");
    mkdirSync(flagsBin);
    symlinkSync(flags, join(flagsBin, "npm"));
    symlinkSync(process.execPath, join(flagsBin, "node"));
    expect(decide(flagsBin)).toBeUndefined();
  });

  it("not without a PATH or an npm on it", () => {
    expect(decide(undefined)).toBeUndefined();
    expect(decide(join(root, "empty"))).toBeUndefined();
  });

  it("finds programs as execvp does: the first executable file of that name", () => {
    const first = join(root, "first");
    mkdirSync(join(first, "npm"), { recursive: true }); // a directory of that name
    const second = join(root, "second");
    mkdirSync(second);
    writeFileSync(join(second, "npm"), "not executable\n");
    expect(findOnPath("npm", root, `${first}:${second}:${bin}`)).toBe(join(bin, "npm"));
    expect(findOnPath("./bin/npm", root, "")).toBe(join(bin, "npm"));
  });
});
