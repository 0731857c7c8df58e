// Merging one directory's validated data into the compiled set: patterns compiled once,
// lists added to, tables keyed by name (a later directory's entry wins).
import { compileFlagged, type ClientRole, type CommandsData, type SendRole, type SinkChannel, type SinksData } from "../schema.js";
import type { ClientFamily, CompiledCommands, CredentialChain, CredentialCommand, SignatureDirData, Signatures } from "./types.js";

const compile = (source: string): RegExp => new RegExp(source, "i");
const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Add one directory's data to the set (built-in first, then each --signatures directory). */
export function mergeDirectory(into: Signatures, data: SignatureDirData): void {
  for (const rule of data.rules) into.rules.set(rule.id, rule);
  if (data.commands) mergeCommands(into.commands, data.commands);
  if (data.decoders) Object.assign(into.decoders.python, data.decoders.python);
  const transforms = data.transforms;
  if (transforms) {
    Object.assign(into.encoders.python, transforms.encoders.python);
    addAll(into.sanitizers.python.calls, transforms.sanitizers.python.calls);
    into.sanitizers.python.prefixes.push(...transforms.sanitizers.python.prefixes);
    addAll(into.pathBuilders.python, transforms.pathBuilders.python);
  }
  const sources = data.sources;
  if (sources) {
    into.credentialFiles.push(
      ...sources.credentialFiles.map((c) => ({ regex: compile(c.pattern), data: { kind: c.kind, note: c.note } })),
    );
    into.envSecretNames.push(...sources.envSecretNames.map(compile));
    into.envSecretExactNames.push(...sources.envSecretNames.filter((p) => /^\^[\w]+\$$/.test(p)).map(compile));
    into.envNotSecretNames.push(...sources.envNotSecretNames.map(compile));
    into.secretParameterNames.push(...sources.secretParameterNames.map(compile));
    into.credentialConsumers.python.push(...sources.credentialConsumers.python);
    const consumers = into.credentialConsumers.js;
    addAll(consumers.ssh, sources.credentialConsumers.js.ssh);
    addAll(consumers.wallet, sources.credentialConsumers.js.wallet);
    addAll(consumers.other, sources.credentialConsumers.js.other);
    consumers.imported = importOf([...consumers.ssh, ...consumers.wallet, ...consumers.other]);
    consumers.walletImported = importOf([...consumers.wallet]);
    into.cloudMetadata.hosts.push(...sources.cloudMetadata.hosts.map((h) => new RegExp(`^(?:${h})$`, "i")));
    into.cloudMetadata.credentialPaths.push(...sources.cloudMetadata.credentialPaths.map(compile));
    for (const [module, entry] of Object.entries(sources.secretStores.js)) {
      into.secretStores.js.modules[module] = { store: entry.store, reads: compileFlagged(entry.reads), decrypt: entry.decrypt };
      if (entry.awsV2Class) into.secretStores.js.awsV2Classes[entry.awsV2Class] = module;
    }
    for (const chain of sources.credentialChains.js) {
      const compiled: CredentialChain = { module: compileFlagged(chain.module), note: chain.note };
      for (const field of ["classes", "factories", "asyncFactories", "reads", "credentialClasses", "members"] as const) {
        const pattern = chain[field];
        if (pattern !== undefined) compiled[field] = compileFlagged(pattern);
      }
      into.credentialChains.js.push(compiled);
    }
    const files = into.fileApis.js;
    addAll(files.modules, sources.fileApis.js.modules);
    addAll(files.globals, sources.fileApis.js.globals);
    addAll(files.reads, sources.fileApis.js.reads);
    addAll(files.lists, sources.fileApis.js.lists);
    addAll(files.copies, sources.fileApis.js.copies);
    addAll(into.fileApis.python.opens, sources.fileApis.python.opens);
    addAll(into.fileApis.python.copies, sources.fileApis.python.copies);
    addAll(files.writes, sources.fileApis.js.writes);
    into.tokenSamples.push(...sources.tokenSamples);
    addAll(into.promptModules.js, sources.promptModules.js);
    addAll(into.homeVariables, sources.homeVariables);
    Object.assign(into.homeFolders.js, sources.homeFolders.js);
    Object.assign(into.homeFolders.python, sources.homeFolders.python);
    for (const api of sources.apiSources.python) {
      const data = { kind: api.kind, note: api.note, ...(api.detail !== undefined ? { detail: api.detail } : {}), ...(api.site ? { site: api.site } : {}) };
      if (api.call !== undefined) into.apiSources.python.calls[api.call] = data;
      else into.apiSources.python.patterns.push({ regex: compileFlagged(api.pattern!), data });
    }
  }
  const sinks = data.sinks;
  if (sinks) {
    mergeModules(into.sinks.js.modules, channelsOf(sinks.js.modules));
    Object.assign(into.sinks.js.globals, sinks.js.globals);
    Object.assign(into.sinks.js.endpoints, sinks.js.endpoints);
    addAll(into.sinks.js.configMembers, sinks.js.configMembers);
    addAll(into.sinks.js.authOptions, sinks.js.authOptions);
    const inert = into.sinks.js.inert;
    addAll(inert.builtins, sinks.js.inert.builtins);
    inert.processMembers = [...new Set([...inert.processMembers, ...sinks.js.inert.processMembers])];
    // `process.platform`, `process . argv`: the member right after the name, whole.
    inert.afterProcess = inert.processMembers.length > 0 ? new RegExp(String.raw`^\s*\.\s*(?:${inert.processMembers.join("|")})\b`) : /(?!)/;
    for (const [api, methods] of Object.entries(sinks.js.sendMethods)) into.sinks.js.sendMethods[api] = [...new Set([...(into.sinks.js.sendMethods[api] ?? []), ...methods])];
    mergeModules(into.sinks.python.modules, channelsOf(sinks.python.modules));
    // A later directory's plain entry turns an earlier client class back into a plain send.
    for (const [module, members] of Object.entries(sinks.python.modules)) {
      for (const member of Object.keys(members)) {
        delete into.sinks.python.clients[module]?.[member];
        delete into.sinks.python.families[module]?.[member];
      }
    }
    mergeModules(into.sinks.python.clients, clientsOf(sinks.python.modules));
    mergeModules(into.sinks.python.families, familiesOf(sinks.python.modules));
    addAll(into.sinks.python.sendMethods, sinks.python.sendMethods);
    Object.assign(into.sinks.python.builtins, sinks.python.builtins);
    Object.assign(into.sinks.shellPrograms, sinks.shellPrograms);
  }
  const indicators = data.indicators;
  if (indicators) {
    into.exfilServices.push(
      ...indicators.exfilServices.map((s) => ({
        regex: compile(s.pattern),
        data: { name: s.name, category: s.category },
      })),
    );
    into.knownBad.push(...indicators.knownBad);
    addAll(into.publicTlds, indicators.publicTlds);
    for (const issuer of indicators.issuers) {
      into.issuers.push({
        name: issuer.name,
        kinds: issuer.kinds,
        ...(issuer.detail ? { detail: compile(issuer.detail) } : {}),
        hosts: issuer.hosts.map((h) => new RegExp(`^(?:${h})$`, "i")),
        ...(issuer.pathSlot ? { urlSlot: new RegExp(`^https://(?:${issuer.hosts.join("|")})(?::\\d+)?${escapeRegex(issuer.pathSlot)}$`, "i") } : {}),
      });
    }
  }
}

/** A later directory's program fields replace the earlier ones; its credential commands are tried first. */
function mergeCommands(into: CompiledCommands, data: CommandsData): void {
  for (const [name, program] of Object.entries(data.programs)) {
    const before = into.programs[name];
    into.programs[name] = {
      valueFlags: program.valueFlags ? new Set(program.valueFlags) : (before?.valueFlags ?? new Set()),
      identityFlags: program.identityFlags ? new Set(program.identityFlags) : (before?.identityFlags ?? new Set()),
      fileFlags: program.fileFlags ? new Set(program.fileFlags) : (before?.fileFlags ?? new Set()),
      sshLogin: program.sshLogin ?? before?.sshLogin ?? false,
      printsFiles: program.printsFiles ?? before?.printsFiles ?? false,
      ...((program.sendsOnlyWith ?? before?.sendsOnlyWith) !== undefined ? { sendsOnlyWith: (program.sendsOnlyWith ?? before?.sendsOnlyWith)! } : {}),
      ...((program.destination ?? before?.destination) !== undefined ? { destination: (program.destination ?? before?.destination)! } : {}),
    };
  }
  const added: CredentialCommand[] = data.credentialCommands.map((c) => ({
    ...(c.program !== undefined ? { programs: new Set(typeof c.program === "string" ? [c.program] : c.program) } : {}),
    ...(c.words ? { words: c.words.map(wholeWord) } : {}),
    ...(c.anyWord ? { anyWord: wholeWord(c.anyWord) } : {}),
    ...(c.anyArg ? { anyArg: compileFlagged(c.anyArg) } : {}),
    noWords: c.noWords === true,
    metadataService: c.metadataService === true,
    ...(c.line ? { line: compileFlagged(c.line) } : {}),
    kind: c.kind,
    note: c.note,
    detail: c.detail,
  }));
  into.credentialCommands.unshift(...added);
  addAll(into.sshLoginFlags, data.sshLoginFlags);
  addAll(into.runners.python, data.runners.python);
  const js = data.runners.js;
  if (js) {
    const runners = into.runners.js;
    addAll(runners.modules, [...js.modules, ...js.commandLineModules]);
    addAll(runners.commandLine, js.commandLine);
    addAll(runners.argv, js.argv);
    addAll(runners.commandLineModules, js.commandLineModules);
  }
}

/** A word pattern matches the whole word. */
function wholeWord(source: string): RegExp {
  const ignoreCase = source.startsWith("(?i)");
  return compileFlagged(`${ignoreCase ? "(?i)" : ""}^(?:${ignoreCase ? source.slice(4) : source})$`);
}

/** Matches nothing. */
export const NOTHING = /(?!)/;

/** A test for a file's text: does it import (require/import/from) one of `modules`? */
function importOf(modules: string[]): RegExp {
  if (modules.length === 0) return NOTHING;
  const names = modules.map((m) => m.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|");
  return new RegExp(`(?:require\\s*\\(\\s*|from\\s+|import\\s*\\(\\s*)["'](${names})["']`);
}

function addAll(into: Set<string>, names: readonly string[]): void {
  for (const name of names) into.add(name);
}

function mergeModules<T>(into: Record<string, Record<string, T>>, from: Record<string, Record<string, T>>): void {
  for (const [module, members] of Object.entries(from)) into[module] = Object.assign(table<T>(), into[module], members);
}

/** A lookup table keyed by names from scanned code: no inherited keys can match. */
export function table<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

type MemberEntries = SinksData["python"]["modules"];

/** module → member → channel, whatever form the entry has. */
function channelsOf(modules: MemberEntries): Record<string, Record<string, SinkChannel>> {
  const out = table<Record<string, SinkChannel>>();
  for (const [module, members] of Object.entries(modules)) {
    const channels = (out[module] = table<SinkChannel>());
    for (const [member, entry] of Object.entries(members)) channels[member] = typeof entry === "string" ? entry : entry.channel;
  }
  return out;
}

/** module → member → client role, for the entries that have one. */
function clientsOf(modules: MemberEntries): Record<string, Record<string, ClientRole>> {
  const out = table<Record<string, ClientRole>>();
  for (const [module, members] of Object.entries(modules)) {
    for (const [member, entry] of Object.entries(members)) if (typeof entry !== "string") (out[module] ??= table())[member] = entry.returns;
  }
  return out;
}

/** module → member → family, for the client entries that name an endpoint or send methods. */
function familiesOf(modules: MemberEntries): Record<string, Record<string, ClientFamily>> {
  const out = table<Record<string, ClientFamily>>();
  for (const [module, members] of Object.entries(modules)) {
    for (const [member, entry] of Object.entries(members)) {
      if (typeof entry === "string" || (entry.endpoint === undefined && entry.sends === undefined && entry.positionalLogin === undefined)) continue;
      const sends = entry.sends ? Object.assign(table<SendRole>(), entry.sends) : undefined;
      (out[module] ??= table())[member] = {
        ...(entry.endpoint !== undefined ? { endpoint: entry.endpoint } : {}),
        ...(sends ? { sends } : {}),
        ...(entry.positionalLogin ? { positionalLogin: true as const } : {}),
      };
    }
  }
  return out;
}
