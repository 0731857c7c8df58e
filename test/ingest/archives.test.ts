import { mkdtempSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, loadArchive, loadTarget } from "../../src/ingest/index.js";
import { safeRelativePath, linkStaysInside } from "../../src/ingest/limits.js";
import { makeTar, makeZip } from "../helpers/archives.js";

const manifest = JSON.stringify({ name: "demo", version: "1.2.3", main: "index.js" });

describe("safe paths", () => {
  it.each([
    ["package/index.js", "package/index.js"],
    ["./a/./b.js", "a/b.js"],
    ["../evil.js", undefined],
    ["a/../../evil.js", undefined],
    ["/etc/passwd", undefined],
    ["C:\\Windows\\x", undefined],
    ["a\0b", undefined],
  ])("%s → %s", (raw, expected) => {
    expect(safeRelativePath(raw)).toBe(expected);
  });

  it("judges link targets from the link's own folder", () => {
    expect(linkStaysInside("lib/a.js", "../index.js")).toBe(true);
    expect(linkStaysInside("lib/a.js", "../../outside")).toBe(false);
    expect(linkStaysInside("a.js", "/etc/shadow")).toBe(false);
  });
});

describe("tarballs", () => {
  it("reads an npm tarball, strips package/ and reads name and version", async () => {
    const data = makeTar([
      { path: "package/package.json", content: manifest },
      { path: "package/index.js", content: "module.exports = 1;\n" },
    ]);
    const pkg = await loadArchive("demo.tgz", "demo.tgz", data, DEFAULT_LIMITS);
    expect([...pkg.files.keys()].sort()).toEqual(["index.js", "package.json"]);
    expect(pkg).toMatchObject({ ecosystem: "npm", name: "demo", version: "1.2.3", errors: [] });
  });

  it("skips a crafted ../ entry and reports it, keeping the rest", async () => {
    const data = makeTar([
      { path: "package/package.json", content: manifest },
      { path: "package/../../../tmp/pwned.js", content: "x" },
    ]);
    const pkg = await loadArchive("evil.tgz", "evil.tgz", data, DEFAULT_LIMITS);
    expect([...pkg.files.keys()]).toEqual(["package.json"]);
    expect(pkg.errors.map((e) => e.message).join("\n")).toMatch(/escapes the package/);
  });

  it("skips symlinks and hardlinks pointing outside, and reports them", async () => {
    const data = makeTar([
      { path: "package/package.json", content: manifest },
      { path: "package/key", type: "SymbolicLink", linkpath: "/home/user/.ssh/id_rsa" },
      { path: "package/up", type: "SymbolicLink", linkpath: "../../../etc/shadow" },
      { path: "package/hard", type: "Link", linkpath: "../etc/passwd" },
      { path: "package/fine", type: "SymbolicLink", linkpath: "package.json" },
    ]);
    const pkg = await loadArchive("links.tgz", "links.tgz", data, DEFAULT_LIMITS);
    // A link inside the package is read as a copy of its target (pip extracts it), with a note.
    expect([...pkg.files.keys()]).toEqual(["package.json", "fine"]);
    expect(pkg.files.get("fine")).toEqual(pkg.files.get("package.json"));
    const messages = pkg.errors.map((e) => `${e.file}: ${e.message}`);
    expect(messages.filter((m) => /points outside/.test(m))).toHaveLength(3);
    expect(messages.filter((m) => m.startsWith("fine:"))).toEqual(["fine: note: symlink to package.json inside the package; read as a copy of it (pip extracts such links)"]);
  });

  it("stops at the total-bytes cap and at the file-count cap", async () => {
    const files = Array.from({ length: 10 }, (_, i) => ({ path: `package/f${i}.js`, content: "x".repeat(1000) }));
    const data = makeTar([{ path: "package/package.json", content: manifest }, ...files]);
    const bytesCapped = await loadArchive("big.tgz", "big.tgz", data, { ...DEFAULT_LIMITS, maxTotalBytes: 3500 });
    expect(bytesCapped.errors.some((e) => /bytes in total/.test(e.message))).toBe(true);
    expect(bytesCapped.bytes).toBeLessThanOrEqual(3500);
    const countCapped = await loadArchive("many.tgz", "many.tgz", data, { ...DEFAULT_LIMITS, maxFiles: 4 });
    expect(countCapped.files.size).toBe(4);
    expect(countCapped.errors.some((e) => /more than 4 files/.test(e.message))).toBe(true);
  });

  it("treats a highly compressible archive as a bomb", async () => {
    const data = makeTar([
      { path: "package/package.json", content: manifest },
      { path: "package/zeros.js", content: Buffer.alloc(8 * 1024 * 1024) },
    ]);
    expect(data.length).toBeLessThan(100_000);
    const pkg = await loadArchive("bomb.tgz", "bomb.tgz", data, DEFAULT_LIMITS);
    expect(pkg.files.has("zeros.js")).toBe(false);
    expect(pkg.errors.some((e) => /archive bomb/.test(e.message))).toBe(true);
  });

  it("skips one file over the per-file cap and keeps the others", async () => {
    const data = makeTar([
      { path: "package/package.json", content: manifest },
      { path: "package/huge.js", content: "y".repeat(5000) },
      { path: "package/small.js", content: "1" },
    ]);
    const pkg = await loadArchive("x.tgz", "x.tgz", data, { ...DEFAULT_LIMITS, maxFileBytes: 4096 });
    expect([...pkg.files.keys()].sort()).toEqual(["package.json", "small.js"]);
    expect(pkg.errors).toEqual([expect.objectContaining({ file: "huge.js", message: expect.stringMatching(/per-file cap/) })]);
  });

  it("rejects a corrupt archive with a clear error", async () => {
    await expect(loadArchive("bad.tgz", "bad.tgz", Buffer.from("this is not a tarball at all"), DEFAULT_LIMITS)).rejects.toThrow(
      /tar archive|no readable files/,
    );
  });
});

describe("zip, wheels and directories", () => {
  it("reads a wheel without a top folder and finds its metadata", async () => {
    const data = makeZip({
      "demo/__init__.py": "import os\n",
      "demo-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: demo\nVersion: 0.1\n",
    });
    const pkg = await loadArchive("demo-0.1-py3-none-any.whl", "demo-0.1-py3-none-any.whl", data, DEFAULT_LIMITS);
    expect(pkg).toMatchObject({ ecosystem: "pypi", name: "demo", version: "0.1" });
  });

  it("skips escaping zip entries", async () => {
    const data = makeZip({ "ok.py": "x = 1\n", "../../evil.py": "y = 2\n" });
    const pkg = await loadArchive("z.zip", "z.zip", data, DEFAULT_LIMITS);
    expect([...pkg.files.keys()]).toEqual(["ok.py"]);
    expect(pkg.errors[0]?.message).toMatch(/escapes/);
  });

  it("reads a directory without following symlinks or entering node_modules", async () => {
    const root = mkdtempSync(join(tmpdir(), "exfilscan-dir-"));
    writeFileSync(join(root, "package.json"), manifest);
    writeFileSync(join(root, "index.js"), "1");
    mkdirSync(join(root, "node_modules", "dep"), { recursive: true });
    writeFileSync(join(root, "node_modules", "dep", "index.js"), "2");
    symlinkSync("/etc/passwd", join(root, "passwd"));
    const pkg = await loadTarget(root, DEFAULT_LIMITS);
    expect([...pkg.files.keys()].sort()).toEqual(["index.js", "package.json"]);
    expect(pkg.errors.map((e) => e.file)).toEqual(["passwd"]);
  });

  it("fails clearly on a missing target", async () => {
    await expect(loadTarget("/nonexistent/pkg.tgz", DEFAULT_LIMITS)).rejects.toThrow(/no such file/);
  });
});
