// Validates SARIF against the official 2.1.0 schema shipped in @microsoft/jest-sarif.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import type { ErrorObject, ValidateFunction } from "ajv";

// ajv ships CommonJS with a default export; require() sidesteps ESM interop of its types.
const require = createRequire(import.meta.url);
interface AjvLike {
  compile(schema: object): ValidateFunction;
}
const Ajv = (require("ajv-draft-04") as { default: new (options: object) => AjvLike }).default;
const addFormats = (require("ajv-formats") as { default: (ajv: AjvLike) => void }).default;

const schemaPath = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
// The schema's language-tag pattern is not valid under the "u" flag; it is under plain RegExp.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")) as object);

export function sarifSchemaErrors(log: unknown): string[] {
  return validate(log) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath} ${e.message ?? ""}`);
}
