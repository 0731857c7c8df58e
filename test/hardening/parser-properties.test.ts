// Issue #16: property-based checks (fast-check, fixed seeds so a failure reproduces) of the
// parsers that read hostile input: archive ingest (tar, tgz, zip), every log parser and every
// lockfile parser. Random and mutated input either parses or gives the typed/clear error;
// never another exception, never a path out of the package, never more than the caps allow.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { isIP } from "node:net";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { makeTarBytes, makeZipBytes } from "../../scripts/gen-hostile.mjs";
import { IngestError } from "../../src/core/errors.js";
import { DEFAULT_LIMITS, loadArchive, type IngestLimits } from "../../src/ingest/index.js";
import { isLockfileName, isRequirementsFile, parseLockfileText } from "../../src/deps/lockfiles/index.js";
import type { HostEvent } from "../../src/logs/events.js";
import { PARSERS } from "../../src/logs/parsers/index.js";

const FIXTURES = new URL("../../fixtures/", import.meta.url).pathname;

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full, keep));
    else if (keep(full)) out.push(full);
  }
  return out;
}

/** Text edits a fuzzer makes: replace, insert, delete, duplicate a slice, truncate. */
type Edit = { kind: "replace" | "insert" | "delete" | "duplicate" | "truncate"; at: number; length: number; text: string };
const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom("replace", "insert", "delete", "duplicate", "truncate"),
  at: fc.nat(),
  length: fc.integer({ min: 0, max: 40 }),
  text: fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.constantFrom("\0", "\n", "\r\n", '"', "'", "{", "}", "[", "]", ":", "=", "@", "#", "-", "  ", "\t", "\\", "\u202e", "\ud800", "1e400", "-1", "null", "999999999999999999999", "::", "256.1.1.1"),
  ),
});
function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of edits) {
    const at = out.length ? e.at % (out.length + 1) : 0;
    if (e.kind === "replace") out = out.slice(0, at) + e.text + out.slice(at + e.text.length);
    else if (e.kind === "insert") out = out.slice(0, at) + e.text + out.slice(at);
    else if (e.kind === "delete") out = out.slice(0, at) + out.slice(at + e.length);
    else if (e.kind === "duplicate") out = out.slice(0, at + e.length) + out.slice(at, at + e.length) + out.slice(at + e.length);
    else out = out.slice(0, at);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Archive ingest

const segment = fc.oneof(
  fc.constantFrom("..", ".", "", "a", "pkg", "package.json", "setup.py", "C:", "c:\\x", "..\\..", "\u202e", "é", "日本", "\x1b[2J", "a\nb", "\0"),
  fc.string({ minLength: 1, maxLength: 6 }),
);
/** Member names: relative, `../`, absolute, backslashes, control characters, unicode. */
const memberName = fc
  .tuple(fc.constantFrom("", "/", "\\", "../", "package/", "./", "C:/", "c:\\"), fc.array(segment, { minLength: 1, maxLength: 4 }), fc.constantFrom("/", "\\"))
  .map(([lead, parts, sep]) => lead + parts.join(sep))
  .filter((name) => Buffer.byteLength(name) <= 90 && name.length > 0);
const member = fc.record({ name: memberName, content: fc.uint8Array({ maxLength: 300 }) });
const limits: fc.Arbitrary<IngestLimits> = fc.record({
  maxFiles: fc.integer({ min: 1, max: 6 }),
  maxFileBytes: fc.integer({ min: 1, max: 400 }),
  maxTotalBytes: fc.integer({ min: 1, max: 1000 }),
  maxCompressionRatio: fc.constantFrom(2, 200),
});
/** Damage to the archive bytes: none, truncation, or bit flips. */
const damage = fc.oneof(
  fc.constant<{ cut?: number; flips: number[] }>({ flips: [] }),
  fc.record({ cut: fc.nat(), flips: fc.constant<number[]>([]) }),
  fc.record({ flips: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }) }),
);
function damaged(data: Buffer, d: { cut?: number; flips: number[] }): Buffer {
  let out = Buffer.from(data);
  if (d.cut !== undefined) out = out.subarray(0, d.cut % (out.length + 1));
  for (const f of d.flips) if (out.length) out[f % out.length]! ^= 1 << (f % 8);
  return out;
}
type Kind = "tar" | "tgz" | "zip" | "fflate-zip";
function build(kind: Kind, members: { name: string; content: Uint8Array }[]): { name: string; data: Buffer } {
  if (kind === "tar") return { name: "p.tar", data: makeTarBytes(members.map((m) => ({ name: m.name, content: Buffer.from(m.content) }))) };
  if (kind === "tgz") return { name: "p.tgz", data: gzipSync(makeTarBytes(members.map((m) => ({ name: m.name, content: Buffer.from(m.content) })))) };
  if (kind === "zip") return { name: "p.zip", data: makeZipBytes(members.map((m, i) => ({ name: m.name, content: Buffer.from(m.content), stored: i % 2 === 0 }))) };
  const tree: Record<string, Uint8Array> = {};
  for (const m of members) tree[m.name] = m.content;
  return { name: "p.whl", data: Buffer.from(zipSync(tree)) };
}

describe("property: archive ingest", () => {
  it("returns safe relative paths within the caps, or throws IngestError", async () => {
    let loaded = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Kind>("tar", "tgz", "zip", "fflate-zip"),
        fc.array(member, { minLength: 1, maxLength: 6 }),
        limits,
        damage,
        async (kind, members, caps, d) => {
          const archive = build(kind, members);
          const data = damaged(archive.data, d);
          let pkg;
          try {
            pkg = await loadArchive(archive.name, archive.name, data, caps);
          } catch (error) {
            expect(error, String(error)).toBeInstanceOf(IngestError);
            refused++;
            return;
          }
          if (pkg.files.size) loaded++;
          let total = 0;
          for (const [path, content] of pkg.files) {
            expect(path.startsWith("/") || /^[a-z]:/i.test(path), path).toBe(false);
            expect(path.split(/[\\/]/), path).not.toContain("..");
            expect(path.includes("\0"), path).toBe(false);
            expect(content.length).toBeLessThanOrEqual(caps.maxFileBytes);
            total += content.length;
          }
          expect(pkg.files.size).toBeLessThanOrEqual(caps.maxFiles);
          expect(total).toBeLessThanOrEqual(caps.maxTotalBytes);
        },
      ),
      { numRuns: 250, seed: 1601 },
    );
    // both sides of the property were exercised
    expect(loaded).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  });
});

describe("regression (found by the archive property)", () => {
  it("dropping the wrapper folder never turns a member into a drive-letter path", async () => {
    // " /C:" passed the reader's check (it starts with a space); stripping " /" left "C:".
    for (const kind of ["zip", "tgz"] as const) {
      const { name, data } = build(kind, [{ name: "package/C:/x.js", content: Buffer.from("1") }, { name: "package/index.js", content: Buffer.from("2") }]);
      const pkg = await loadArchive(name, name, data, DEFAULT_LIMITS);
      expect([...pkg.files.keys()].sort()).toEqual(["package/C:/x.js", "package/index.js"]);
    }
    const plain = build("zip", [{ name: "package/index.js", content: Buffer.from("2") }]);
    expect([...(await loadArchive(plain.name, plain.name, plain.data, DEFAULT_LIMITS)).files.keys()]).toEqual(["index.js"]);
  });
});

// ---------------------------------------------------------------------------------------
// Log parsers

const logFixtures = filesUnder(join(FIXTURES, "logs"), (f) => !f.endsWith(".expect.json") && !f.endsWith(".gz"));
const linesOf = (f: string) => readFileSync(f, "utf8").split("\n").filter((l) => l.trim() !== "");
const fixtureLines = logFixtures.flatMap(linesOf);
const REFERENCE = Date.parse("2025-06-01T00:00:00Z");

const randomLine = fc.string({ maxLength: 120 }).map((s) => s.replace(/\n/g, " "));
const mutate = (line: string, edits: Edit[]) => applyEdits(line, edits).replace(/\n/g, " ");
/** Any fixture line (any format), mutated, or a random line. */
const anyLine = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...fixtureLines), fc.array(edit, { maxLength: 4 })).map(([l, edits]) => mutate(l, edits)) },
  { weight: 1, arbitrary: randomLine },
);
/**
 * A run of consecutive lines of one of this format's fixtures (so Zeek headers and auditd
 * record groups stay in place), some lines mutated, some random lines interleaved.
 */
function ownLines(format: string): fc.Arbitrary<string[]> {
  const files = logFixtures.filter((f) => f.includes(`/logs/${format}/`)).map(linesOf);
  if (files.length === 0) return fc.array(anyLine, { minLength: 1, maxLength: 25 });
  return fc
    .tuple(fc.constantFrom(...files), fc.nat(), fc.array(fc.tuple(fc.array(edit, { maxLength: 3 }), fc.option(anyLine, { freq: 6 })), { minLength: 1, maxLength: 25 }))
    .map(([lines, start, steps]) => steps.flatMap(([edits, extra], i) => {
      const line = mutate(lines[(start + i) % lines.length]!, edits);
      return extra === null ? [line] : [line, extra];
    }));
}

function checkEvent(event: HostEvent, parser: string): void {
  const where = `${parser}: ${JSON.stringify(event)}`;
  expect(Number.isFinite(event.timestamp), where).toBe(true);
  if (event.sourceIp !== undefined) expect(isIP(event.sourceIp), where).not.toBe(0);
  if (event.destinationIp !== undefined) expect(isIP(event.destinationIp), where).not.toBe(0);
  if (event.sourcePort !== undefined) expect(Number.isInteger(event.sourcePort), where).toBe(true);
}

function parseAll(format: string, lines: string[]): HostEvent[] {
  const session = PARSERS.find((p) => p.name === format)!.open({ file: "r.log", referenceMs: REFERENCE, offsetMinutes: 0 });
  const out: HostEvent[] = [];
  lines.forEach((text, i) => session.line(text, i + 1, 0, out));
  session.end(out);
  return out;
}

describe("regression (found by the log parser property)", () => {
  it("ECS source.ip/destination.ip are normalised; a name is a domain, not an IP", () => {
    const doc = (source: string, destination: string) =>
      JSON.stringify({ "@timestamp": "2024-08-21T10:05:00.000Z", event: { category: ["network"], type: ["connection"] }, source: { ip: source }, destination: { ip: destination } });
    const [a, b] = parseAll("ecs", [doc("10.0.0.5", " 0.0.0.20"), doc("Attacker.Example", "::ffff:198.51.100.9")]);
    expect([a!.sourceIp, a!.destinationIp]).toEqual(["10.0.0.5", "0.0.0.20"]);
    expect([b!.sourceIp, b!.sourceDomain, b!.destinationIp]).toEqual([undefined, "attacker.example", "198.51.100.9"]);
  });
  it("a Zeek row whose addresses are not IPs gives no event", () => {
    const row = (orig: string) => JSON.stringify({ ts: 1724234700, uid: "C1", "id.orig_h": orig, "id.orig_p": 1, "id.resp_h": "10.0.0.1", "id.resp_p": 22, proto: "tcp", conn_state: "S0" });
    const events = parseAll("zeek", [row("203.0.113.5"), row("not an ip")]);
    expect(events.map((e) => e.sourceIp)).toEqual(["203.0.113.5"]);
  });
});

describe("property: log parsers", () => {
  it("has fixture lines for the parsers", () => {
    expect(fixtureLines.length).toBeGreaterThan(50);
    expect(PARSERS.length).toBeGreaterThanOrEqual(6);
  });
  for (const parser of PARSERS) {
    it(`${parser.name}: mutated fixture lines and random lines never throw; IPs valid, timestamps finite`, () => {
      let events = 0;
      fc.assert(
        fc.property(fc.oneof(ownLines(parser.name), fc.array(anyLine, { minLength: 1, maxLength: 25 })), fc.integer({ min: -720, max: 840 }), (lines, offsetMinutes) => {
          parser.detect(lines.slice(0, 5));
          const session = parser.open({ file: "prop.log", referenceMs: REFERENCE, offsetMinutes });
          const out: HostEvent[] = [];
          let offset = 0;
          lines.forEach((text, i) => {
            session.line(text, i + 1, offset, out);
            offset += Buffer.byteLength(text) + 1;
          });
          session.end(out);
          session.pendingCursor?.();
          for (const event of out) checkEvent(event, parser.name);
          events += out.length;
        }),
        { numRuns: 150, seed: 1602 },
      );
      expect(events, "the mutated fixture lines still give events").toBeGreaterThan(0);
    });
  }
});

// ---------------------------------------------------------------------------------------
// Lockfile parsers

const lockfiles = filesUnder(join(FIXTURES, "lockfiles"), (f) => isLockfileName(basename(f)) || (isRequirementsFile(basename(f)) && f.endsWith(".txt")));

describe("property: lockfile parsers", () => {
  it("has a fixture of every lockfile kind", () => {
    const names = new Set(lockfiles.map((f) => basename(f)));
    for (const n of ["package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "requirements.txt"]) expect(names).toContain(n);
  });
  it("mutated lockfiles give a result with string names/versions, or an error naming the file", () => {
    let packages = 0;
    const texts = lockfiles.map((f) => ({ file: f.slice(FIXTURES.length), text: readFileSync(f, "utf8") }));
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.array(edit, { minLength: 1, maxLength: 6 }), ({ file, text }, edits) => {
        const mutated = applyEdits(text, edits);
        let parsed;
        try {
          parsed = parseLockfileText(file, mutated);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect(error, String(error)).not.toBeInstanceOf(TypeError);
          expect(error, String(error)).not.toBeInstanceOf(RangeError);
          expect((error as Error).message).toContain(file);
          return;
        }
        packages += parsed.packages.length;
        for (const pkg of parsed.packages) {
          expect(typeof pkg.name, JSON.stringify(pkg)).toBe("string");
          if (pkg.version !== undefined) expect(typeof pkg.version, JSON.stringify(pkg)).toBe("string");
          expect(Number.isInteger(pkg.line) && pkg.line >= 1, JSON.stringify(pkg)).toBe(true);
        }
        for (const problem of parsed.problems) {
          expect(problem.file).toBe(file);
          expect(typeof problem.message).toBe("string");
          if (problem.line !== undefined) expect(Number.isInteger(problem.line) && problem.line >= 1, JSON.stringify(problem)).toBe(true);
        }
      }),
      { numRuns: 400, seed: 1603 },
    );
    expect(packages).toBeGreaterThan(100);
  });
});
