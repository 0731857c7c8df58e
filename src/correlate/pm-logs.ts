// Package-manager logs: which package versions npm and pip actually installed, and when.
//   npm: `~/.npm/_logs/<ISO time>-debug-0.log` (one per command; the file name holds its UTC
//        start, lines hold none): `silly ADD node_modules/x` / `CHANGE`, versions from
//        `placeDep … x@1.2.3` and tarball URLs, install scripts from `info run x@1.2.3 postinstall …`.
//   pip: the file of `pip install --log FILE` (local time on every line): `Successfully
//        installed a-1.0 b-2.0`, and setup.py runs (`Running setup.py install for x`,
//        `Building wheel for x (setup.py)`, `Preparing metadata (setup.py)` after `Collecting x`).
// Data only: nothing in the logs is run.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { PackageRef } from "../core/types.js";
import { npmTarball, pipDownload } from "./download-names.js";

export type PmKind = "install" | "install-script";

export interface PmRecord {
  manager: "npm" | "pip";
  kind: PmKind;
  package: PackageRef;
  timestampMs: number;
  /** false: the time is the log file's mtime, not a time the log states. */
  exactTime: boolean;
  file: string;
  line: number;
  /** The command as the log gives it (`npm install is-number@7`), and where it ran. */
  command?: string;
  cwd?: string;
  /** install-script: which script (`postinstall`, `setup.py`). */
  script?: string;
  /** npm ended with this non-zero exit code: the install may not have completed. */
  failedExit?: number;
}

const NPM_NAME = /^(\d{4}-\d{2}-\d{2})T(\d{2})_(\d{2})_(\d{2})_(\d{3})Z-debug-\d+\.log$/;
const PIP_LINE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}),(\d{3}) (.*)$/;

function head(file: string, bytes = 512): string {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    return buffer.toString("utf8", 0, readSync(fd, buffer, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/** "npm" or "pip" when the file is one of their logs, by its first lines. */
export function packageManagerLogKind(file: string): "npm" | "pip" | undefined {
  let text: string;
  try {
    if (!statSync(file).isFile()) return undefined;
    text = head(file);
  } catch {
    return undefined;
  }
  if (/^0 verbose cli /.test(text)) return "npm";
  const first = text.split("\n")[0] ?? "";
  if (PIP_LINE.test(first) && /^\S+ Using pip \d/.test(first)) return "pip";
  return undefined;
}

/** Takes npm/pip logs (and npm `_logs` folders) out of the host-log inputs. */
export function splitPackageManagerLogs(inputs: string[]): { pm: string[]; rest: string[] } {
  const pm: string[] = [];
  const rest: string[] = [];
  for (const input of inputs) {
    if (packageManagerLogKind(input)) {
      pm.push(input);
      continue;
    }
    let isDir = false;
    try {
      isDir = statSync(input).isDirectory();
    } catch {
      // missing: the host-log reader reports it
    }
    if (isDir) {
      const files = readdirSync(input).sort().map((f) => join(input, f)).filter((f) => statSync(f).isFile());
      if (files.length && files.every((f) => packageManagerLogKind(f))) {
        pm.push(...files);
        continue;
      }
    }
    rest.push(input);
  }
  return { pm, rest };
}

export function readPackageManagerLogs(files: string[], utcOffsetMinutes: number): PmRecord[] {
  const out: PmRecord[] = [];
  for (const file of files) {
    const kind = packageManagerLogKind(file);
    if (!existsSync(file) || !kind) continue;
    const lines = readFileSync(file, "utf8").split(/\r?\n/);
    out.push(...(kind === "npm" ? readNpmLog(file, lines) : readPipLog(file, lines, utcOffsetMinutes)));
  }
  return out.sort((a, b) => a.timestampMs - b.timestampMs || a.file.localeCompare(b.file) || a.line - b.line);
}

function readNpmLog(file: string, lines: string[]): PmRecord[] {
  const m = NPM_NAME.exec(basename(file));
  const exactTime = Boolean(m);
  const timestampMs = m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) : statSync(file).mtimeMs;
  const versions = new Map<string, string>();
  const records: PmRecord[] = [];
  let command: string | undefined;
  let cwd: string | undefined;
  let exit: number | undefined;
  lines.forEach((text, i) => {
    const body = /^\d+ \w+ (.*)$/.exec(text)?.[1];
    if (body === undefined) return;
    const place = /^placeDep \S+ ((?:@[^@\s]+\/)?[^@\s]+)@(\S+) /.exec(body);
    if (place) versions.set(place[1]!, place[2]!);
    const tarball = npmTarball(body);
    if (tarball) versions.set(tarball[0], tarball[1]);
    if (body.startsWith("title ")) command = body.slice(6);
    if (body.startsWith("cwd ")) cwd = body.slice(4);
    const exitMatch = /^exit (\d+)$/.exec(body);
    if (exitMatch) exit = Number(exitMatch[1]);
    const added = /^(ADD|CHANGE) (?:\S*\/)?node_modules\/((?:@[^/\s]+\/)?[^/\s]+)$/.exec(body);
    if (added) {
      const name = added[2]!;
      const version = versions.get(name);
      records.push({ manager: "npm", kind: "install", package: { ecosystem: "npm", name, ...(version ? { version } : {}) }, timestampMs, exactTime, file, line: i + 1 });
    }
    const run = /^run ((?:@[^@\s]+\/)?[^@\s]+)@(\S+) (preinstall|install|postinstall|prepare) /.exec(body);
    if (run && !/\{ code: /.test(body)) {
      records.push({ manager: "npm", kind: "install-script", package: { ecosystem: "npm", name: run[1]!, version: run[2]! }, timestampMs, exactTime, file, line: i + 1, script: run[3]! });
    }
  });
  // Versions seen after the ADD line (tarball fetched later) still name it.
  for (const r of records) {
    if (!r.package.version && versions.get(r.package.name)) r.package = { ...r.package, version: versions.get(r.package.name)! };
    if (command) r.command = command;
    if (cwd) r.cwd = cwd;
    if (exit !== undefined && exit !== 0) r.failedExit = exit;
  }
  return records;
}

function readPipLog(file: string, lines: string[], utcOffsetMinutes: number): PmRecord[] {
  const records: PmRecord[] = [];
  const pending: PmRecord[] = [];
  let collecting: { name: string; version?: string } | undefined;
  lines.forEach((text, i) => {
    const m = PIP_LINE.exec(text);
    if (!m) return;
    const timestampMs = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!) - utcOffsetMinutes * 60_000;
    const body = m[8]!.trim();
    const base = { manager: "pip" as const, timestampMs, exactTime: true, file, line: i + 1 };
    const collect = /^Collecting ([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?(?:==([^\s;,]+))?/.exec(body);
    if (collect) collecting = { name: collect[1]!, ...(collect[2] ? { version: collect[2] } : {}) };
    const download = pipDownload(body);
    if (download && collecting && download[0].toLowerCase().replace(/[-_.]+/g, "-") === collecting.name.toLowerCase().replace(/[-_.]+/g, "-")) collecting.version ??= download[1];
    const setup = /^(?:Running setup\.py install for|Building wheel for) ([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(body);
    const metadata = /^Preparing metadata \(setup\.py\)/.test(body) || /^Running command python setup\.py egg_info/.test(body);
    if (setup || (metadata && collecting)) {
      const name = setup ? setup[1]! : collecting!.name;
      const version = collecting && collecting.name.toLowerCase() === name.toLowerCase() ? collecting.version : undefined;
      pending.push({ ...base, kind: "install-script", package: { ecosystem: "pypi", name, ...(version ? { version } : {}) }, script: "setup.py" });
    }
    const done = /^Successfully installed (.+)$/.exec(body);
    if (done) {
      for (const item of done[1]!.trim().split(/\s+/)) {
        const cut = item.lastIndexOf("-");
        if (cut <= 0) continue;
        records.push({ ...base, kind: "install", package: { ecosystem: "pypi", name: item.slice(0, cut), version: item.slice(cut + 1) } });
      }
    }
  });
  // A setup.py run whose version the log only gives in "Successfully installed".
  for (const p of pending) {
    if (!p.package.version) {
      const installed = records.find((r) => r.package.name.toLowerCase().replace(/[-_.]+/g, "-") === p.package.name.toLowerCase().replace(/[-_.]+/g, "-"));
      if (installed?.package.version) p.package = { ...p.package, version: installed.package.version };
    }
    records.push(p);
  }
  return records;
}
