// Shared by the models-as-data tests: a --signatures directory written from strings, and
// the findings of a one-file JS or Python package scanned with a given signature set.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeNpmPackage } from "../../src/analyzers/js/index.js";
import { analyzePythonPackage } from "../../src/analyzers/python/index.js";
import type { ConfigurationError } from "../../src/core/errors.js";
import { evaluateFacts } from "../../src/rules/evaluate.js";
import { loadSignatures, type Signatures } from "../../src/rules/signatures.js";
import { makePackage } from "../analyzers/js/helpers.js";
import { dedent } from "../analyzers/python/helpers.js";

export const base = loadSignatures();

export function extraDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "exfilscan-models-"));
  mkdirSync(join(dir, "rules"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The error loading a signature directory made of `files` stops with. */
export function loadError(files: Record<string, string>): ConfigurationError {
  try {
    loadSignatures([extraDir(files)]);
  } catch (error) {
    return error as ConfigurationError;
  }
  throw new Error("loaded");
}

const NO_SINKS = { js: "js: { modules: {}, globals: {} }", python: "python: { modules: {}, builtins: {} }", shell: "shellPrograms: {}" };
export const sinksYaml = (parts: Partial<typeof NO_SINKS>) => [parts.js ?? NO_SINKS.js, parts.python ?? NO_SINKS.python, parts.shell ?? NO_SINKS.shell].join("\n") + "\n";
export const sourcesYaml = (credentialFiles: string, envSecretNames = "[]", more = "") => `credentialFiles: ${credentialFiles}\nenvSecretNames: ${envSecretNames}\nsecretParameterNames: []\n${more}`;

export const pkg = { ecosystem: "npm" as const, name: "pkg", version: "1.0.0" };

/** "<rule> <severity> <line>" of each finding of a package whose index.js is `code` (more files in `files`). */
export async function jsFindings(code: string, signatures: Signatures, files: Record<string, string> = {}): Promise<string[]> {
  const facts = await analyzeNpmPackage(makePackage({ "index.js": code, ...files }), signatures);
  return evaluateFacts(facts, pkg, signatures).map((f) => `${f.ruleId} ${f.severity} ${f.location.line}`);
}

export async function pyFindings(code: string, signatures: Signatures): Promise<string[]> {
  const files = new Map([
    ["setup.py", Buffer.from('from setuptools import setup\nsetup(name="pkg", version="1.0.0", packages=["pkg"])\n')],
    ["pkg/__init__.py", Buffer.from(dedent(code))],
  ]);
  const facts = await analyzePythonPackage({ input: "test", files, bytes: 0, errors: [] }, signatures);
  return evaluateFacts(facts, { ...pkg, ecosystem: "pypi" }, signatures).map((f) => `${f.ruleId} ${f.severity} ${f.location.line}`);
}
