import { describe, expect, it } from "vitest";
import { releaseFilePattern } from "../../src/registry/locked.js";

describe("files of one release on a simple-index page", () => {
  it("wheels and sdists of that version, the name's separators as any of -_.", () => {
    const p = releaseFilePattern("ssh-decorate", "0.0.3");
    expect(["ssh_decorate-0.0.3-py3-none-any.whl", "ssh-decorate-0.0.3.tar.gz", "SSH.Decorate-0.0.3.zip"].filter((f) => p.test(f))).toHaveLength(3);
    expect(["ssh_decorate-0.0.30.tar.gz", "ssh_decorate-0.0.3.1.tar.gz", "ssh_decoratex-0.0.3.tar.gz", "ssh_decorate-0x0x3.tar.gz"].some((f) => p.test(f))).toBe(false);
  });

  it("the version is text, never a pattern: a local version matches itself, a hostile one matches nothing else", () => {
    expect(releaseFilePattern("pkg", "1.0+local").test("pkg-1.0+local.tar.gz")).toBe(true);
    expect(releaseFilePattern("pkg", "1.0+local").test("pkg-1.00local.tar.gz")).toBe(false);
    const hostile = releaseFilePattern("pkg", "(a+)+$");
    expect(hostile.test("pkg-(a+)+$.tar.gz")).toBe(true);
    expect(hostile.test("pkg-" + "a".repeat(40) + "!.tar.gz")).toBe(false);
    expect(() => releaseFilePattern("pkg", "1.0[")).not.toThrow();
  });
});
