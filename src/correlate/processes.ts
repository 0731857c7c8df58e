// Processes seen in the logs (auditd EXECVE, ECS process events): who started whom, which
// command installed a package, which processes ran a package's install scripts, and which
// file paths are credentials. Pure: built from events, no I/O.
import type { PackageRef } from "../core/types.js";
import type { HostEvent } from "../logs/events.js";

export interface ProcessStart {
  key: string;
  host: string;
  pid: number;
  ppid?: number;
  timestamp: number;
  args: string[];
  exe?: string;
  cwd?: string;
  user?: string;
  event: HostEvent;
}

const MAX_DEPTH = 32;

const hostOf = (event: HostEvent): string => event.host ?? "";

/** pid → starts, so a pid reused later is told apart by time. */
export class ProcessTable {
  private readonly byPid = new Map<string, ProcessStart[]>();

  constructor(events: HostEvent[]) {
    for (const event of events) {
      if (event.action !== "process_start" || event.process?.pid === undefined || !Number.isFinite(event.process.pid)) continue;
      const p = event.process;
      const start: ProcessStart = {
        key: `${hostOf(event)}|${p.pid}|${event.timestamp}`, host: hostOf(event), pid: p.pid!, timestamp: event.timestamp,
        args: p.args ?? (p.executable ? [p.executable] : p.name ? [p.name] : []), event,
        ...(p.ppid !== undefined && Number.isFinite(p.ppid) ? { ppid: p.ppid } : {}),
        ...(p.executable ? { exe: p.executable } : {}), ...(p.cwd ? { cwd: p.cwd } : {}), ...(event.user ? { user: event.user } : {}),
      };
      const id = `${start.host}|${start.pid}`;
      const list = this.byPid.get(id) ?? [];
      list.push(start);
      this.byPid.set(id, list);
    }
    for (const list of this.byPid.values()) list.sort((a, b) => a.timestamp - b.timestamp);
  }

  /** The start of `pid` on `host` that was running at `at` (the latest start not after it). */
  lookup(host: string, pid: number, at: number): ProcessStart | undefined {
    const list = this.byPid.get(`${host}|${pid}`);
    if (!list) return undefined;
    let found: ProcessStart | undefined;
    for (const start of list) if (start.timestamp <= at) found = start;
    return found;
  }

  /** The process itself (when its start was logged) and its ancestors, nearest first. */
  lineage(host: string, pid: number | undefined, ppid: number | undefined, at: number): ProcessStart[] {
    const chain: ProcessStart[] = [];
    const seen = new Set<string>();
    let current = pid !== undefined ? this.lookup(host, pid, at) : undefined;
    let nextPid = current ? current.ppid : ppid;
    if (current) chain.push(current);
    while (nextPid !== undefined && chain.length < MAX_DEPTH) {
      const parent = this.lookup(host, nextPid, at);
      if (!parent || seen.has(parent.key)) break;
      seen.add(parent.key);
      chain.push(parent);
      nextPid = parent.ppid;
      current = parent;
    }
    return chain;
  }

  all(): ProcessStart[] {
    return [...this.byPid.values()].flat().sort((a, b) => a.timestamp - b.timestamp);
  }
}

const base = (path: string | undefined): string => (path ?? "").split("/").pop() ?? "";

const NPM_CLIENTS = new Set(["npm", "npm-cli.js", "yarn", "yarn.js", "pnpm", "pnpm.cjs", "bun", "cnpm"]);
const PIP_CLIENTS = /^(?:pip|pip3(?:\.\d+)?|pipx|uv|poetry|pipenv|easy_install)$/;
const INSTALL_VERBS = new Set(["install", "i", "add", "ci", "sync", "update", "upgrade"]);

/** The package manager an argv runs ("npm", "pip"), with node/python wrappers looked through. */
export function installerOf(args: string[]): "npm" | "pip" | undefined {
  let words = args;
  const first = base(words[0]);
  if (/^node(?:js)?$/.test(first) && words.length > 1) words = words.slice(1);
  if (/^python[\d.]*$/.test(first)) {
    // python3 .venv/bin/pip install …: the interpreter running a pip script.
    if (PIP_CLIENTS.test(base(words[1]))) return words.slice(2).some((w) => INSTALL_VERBS.has(w)) ? "pip" : undefined;
    const m = words.indexOf("-m");
    if (m >= 0 && /^pip/.test(words[m + 1] ?? "")) return words.slice(m + 2).some((w) => INSTALL_VERBS.has(w)) ? "pip" : undefined;
    if (words.some((w) => base(w) === "setup.py") && words.includes("install")) return "pip";
    return undefined;
  }
  const tool = base(words[0]);
  const verbs = words.slice(1).filter((w) => !w.startsWith("-"));
  if (NPM_CLIENTS.has(tool) && verbs.length > 0 && INSTALL_VERBS.has(verbs[0]!)) return "npm";
  if (PIP_CLIENTS.test(tool) && words.slice(1).some((w) => INSTALL_VERBS.has(w))) return "pip";
  return undefined;
}

/** PEP 503 normalisation: "SSH_Decorate" and "ssh-decorate" are one project. */
export function normaliseName(ecosystem: PackageRef["ecosystem"], name: string): string {
  return ecosystem === "pypi" ? name.toLowerCase().replace(/[-_.]+/g, "-") : name;
}

/** Whether one argv word names the package (name, name@1.2.3, name==0.0.3, name>=1). */
export function argNamesPackage(word: string, pkg: PackageRef): boolean {
  if (pkg.ecosystem === "npm") {
    const spec = word.replace(/^npm:/, "");
    const name = spec.startsWith("@") ? `@${spec.slice(1).split("@")[0]}` : spec.split("@")[0];
    return name === pkg.name;
  }
  const name = word.split(/[=<>!~;[ ]/)[0] ?? "";
  return name !== "" && normaliseName("pypi", name) === normaliseName("pypi", pkg.name);
}

/** Where an install script of the package runs: npm runs lifecycle scripts in node_modules/<name>; pip builds in a pip-install-XXXX directory named after the project. */
export function isInstallScriptDir(path: string | undefined, pkg: PackageRef): boolean {
  if (!path) return false;
  if (pkg.ecosystem === "npm") return path === `node_modules/${pkg.name}` || path.endsWith(`/node_modules/${pkg.name}`) || path.includes(`/node_modules/${pkg.name}/`);
  const under = /\/pip-(?:install|req-build)-[^/]+\/([^/]+)/.exec(path)?.[1];
  if (under) return normaliseName("pypi", under.replace(/_[0-9a-z]{8}$/, "")) === normaliseName("pypi", pkg.name);
  const project = /\/(?=[^/]*\/setup\.py$)([^/]+?)-\d/.exec(path)?.[1];
  return project !== undefined && normaliseName("pypi", project) === normaliseName("pypi", pkg.name);
}

/** A process start is an install script of the package when it runs in (or names) the package's install directory. */
export function isInstallScriptOf(start: ProcessStart, pkg: PackageRef): boolean {
  return isInstallScriptDir(start.cwd, pkg) || start.args.some((a) => isInstallScriptDir(a, pkg) || (a.endsWith("setup.py") && isInstallScriptDir(a, pkg)));
}

export interface CredentialPath {
  kind: "ssh-key" | "ssh-config" | "cloud-credentials" | "registry-token" | "git-credentials" | "netrc" | "system-secrets" | "browser-store";
  attack: string;
}

const CREDENTIAL_PATHS: [RegExp, CredentialPath][] = [
  [/\/\.ssh\/(?:id_[^/]*|identity)$/, { kind: "ssh-key", attack: "T1552.004" }],
  [/\/\.ssh\/?$|\/\.ssh\/(?:config|authorized_keys)$/, { kind: "ssh-config", attack: "T1552.004" }],
  [/\/\.(?:aws\/credentials|aws\/config|kube\/config|docker\/config\.json|azure\/[^/]+|config\/gcloud\/[^/]+)$/, { kind: "cloud-credentials", attack: "T1552.001" }],
  [/\/\.(?:npmrc|pypirc|yarnrc(?:\.yml)?|gem\/credentials)$/, { kind: "registry-token", attack: "T1552.001" }],
  [/\/\.git-credentials$/, { kind: "git-credentials", attack: "T1552.001" }],
  [/\/\.netrc$/, { kind: "netrc", attack: "T1552.001" }],
  [/^\/etc\/(?:shadow|gshadow)$/, { kind: "system-secrets", attack: "T1003.008" }],
  [/\/(?:Login Data|Cookies|logins\.json|key4\.db)$/, { kind: "browser-store", attack: "T1555.003" }],
];

export function credentialPath(path: string | undefined): CredentialPath | undefined {
  if (!path) return undefined;
  return CREDENTIAL_PATHS.find(([re]) => re.test(path))?.[1];
}

export function commandLine(start: ProcessStart): string {
  return start.args.map((a) => (/[\s"'\\]/.test(a) ? JSON.stringify(a) : a)).join(" ");
}
