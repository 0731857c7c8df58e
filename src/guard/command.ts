import { splitTrimmed } from "../core/trim.js";
// Understanding a package-manager command line the way the package manager does: which
// tool, which action, which packages it names, which flags change what is installed.
// Pure: no file system, no network. Unknown flags are kept, untouched, in `args`.

export type Manager = "npm" | "pnpm" | "yarn" | "pip" | "uv";
export type Family = "npm" | "pip";

export type Action =
  | "install" // adds/updates packages or installs the project's tree
  | "ci" // npm ci: the lockfile exactly
  | "update"
  | "exec" // npx / npm exec / pnpm dlx / yarn dlx: a package run without being saved
  | "passthrough"; // anything that installs nothing (npm run, pip list, ...)

export interface NpmSpec {
  /** As typed: `left-pad`, `axios@^1.6.0`, `@types/node@20`, `alias@npm:real@1`. */
  raw: string;
  name?: string;
  /** Range, exact version or dist-tag; undefined = latest. */
  range?: string;
  /** git/url/file/alias specs: resolved by the package manager, not by name. */
  kind: "registry" | "alias" | "other";
}

export interface PipRequirement {
  raw: string;
  name?: string;
  extras: string[];
  /** `==1.2`, `>=1,<2`, ... (empty = any). */
  specifier: string;
  marker?: string;
  kind: "registry" | "other";
}

export interface ParsedCommand {
  manager: Manager;
  family: Family;
  action: Action;
  /** The program to run (`npm`, `pip3`, `python3`), and the words before the action (`-m pip`). */
  program: string;
  prefix: string[];
  /** The action word as typed (`i`, `add`, `install`), if any. */
  verb?: string;
  /** Every argument after the action word, in order, untouched. */
  args: string[];
  npmSpecs: NpmSpec[];
  pipRequirements: PipRequirement[];
  /** pip -r/-c files, in order. */
  requirementFiles: string[];
  constraintFiles: string[];
  global: boolean;
  /** Flags that only say where a saved dependency goes (-D, -E, --save-exact...). */
  saveFlags: string[];
  /** For exec: the words after the package (the command and its arguments). */
  execArgs: string[];
}

const NPM_INSTALL = new Set(["install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall", "add"]);
const NPM_UPDATE = new Set(["update", "up", "upgrade", "udpate"]);
const NPM_EXEC = new Set(["exec", "x"]);
const NPM_CI = new Set(["ci", "clean-install", "ic", "install-clean", "isntall-clean"]);

/** npm flags that take a value as the next word (when not written `--flag=value`). */
const NPM_VALUE_FLAGS = new Set([
  "--registry", "--prefix", "-C", "--cache", "--userconfig", "--globalconfig", "--tag", "--omit", "--include",
  "--install-strategy", "--workspace", "-w", "--package", "-p", "--call", "-c", "--loglevel", "--before",
  "--filter", "-F", "--dir", "--cwd", "--mode", "--network-timeout", "--modules-folder", "--store-dir",
]);
const NPM_SAVE_FLAGS = new Set([
  "-D", "--save-dev", "-P", "--save-prod", "-O", "--save-optional", "-E", "--save-exact", "-S", "--save",
  "-B", "--save-bundle", "--save-peer", "--no-save", "--dev", "--peer", "--optional", "--exact", "--tilde", "-T",
]);

const PIP_VALUE_FLAGS = new Set([
  "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target", "--platform", "--python-version",
  "--implementation", "--abi", "--root", "--prefix", "--src", "--upgrade-strategy", "-C", "--config-settings",
  "--global-option", "--no-binary", "--only-binary", "--progress-bar", "--report", "-i", "--index-url",
  "--extra-index-url", "-f", "--find-links", "--proxy", "--retries", "--timeout", "--exists-action", "--trusted-host",
  "--cert", "--client-cert", "--cache-dir", "--log", "--python", "--keyring-provider", "--root-user-action",
  "--group", "--extra", "--optional", "--index", "--default-index", "--resolution", "--prerelease", "-p", "--with",
]);

/** A package name the registry can hold (legacy upper case included); a URL, path or `user/repo` is not one. */
const NPM_NAME = /^(?:@[a-z0-9~][\w.~-]*\/)?[\w.~-]+$/i;

/**
 * A registry spec is a valid name with, at most, a version, a range or a dist-tag. Everything
 * else (git/hosted/URL/path/tarball specs, protocols such as `patch:` or `portal:`) is "other":
 * a range naming a place holds `:`, `/`, `#`, `@` or `\`, which no version, range or tag does.
 */
export function parseNpmSpec(raw: string): NpmSpec {
  if (/\.(tgz|tar\.gz)$/i.test(raw)) return { raw, kind: "other" };
  const match = /^(@[^/@\s]+\/[^@\s]+|[^@\s]+)(?:@(.*))?$/.exec(raw);
  if (!match || !NPM_NAME.test(match[1]!)) return { raw, kind: "other" };
  const name = match[1]!;
  const range = match[2];
  if (range?.startsWith("npm:")) return { raw, name, range, kind: "alias" };
  if (range !== undefined && /[:/#@\\]/.test(range)) return { raw, name, range, kind: "other" };
  return { raw, name, ...(range ? { range } : {}), kind: "registry" };
}

export function parsePipRequirement(raw: string): PipRequirement {
  const text = raw.trim();
  if (/^(git\+|hg\+|svn\+|bzr\+|https?:|file:|\.{0,2}\/)/.test(text) || /\.(whl|tar\.gz|zip)$/.test(text) || / @ /.test(text))
    return { raw, extras: [], specifier: "", kind: "other" };
  const [body, marker] = splitTrimmed(text, ";", 2) as [string, string | undefined];
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?![A-Za-z0-9._-])\s*(?:\[([^\]]*)\]\s*)?((?:\S.*)?)$/.exec(body);
  if (!match) return { raw, extras: [], specifier: "", kind: "other" };
  const extras = (match[2] ?? "").split(",").map((e) => e.trim()).filter(Boolean);
  return { raw, name: match[1]!, extras, specifier: match[3]!.replace(/\s+/g, ""), ...(marker ? { marker } : {}), kind: "registry" };
}

/** `name==1.2.3` (one exact version) → "1.2.3". */
export function pinnedVersion(req: PipRequirement): string | undefined {
  const match = /^===?([^,*]+)$/.exec(req.specifier);
  return match?.[1];
}

function empty(manager: Manager, family: Family, program: string, prefix: string[]): ParsedCommand {
  return { manager, family, action: "passthrough", program, prefix, args: [], npmSpecs: [], pipRequirements: [], requirementFiles: [], constraintFiles: [], global: false, saveFlags: [], execArgs: [] };
}

/** Splits `--flag=value` and takes a flag's value from the next word when it needs one. */
function* words(args: string[], valueFlags: Set<string>): Generator<{ flag?: string; value?: string; positional?: string; consumed: string[] }> {
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === "--") {
      for (const rest of args.slice(i + 1)) yield { positional: rest, consumed: [rest] };
      return;
    }
    if (word.startsWith("-") && word.length > 1) {
      const eq = word.indexOf("=");
      if (eq > 0) {
        yield { flag: word.slice(0, eq), value: word.slice(eq + 1), consumed: [word] };
        continue;
      }
      if (valueFlags.has(word) && i + 1 < args.length) {
        yield { flag: word, value: args[i + 1]!, consumed: [word, args[i + 1]!] };
        i++;
        continue;
      }
      yield { flag: word, consumed: [word] };
      continue;
    }
    yield { positional: word, consumed: [word] };
  }
}

export function parseCommand(argv: string[]): ParsedCommand {
  if (!argv.length) throw new Error("no command given: exfilscan guard -- <npm|pnpm|yarn|pip|uv ...>");
  const program = argv[0]!;
  const base = program.split(/[\\/]/).pop()!.replace(/\.(exe|cmd)$/i, "");
  if (base === "npx") return parseNpmLike("npm", program, [], ["exec", ...argv.slice(1)], true);
  if (base === "npm" || base === "pnpm" || base === "yarn") return parseNpmLike(base, program, [], argv.slice(1), false);
  if (/^pip(3(\.\d+)?)?$/.test(base)) return parsePip("pip", program, [], argv.slice(1));
  if (/^python(3(\.\d+)?)?$/.test(base)) {
    const m = argv.indexOf("-m");
    if (m >= 1 && argv[m + 1] === "pip") return parsePip("pip", program, argv.slice(1, m + 2), argv.slice(m + 2));
    return empty("pip", "pip", program, []);
  }
  if (base === "uv") {
    if (argv[1] === "pip") return parsePip("uv", program, ["pip"], argv.slice(2));
    if (argv[1] === "add") return parsePip("uv", program, [], argv.slice(1));
    return empty("uv", "pip", program, []);
  }
  throw new Error(`exfilscan guard does not know "${base}": it guards npm, npx, pnpm, yarn, pip, pip3, python -m pip and uv`);
}

function parseNpmLike(manager: "npm" | "pnpm" | "yarn", program: string, prefix: string[], rest: string[], npx: boolean): ParsedCommand {
  const out = empty(manager, "npm", program, prefix);
  // The action is the first positional word; flags may come before it (npm -g install x).
  const before: string[] = [];
  let index = 0;
  for (const w of words(rest, NPM_VALUE_FLAGS)) {
    if (w.positional !== undefined) break;
    before.push(...w.consumed);
    index += w.consumed.length;
  }
  const verb = rest[index];
  const after = [...before, ...rest.slice(index + 1)];
  const yarnBareInstall = manager === "yarn" && verb === undefined;
  if (verb === undefined && !yarnBareInstall) return { ...out, args: rest };
  let action: Action = "passthrough";
  if (yarnBareInstall) action = "install";
  else if (manager === "npm" && NPM_INSTALL.has(verb!)) action = "install";
  else if (manager === "npm" && NPM_CI.has(verb!)) action = "ci";
  else if (manager === "npm" && NPM_UPDATE.has(verb!)) action = "update";
  else if (manager === "npm" && NPM_EXEC.has(verb!)) action = "exec";
  else if (manager === "pnpm" && ["add", "install", "i"].includes(verb!)) action = "install";
  else if (manager === "pnpm" && ["update", "up", "upgrade"].includes(verb!)) action = "update";
  else if ((manager === "pnpm" || manager === "yarn") && verb === "dlx") action = "exec";
  else if (manager === "yarn" && ["add", "install"].includes(verb!)) action = "install";
  else if (manager === "yarn" && ["up", "upgrade"].includes(verb!)) action = "update";
  // `npm install --help` (npm, pnpm and Yarn alike) prints the command's usage and installs nothing.
  const help = action !== "exec" && after.some((a) => a === "--help" || a === "-h");
  if (action === "passthrough" || help) return { ...out, ...(verb ? { verb } : {}), args: after };
  const result: ParsedCommand = { ...out, action, ...(verb && !yarnBareInstall ? { verb } : {}), args: after };
  let packageFlag = false;
  let execStarted = false;
  for (const w of words(after, NPM_VALUE_FLAGS)) {
    if (execStarted || (action === "exec" && !packageFlag && result.npmSpecs.length > 0)) {
      execStarted = true;
      result.execArgs.push(...w.consumed);
      continue;
    }
    if (w.flag) {
      if (w.flag === "-g" || w.flag === "--global" || (w.flag === "--location" && w.value === "global")) result.global = true;
      if (w.flag === "--global" && w.value === "false") result.global = false;
      if (NPM_SAVE_FLAGS.has(w.flag)) result.saveFlags.push(...w.consumed);
      if ((w.flag === "--package" || w.flag === "-p") && w.value !== undefined) {
        result.npmSpecs.push(parseNpmSpec(w.value));
        packageFlag = true;
      }
      continue;
    }
    const word = w.positional!;
    if (action === "exec" && packageFlag) {
      // npx --package=x cmd args...: the first positional is the command, not a package.
      result.execArgs.push(word);
      execStarted = true;
      continue;
    }
    result.npmSpecs.push(parseNpmSpec(word));
  }
  void npx;
  return result;
}

function parsePip(manager: "pip" | "uv", program: string, prefix: string[], rest: string[]): ParsedCommand {
  const out = empty(manager, "pip", program, prefix);
  let index = 0;
  const before: string[] = [];
  for (const w of words(rest, PIP_VALUE_FLAGS)) {
    if (w.positional !== undefined) break;
    before.push(...w.consumed);
    index += w.consumed.length;
  }
  const verb = rest[index];
  const after = [...before, ...rest.slice(index + 1)];
  if (verb !== "install" && !(manager === "uv" && verb === "add" && prefix.length === 0)) return { ...out, ...(verb ? { verb } : {}), args: verb === undefined ? rest : after };
  const result: ParsedCommand = { ...out, action: "install", verb, args: after };
  for (const w of words(after, PIP_VALUE_FLAGS)) {
    if (w.flag) {
      if ((w.flag === "-r" || w.flag === "--requirement") && w.value) result.requirementFiles.push(w.value);
      if ((w.flag === "-c" || w.flag === "--constraint") && w.value) result.constraintFiles.push(w.value);
      if ((w.flag === "-e" || w.flag === "--editable") && w.value) result.pipRequirements.push({ raw: w.value, extras: [], specifier: "", kind: "other" });
      if (w.flag === "--user" || w.flag === "--system") result.global = true;
      continue;
    }
    result.pipRequirements.push(parsePipRequirement(w.positional!));
  }
  return result;
}

/**
 * The indexes a pip/uv install command reads, as pip chooses them: `-i/--index-url`
 * (uv: `--default-index`) replaces the configured index; `--extra-index-url` (uv: `--index`)
 * adds to the configured extra indexes (pip appends command-line values to the configured
 * list); `--no-index` reads none. The configured values are PIP_INDEX_URL /
 * PIP_EXTRA_INDEX_URL over pip.conf (`configured`). The first entry is the main index
 * (pypi.org when nothing names one).
 */
export function pipCommandIndexes(cmd: ParsedCommand, configured: { index?: string; extra: string[] }): string[] {
  let index: string | undefined;
  const extra: string[] = [];
  for (const w of words(cmd.args, PIP_VALUE_FLAGS)) {
    if (w.flag === "--no-index") return [];
    if ((w.flag === "-i" || w.flag === "--index-url" || w.flag === "--default-index") && w.value) index = w.value;
    if ((w.flag === "--extra-index-url" || w.flag === "--index") && w.value) extra.push(w.value);
  }
  return [...new Set([index ?? configured.index ?? "https://pypi.org/simple", ...configured.extra, ...extra])];
}

/** `exfilscan scan left-pad` → the registry spec the user probably meant. */
export function suggestSpec(input: string): string | undefined {
  if (/^(npm|pypi):/i.test(input) || /[\\/]/.test(input.replace(/^@[^/]+\//, "")) || /\.(tgz|tar\.gz|zip|whl|egg|js|py|json)$/i.test(input)) return undefined;
  const npm = parseNpmSpec(input);
  if (npm.kind === "registry" && /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(npm.name ?? "")) {
    return `npm:${input}`;
  }
  const pip = parsePipRequirement(input);
  const pin = pip.name ? pinnedVersion(pip) : undefined;
  if (pin) return `pypi:${pip.name}@${pin}`;
  return undefined;
}

/** The flags of an npm-family command without package specs and save flags (kept for the real install). */
export function npmInstallFlags(cmd: ParsedCommand): string[] {
  const kept: string[] = [];
  for (const w of words(cmd.args, NPM_VALUE_FLAGS)) {
    if (w.flag && !NPM_SAVE_FLAGS.has(w.flag) && w.flag !== "-g" && w.flag !== "--global") kept.push(...w.consumed);
  }
  return kept;
}
