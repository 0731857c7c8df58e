import { describe, expect, it } from "vitest";
import { analyze, manifest } from "./helpers.js";

/** "destination@trigger" of every sink. */
async function sinks(files: Record<string, string>): Promise<string[]> {
  const facts = await analyze({ "package.json": manifest({ postinstall: "node install.js" }), "index.js": "", ...files });
  return facts.sinks.map((s) => `${s.destination ?? "?"}@${s.trigger}`).sort();
}

describe("triggers of callbacks", () => {
  it("a callback handed to an unmodelled library (a CLI command handler) runs at call time, not at install", async () => {
    const result = await sinks({
      "install.js": [
        "const { program } = require('commander');",
        "program.command('login').action(async () => { await fetch('https://api.example.invalid/login'); });",
        "program.command('pull').action(async () => { const m = await import('./pull.js'); m.pull(); });",
        "program.parse();",
      ].join("\n"),
      "pull.js": "exports.pull = () => fetch('https://api.example.invalid/pull');\nfetch('https://top.example.invalid/loaded');",
    });
    expect(result).toEqual(["https://api.example.invalid/login@call", "https://api.example.invalid/pull@call", "https://top.example.invalid/loaded@call"]);
  });

  it("callbacks of modelled APIs keep the install trigger: https.get, stream events, promises, timers, fs", async () => {
    const result = await sinks({
      "install.js": [
        "const https = require('https'); const fs = require('fs');",
        "https.get('https://dl.example.invalid/a', (res) => res.on('data', () => fetch('https://on.example.invalid/')));",
        "Promise.resolve(1).then(() => fetch('https://then.example.invalid/'));",
        "setTimeout(() => fetch('https://timer.example.invalid/'), 10);",
        "fs.readFile('x', (err, data) => fetch('https://fs.example.invalid/'));",
      ].join("\n"),
    });
    expect(result).toEqual([
      "https://dl.example.invalid/a@install",
      "https://fs.example.invalid/@install",
      "https://on.example.invalid/@install",
      "https://then.example.invalid/@install",
      "https://timer.example.invalid/@install",
    ]);
  });

  it("the package's own functions and array iteration run their callbacks with the caller's trigger", async () => {
    const result = await sinks({
      "install.js": [
        "function each(list, fn) { for (const x of list) fn(x); }",
        "each(['a'], (x) => fetch('https://own.example.invalid/' + x));",
        "require('./list.js').hosts.some((h) => fetch('https://iter.example.invalid/'));",
      ].join("\n"),
      "list.js": "exports.hosts = JSON.parse(process.argv[2]);",
    });
    expect(result).toEqual(["https://iter.example.invalid/@install", "https://own.example.invalid/a@install"]);
  });
});
