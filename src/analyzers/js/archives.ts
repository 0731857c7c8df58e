// Archive libraries (adm-zip, JSZip, archiver, tar): an archive carries what was put in it.
// A path added to one (`zip.addLocalFile(p)`, `archive.directory(dir)`, `tar.c({ cwd }, paths)`)
// is read like `fs.readFileSync(p)`: a credential file or folder there is a read of it. Data
// added (`zip.file(name, data)`, `archive.append(buf)`) keeps its taint. What the archive gives
// back (`toBuffer()`, `generateAsync()`, the stream piped or listened to) holds all of it, and a
// zip written to disk (`writeZip(file)`, tar's `file` option) is a file holding it.
import type { Call } from "./calls.js";
import type { Interpreter } from "./interpreter.js";
import { pathCall } from "./node-apis.js";
import { fsCall } from "./sources.js";
import { UNKNOWN, constant, deepTaint, isString, mergeTaints, newObject, patternOf, stringOf, unknownWith, withStep, type Taint, type Value } from "./values.js";

const ARCHIVE_MODULES = new Set(["adm-zip", "jszip", "archiver", "tar"]);

export function isArchiveModule(module: string): boolean {
  return ARCHIVE_MODULES.has(module);
}

/** adm-zip and archiver members that add a file (or folder, `listing`) named by their first argument. */
const ADDS_PATH: Record<string, "file" | "folder"> = {
  addLocalFile: "file",
  addLocalFileAsync: "file",
  addLocalFolder: "folder",
  addLocalFolderAsync: "folder",
  addLocalFolderPromise: "folder",
  file: "file",
  directory: "folder",
};

/** Members that add data given as an argument: adm-zip addFile(name, data), JSZip file(name, data), archiver append(data). */
const ADDS_DATA = new Set(["addFile", "updateFile", "append"]);

/** Members that give the archive's bytes (or a stream or promise of them). */
const OUTPUTS = new Set(["toBuffer", "toBufferPromise", "generateAsync", "generateNodeStream", "generate", "generateInternalStream"]);

/**
 * A call into an archive module: the archive object (`new AdmZip()`, `new JSZip()`,
 * `archiver('zip')`, `tar.c(…)`) or one of its methods. Undefined when nothing is modelled.
 */
export function archiveCall(I: Interpreter, module: string, path: string[], call: Call): Value | undefined {
  const member = path.join(".");
  if (module === "tar") return member === "c" || member === "create" ? tarCreate(I, call) : undefined;
  // The archive itself: a reference to its module (so its methods come back here) holding what it
  // got. `new AdmZip(file | bytes)` opens an existing zip: it holds that file's or those bytes' data.
  if (path.length === 0 || (module === "archiver" && member === "create")) {
    const opened = module === "adm-zip" && call.args[0] ? mergeTaints(deepTaint(call.args[0])?.filter((t) => !t.latent), isString(call.args[0]) || call.args[0].pattern !== undefined ? readTaint(I, call.args[0], "file", call) : undefined) : undefined;
    return { ref: { module, path: [] }, object: { props: new Map(), ...(opened ? { taint: opened } : {}) } };
  }
  const archive = call.receiver?.object && call.receiver.ref?.module === module ? call.receiver : undefined;
  if (!archive) return undefined;
  const key = path[path.length - 1]!;
  const data = archive.object!;
  const add = (taint: Taint[] | undefined): Value => {
    if (taint) data.taint = mergeTaints(data.taint, withStep(taint, I.step(call.node, call.frame, `put into a ${module} archive`)));
    return archive;
  };
  // JSZip's file(name, data) adds data; file(name) with no data reads an entry back.
  if (module === "jszip" && key === "file") return call.args.length >= 2 ? add(deepTaint(call.args[1]!)) : unknownWith(data.taint);
  // JSZip's folder(name) is the same archive seen from a folder.
  if (module === "jszip" && key === "folder") return archive;
  const kind = ADDS_PATH[key];
  if (kind && module !== "jszip") return add(readTaint(I, call.args[0] ?? UNKNOWN, kind, call));
  if (module === "archiver" && key === "glob") {
    const options = call.args[1]?.object?.props;
    const pattern = options?.get("cwd") ? (pathCall(I, "join", { ...call, args: [options.get("cwd")!, call.args[0] ?? UNKNOWN] }) ?? UNKNOWN) : (call.args[0] ?? UNKNOWN);
    return add(readTaint(I, pattern, "folder", call));
  }
  if (ADDS_DATA.has(key)) return add(deepTaint(call.args[module === "archiver" ? 0 : 1] ?? UNKNOWN));
  const held = data.taint ? withStep(data.taint, I.step(call.node, call.frame, `the ${module} archive's bytes`)) : undefined;
  if (OUTPUTS.has(key)) {
    const bytes = unknownWith(held);
    return key === "generateAsync" || key === "toBufferPromise" ? { resolved: bytes, taint: held } : bytes;
  }
  if (key === "writeZip" || key === "writeZipPromise") {
    const target = call.args[0];
    if (target) I.written.write(stringOf(target) ?? patternOf(target), undefined, held);
    return key === "writeZipPromise" ? { resolved: constant(true) } : UNKNOWN;
  }
  return undefined;
}

/** The taint of reading a file or a folder's files, as fs would read it (a credential path is a read of that credential). */
function readTaint(I: Interpreter, pathValue: Value, kind: "file" | "folder", call: Call): Taint[] | undefined {
  const read = fsCall(I, "fs", [kind === "file" ? "readFileSync" : "readdirSync"], { ...call, args: [pathValue] });
  return read?.taint;
}

/** tar.c({ cwd, file }, paths): a stream of the named paths under cwd (or, with `file`, that file written). */
function tarCreate(I: Interpreter, call: Call): Value {
  const [options, paths] = call.args;
  const cwd = options?.object?.props.get("cwd");
  let taint: Taint[] | undefined;
  for (const entry of paths?.object?.elements ?? (paths ? [paths] : [])) {
    const full = cwd ? (pathCall(I, "join", { ...call, args: [cwd, entry] }) ?? UNKNOWN) : entry;
    taint = mergeTaints(taint, readTaint(I, full, "folder", call));
  }
  const held = taint ? withStep(taint, I.step(call.node, call.frame, "put into a tar archive")) : undefined;
  const file = options?.object?.props.get("file");
  if (file) {
    I.written.write(stringOf(file) ?? patternOf(file), undefined, held);
    return { resolved: UNKNOWN };
  }
  const stream = newObject();
  stream.object!.taint = held;
  return { ...stream, taint: held };
}
