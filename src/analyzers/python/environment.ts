// os.environ: one secret-named variable is env-secret, the whole mapping is env-dump,
// HOME and friends fold to "~" so that paths built from them are recognised.
import { isSecretEnvName } from "../../rules/signatures.js";
import type { PyNode } from "./ast.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { str, unknown, type Taint, type Value } from "./model.js";

/** os.environ[name] / os.getenv(name) / os.environ.get(name). */
export function envRead(ip: Interpreter, frame: Frame, node: PyNode, key: Value | undefined): Value {
  const name = key?.str;
  if (name === undefined) return unknown();
  // Windows variable names are case-insensitive (os.getenv("localappdata") is %LOCALAPPDATA%).
  // signatures/sources.yaml homeVariables and homeFolders.python.
  if (ip.signatures.homeVariables.has(name.toUpperCase())) return str("~");
  const appData = ip.signatures.homeFolders.python[name.toUpperCase()];
  if (appData) return str(appData);
  if (!isSecretEnvName(ip.signatures, name)) return unknown();
  return { taints: [ip.source(frame, node, "env-secret", `reads environment variable ${name}`, name)] };
}

/** The whole environment copied, serialised or iterated. */
export function envDump(ip: Interpreter, frame: Frame, node: PyNode): Taint {
  return ip.source(frame, node, "env-dump", "reads the whole environment (os.environ)", "os.environ");
}
