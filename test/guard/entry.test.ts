// src/guard/entry.ts reads `guard [options] -- <command>` without commander: for every shape it
// accepts, it must read what commander reads (the registered guard command is the reference);
// every other shape is left to the full command line.
import { Command } from "commander";
import { describe, expect, it, vi } from "vitest";

const calls: { argv: string[]; raw: Record<string, unknown> }[] = [];
vi.mock("../../src/guard/guard-command.js", () => ({
  runGuardCommand: async (argv: string[], raw: Record<string, unknown>) => {
    calls.push({ argv, raw: { ...raw } });
  },
}));

const { readGuardArgs } = await import("../../src/guard/entry.js");
const { registerGuard } = await import("../../src/cli/commands/guard.js");

/** What commander hands the guard command's action for `exfilscan <args>`. */
async function commanderReads(args: string[]) {
  const program = new Command("exfilscan").exitOverride();
  registerGuard(program);
  calls.length = 0;
  await program.parseAsync(["node", "exfilscan", ...args]);
  return { flags: calls[0]!.raw, command: calls[0]!.argv };
}

describe("the guard's own reading of its arguments", () => {
  const accepted = [
    ["guard", "--", "npm", "install", "left-pad@1.3.0"],
    ["guard", "--check-only", "--offline", "--no-color", "--fail-open", "--", "npm", "ci"],
    ["guard", "--fail-on", "critical", "--timeout=5000", "--cache-dir", "/tmp/c", "--advisory-store=/tmp/a.json", "--", "pip", "install", "-r", "requirements.txt"],
    ["guard", "--allow", "a@1.0.0", "--allow=b@2.0.0", "--reason", "reviewed", "--", "npm", "i", "a", "b", "--", "x"],
    ["guard", "--fail-on", "low", "--fail-on", "medium", "--", "yarn", "add", "--dev", "x"],
  ];
  for (const args of accepted) {
    it(`reads ${args.join(" ")} as commander does`, async () => {
      expect(readGuardArgs(args)).toEqual(await commanderReads(args));
    });
  }

  it("leaves every other shape to the full command line", () => {
    for (const args of [
      ["guard", "--help", "--", "npm", "i"],
      ["guard", "-h"],
      ["guard", "--db", "x.sqlite", "--", "npm", "i"],
      ["guard", "--db-key-file", "k", "--", "npm", "i"],
      ["guard", "--unknown", "--", "npm", "i"],
      ["guard", "npm", "install"],
      ["guard", "--"],
      ["guard", "--fail-on", "--", "npm", "i"],
      ["guard", "--reason"],
      ["--debug", "guard", "--", "npm", "i"],
      ["--signatures", "dir", "guard", "--", "npm", "i"],
      ["scan", "--", "x"],
      // Words an object literal would have: not options (commander refuses them).
      ["guard", "constructor", "--", "npm", "ci"],
      ["guard", "__proto__", "--", "npm", "ci"],
      ["guard", "toString", "--check-only", "--", "npm", "ci"],
      ["guard", "--constructor=x", "--", "npm", "ci"],
      ["guard", "hasOwnProperty", "x", "--", "npm", "ci"],
    ]) {
      expect(readGuardArgs(args), args.join(" ")).toBeUndefined();
    }
  });
});
