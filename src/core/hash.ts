// node:crypto loaded on first use: a one-package scan with no finding hashes nothing, and
// loading the module costs more start-up CPU than most of our own code. Node built-ins only.
import { createRequire } from "node:module";
import type * as Crypto from "node:crypto";

let crypto: typeof Crypto | undefined;

function load(): typeof Crypto {
  return (crypto ??= createRequire(import.meta.url)("node:crypto") as typeof Crypto);
}

export function createHash(algorithm: string): Crypto.Hash {
  return load().createHash(algorithm);
}

export function randomBytes(size: number): Buffer {
  return load().randomBytes(size);
}
