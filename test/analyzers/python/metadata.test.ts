import { describe, expect, it } from "vitest";
import { readPythonMetadata } from "../../../src/ingest/python-metadata.js";

const files = (entries: Record<string, string>): Map<string, Buffer> =>
  new Map(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v)]));

describe("readPythonMetadata", () => {
  it("reads PKG-INFO headers (and ignores the description body)", () => {
    expect(readPythonMetadata(files({ "pkg-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: ssh-decorate\nVersion: 0.0.3\n\nName: not-this\n" }))).toEqual({ name: "ssh-decorate", version: "0.0.3" });
  });

  it("reads a wheel's dist-info METADATA and an egg's EGG-INFO/PKG-INFO", () => {
    expect(readPythonMetadata(files({ "x-2.0.dist-info/METADATA": "Name: x\nVersion: 2.0\n", "x/__init__.py": "" }))).toEqual({ name: "x", version: "2.0" });
    expect(readPythonMetadata(files({ "EGG-INFO/PKG-INFO": "Name: egg\nVersion: 0.1\n" }))).toEqual({ name: "egg", version: "0.1" });
  });

  it("reads [project] from pyproject.toml, not other tables", () => {
    const toml = `[build-system]\nrequires = ["setuptools"]\nname = "wrong"\n\n[project]\nname = "fancy-pkg"  # comment\nversion = '1.2.3'\n\n[tool.x]\nversion = "9"\n`;
    expect(readPythonMetadata(files({ "pyproject.toml": toml }))).toEqual({ name: "fancy-pkg", version: "1.2.3" });
  });

  it("reads setup.cfg [metadata], skipping attr: directives", () => {
    expect(readPythonMetadata(files({ "setup.cfg": "[metadata]\nname = cfgpkg\nversion = attr: cfgpkg.__version__\n[options]\nname = no\n" }))).toEqual({ name: "cfgpkg" });
  });

  it("reads literal name=/version= from setup.py", () => {
    expect(readPythonMetadata(files({ "setup.py": `from setuptools import setup\nsetup(\n    name='legacy',\n    version="0.9",\n)\n` }))).toEqual({ name: "legacy", version: "0.9" });
  });

  it("prefers PKG-INFO over setup.py, and returns {} when nothing answers", () => {
    expect(readPythonMetadata(files({ "setup.py": "setup(name='a', version='1')", "PKG-INFO": "Name: b\nVersion: 2\n" }))).toEqual({ name: "b", version: "2" });
    expect(readPythonMetadata(files({ "README": "hello" }))).toEqual({});
  });
});
