// Issue #16, part 4 (config): an ignore file or signature file too large to parse safely
// is refused before it is read, and a YAML file in a --signatures directory that the
// loader would not read is an error naming it, never silently ignored.
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadIgnoreFile } from "../../src/ignore/load.js";
import { loadSignatures, MAX_CONFIG_BYTES } from "../../src/rules/signatures.js";

const root = mkdtempSync(join(tmpdir(), "exfilscan-config-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("configuration files from an untrusted checkout", () => {
  it("refuses a 13 MB ignore file before reading it", () => {
    const file = join(root, "big.exfilscanignore");
    writeFileSync(file, "- rule: credential-exfiltration\n");
    truncateSync(file, 13 * 1024 * 1024);
    expect(() => loadIgnoreFile(file, new Set(["credential-exfiltration"]))).toThrow(new RegExp(`over the ${MAX_CONFIG_BYTES}-byte cap`));
  });

  it("refuses an ignore file that is not a regular file", () => {
    expect(() => loadIgnoreFile("/dev/zero", new Set())).toThrow(/not a regular file/);
  });

  it("reports a YAML file in a --signatures directory that the loader does not read", () => {
    for (const [name, body] of [
      ["sources.yml", "credentialFiles: []\n"],
      ["rules/extra/my-rule.yaml", "id: my-rule\n"],
      ["Sinks.YAML", "js: {}\n"],
    ] as const) {
      const dir = join(root, `sig-${name.replace(/\W/g, "_")}`);
      mkdirSync(join(dir, name, ".."), { recursive: true });
      writeFileSync(join(dir, name), body);
      expect(() => loadSignatures([dir])).toThrow(/not read/);
      expect(() => loadSignatures([dir])).toThrow(name.split("/").at(-1)!);
    }
  });

  it("still loads a signature directory holding only files it reads", () => {
    const dir = join(root, "sig-ok");
    mkdirSync(join(dir, "rules"), { recursive: true });
    writeFileSync(join(dir, "README.md"), "notes\n");
    expect(() => loadSignatures([dir])).not.toThrow();
  });
});
