// Inputs found by `npm run fuzz` (scripts/fuzz.mjs), each kept as a fixed regression.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { makeTarBytes } from "../../scripts/gen-hostile.mjs";
import { DEFAULT_LIMITS, loadTarget } from "../../src/ingest/index.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { scanTargets } from "../../src/scan.js";

const root = mkdtempSync(join(tmpdir(), "exfilscan-fuzzreg-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("fuzz regressions", () => {
  // seed 7, case 3: a .tgz whose gzip CRC-32 is wrong destroyed the Gunzip without calling
  // the pending write's callback; the reader waited forever and the process exited (code 13)
  // with no report at all.
  it("a .tgz with a bad gzip CRC is an error on that target, and the other targets are still reported", async () => {
    const tgz = gzipSync(makeTarBytes([{ name: "package/package.json", content: '{"name":"a","version":"1.0.0"}' }]));
    tgz.writeUInt32LE((tgz.readUInt32LE(tgz.length - 8) ^ 0xffffffff) >>> 0, tgz.length - 8);
    const bad = join(root, "bad-crc.tgz");
    writeFileSync(bad, tgz);
    await expect(loadTarget(bad, DEFAULT_LIMITS)).rejects.toThrow(/corrupt gzip stream: incorrect data check/);

    const good = join(root, "good.tgz");
    writeFileSync(good, gzipSync(makeTarBytes([{ name: "package/package.json", content: '{"name":"b","version":"1.0.0"}' }])));
    const report = await scanTargets([bad, good], { signatures: loadSignatures(), workers: 1 });
    expect(report.errors.find((e) => e.input === bad)?.message).toMatch(/incorrect data check/);
    expect(report.targets.map((t) => t.name)).toEqual(["b"]);
  });
});
