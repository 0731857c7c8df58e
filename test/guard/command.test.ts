import { describe, expect, it } from "vitest";
import { npmInstallFlags, parseCommand, parseNpmSpec, parsePipRequirement, pinnedVersion, pipCommandIndexes, suggestSpec } from "../../src/guard/command.js";

const names = (argv: string[]) => parseCommand(argv).npmSpecs.map((s) => `${s.name ?? s.raw}${s.range ? `@${s.range}` : ""}`);

describe("npm-family commands", () => {
  it.each([
    [["npm", "install", "left-pad"], "install"],
    [["npm", "i", "left-pad"], "install"],
    [["npm", "add", "left-pad"], "install"],
    [["npm", "isntall", "left-pad"], "install"],
    [["npm", "ci"], "ci"],
    [["npm", "clean-install"], "ci"],
    [["npm", "update"], "update"],
    [["npm", "exec", "cowsay"], "exec"],
    [["npx", "cowsay", "hi"], "exec"],
    [["pnpm", "add", "x"], "install"],
    [["pnpm", "install"], "install"],
    [["pnpm", "dlx", "x"], "exec"],
    [["yarn", "add", "x"], "install"],
    [["yarn"], "install"],
    [["yarn", "dlx", "x"], "exec"],
    [["npm", "run", "build"], "passthrough"],
    [["npm", "test"], "passthrough"],
    [["npm"], "passthrough"],
    [["pnpm", "run", "x"], "passthrough"],
    [["yarn", "build"], "passthrough"],
    [["npm", "install", "--help"], "passthrough"],
    [["npm", "i", "left-pad", "-h"], "passthrough"],
    [["pnpm", "add", "--help"], "passthrough"],
    [["yarn", "add", "x", "--help"], "passthrough"],
    [["npx", "cowsay", "--help"], "exec"],
  ])("%j → %s", (argv, action) => {
    expect(parseCommand(argv).action).toBe(action);
  });

  it("reads ranges, dist-tags, scopes and aliases", () => {
    expect(names(["npm", "install", "axios@^1.6.0", "@types/node@20", "left-pad", "react@next", "@scope/pkg"])).toEqual([
      "axios@^1.6.0", "@types/node@20", "left-pad", "react@next", "@scope/pkg",
    ]);
    expect(parseNpmSpec("x@npm:lodash@4")).toMatchObject({ kind: "alias", name: "x", range: "npm:lodash@4" });
    for (const other of ["github:a/b", "a/b", "./local", "../x", "file:../y", "https://h/x.tgz", "x.tgz", "git+ssh://g/x.git", "x@git+https://h/x", "x@git://h/x.git", "x@gitlab:a/b", "x@a/b", "x@link:../z", "x@../z", "ssh://git@github.com/u/r.git", "gist:abc123", "foo@git@github.com:u/r.git", "foo@patch:bar@1.0.0#./p.patch", "GIT+ssh://x/y", "~/x", "X.TGZ"]) {
      expect(parseNpmSpec(other).kind, other).toBe("other");
    }
  });

  it("flags: save flags, global, values that are not packages, unknown flags kept", () => {
    const c = parseCommand(["npm", "--registry", "http://r/", "install", "-D", "--save-exact", "--legacy-peer-deps", "--omit", "dev", "x@1"]);
    expect(c.action).toBe("install");
    expect(c.npmSpecs.map((s) => s.raw)).toEqual(["x@1"]);
    expect(c.saveFlags).toEqual(["-D", "--save-exact"]);
    expect(c.global).toBe(false);
    expect(c.args).toEqual(["--registry", "http://r/", "-D", "--save-exact", "--legacy-peer-deps", "--omit", "dev", "x@1"]);
    expect(npmInstallFlags(c)).toEqual(["--registry", "http://r/", "--legacy-peer-deps", "--omit", "dev"]);
    expect(parseCommand(["npm", "-g", "i", "typescript"]).global).toBe(true);
    expect(parseCommand(["npm", "i", "--location=global", "typescript"]).global).toBe(true);
    expect(parseCommand(["npm", "i", "--tag=beta", "x"]).npmSpecs.map((s) => s.raw)).toEqual(["x"]);
  });

  it("npx: the first word is the package, the rest belongs to the command", () => {
    const c = parseCommand(["npx", "-y", "cowsay@1", "--bold", "hello"]);
    expect(c.npmSpecs.map((s) => s.raw)).toEqual(["cowsay@1"]);
    expect(c.execArgs).toEqual(["--bold", "hello"]);
    const p = parseCommand(["npm", "exec", "--package=a", "-p", "b", "--", "tool", "arg"]);
    expect(p.npmSpecs.map((s) => s.raw)).toEqual(["a", "b"]);
    expect(p.execArgs).toEqual(["tool", "arg"]);
  });
});

describe("pip-family commands", () => {
  it("indexes as pip picks them: -i replaces the configured index, extras add, --no-index reads none", () => {
    const conf = { index: "https://mirror.example/simple", extra: ["https://a.example/simple"] };
    expect(pipCommandIndexes(parseCommand(["pip", "install", "x"]), { extra: [] })).toEqual(["https://pypi.org/simple"]);
    expect(pipCommandIndexes(parseCommand(["pip", "install", "x"]), conf)).toEqual(["https://mirror.example/simple", "https://a.example/simple"]);
    expect(pipCommandIndexes(parseCommand(["pip", "install", "-i", "http://cli.example/simple", "x"]), conf)).toEqual(["http://cli.example/simple", "https://a.example/simple"]);
    expect(pipCommandIndexes(parseCommand(["pip", "install", "--extra-index-url=http://b.example/simple", "x"]), conf)).toEqual(["https://mirror.example/simple", "https://a.example/simple", "http://b.example/simple"]);
    expect(pipCommandIndexes(parseCommand(["uv", "pip", "install", "--default-index", "http://u.example/simple", "x"]), conf)[0]).toBe("http://u.example/simple");
    expect(pipCommandIndexes(parseCommand(["pip", "install", "--no-index", "-i", "http://cli.example/simple", "x"]), conf)).toEqual([]);
  });

  it("pip, pip3, python -m pip, uv pip, uv add", () => {
    expect(parseCommand(["pip", "install", "requests"]).action).toBe("install");
    expect(parseCommand(["pip3.11", "install", "requests"]).manager).toBe("pip");
    const m = parseCommand(["python3", "-m", "pip", "install", "x"]);
    expect(m).toMatchObject({ action: "install", program: "python3", prefix: ["-m", "pip"] });
    expect(parseCommand(["python", "script.py"]).action).toBe("passthrough");
    expect(parseCommand(["uv", "pip", "install", "x"])).toMatchObject({ manager: "uv", action: "install", prefix: ["pip"] });
    expect(parseCommand(["uv", "add", "x"])).toMatchObject({ manager: "uv", action: "install", verb: "add" });
    expect(parseCommand(["uv", "sync"]).action).toBe("passthrough");
    expect(parseCommand(["pip", "list"]).action).toBe("passthrough");
    expect(parseCommand(["pip", "download", "x"]).action).toBe("passthrough");
  });

  it("requirements, extras, markers, files and flags", () => {
    const c = parseCommand(["pip", "install", "-U", "-r", "req.txt", "--requirement=dev.txt", "-c", "cons.txt", "--index-url", "http://i/simple", "requests[socks,security]>=2.31", "ssh-decorate==0.0.3", "pkg; python_version<'3.12'", "--user"]);
    expect(c.requirementFiles).toEqual(["req.txt", "dev.txt"]);
    expect(c.constraintFiles).toEqual(["cons.txt"]);
    expect(c.global).toBe(true);
    expect(c.pipRequirements.map((r) => [r.name, r.extras, r.specifier, r.marker])).toEqual([
      ["requests", ["socks", "security"], ">=2.31", undefined],
      ["ssh-decorate", [], "==0.0.3", undefined],
      ["pkg", [], "", "python_version<'3.12'"],
    ]);
    expect(pinnedVersion(parsePipRequirement("a==1.2"))).toBe("1.2");
    expect(pinnedVersion(parsePipRequirement("a>=1.2"))).toBeUndefined();
    expect(pinnedVersion(parsePipRequirement("a==1.*"))).toBeUndefined();
    for (const other of ["git+https://h/x.git", "./dir", "x.whl", "name @ https://h/x.whl", "https://h/x.tar.gz"]) expect(parsePipRequirement(other).kind, other).toBe("other");
    expect(parseCommand(["pip", "install", "-e", "."]).pipRequirements[0]!.kind).toBe("other");
  });

  it("an unknown program is an error naming what is guarded", () => {
    expect(() => parseCommand(["cargo", "install", "x"])).toThrow(/guards npm, npx, pnpm, yarn, pip/);
    expect(() => parseCommand([])).toThrow(/no command/);
  });
});

describe("scan suggestions", () => {
  it.each([
    ["left-pad", "npm:left-pad"],
    ["left-pad@1.3.0", "npm:left-pad@1.3.0"],
    ["@types/node", "npm:@types/node"],
    ["ssh-decorate==0.0.3", "pypi:ssh-decorate@0.0.3"],
    ["./pkg", undefined],
    ["pkg.tgz", undefined],
    ["npm:x", undefined],
    ["dir/sub", undefined],
  ])("%s → %s", (input, suggestion) => {
    expect(suggestSpec(input)).toBe(suggestion);
  });
});
