// A faithful model of OpenSSH's PerSourcePenalties (srclimit.c srclimit_penalise /
// srclimit_penalty_check_allow, sshd.c child_reap / drop_connection, log.c log_ratelimit),
// per release 9.8 … 10.3. Pure: time comes from the caller (log timestamps), never the clock.
// Source facts checked against openssh-portable tags V_9_8_P1 … V_10_3_P1:
//  - defaults crash 90, authfail 5, noauth 1, grace 20 (9.8) / 10 (9.9+), refuseconnection 10
//    (9.9+), invaliduser 5 (10.3+), min 15, max 600, max-sources 65536, overflow permissive;
//  - 9.8 and 9.9 charge GRACE_EXCEEDED with the *crash* value (fixed in 10.0);
//  - a new entry is active only if secs > min; an existing one accumulates, capped at max, and
//    activates once expiry-now > min; entries expire when expiry < now;
//  - the address in log lines is the peer's own address with "/bits" (not the masked network);
//  - "new"/"activating" are VERBOSE before 10.1; from 10.1 "new ... active" and "activating" are
//    INFO; 10.3 prints seconds with %.3f and counts time in fractions;
//  - 10.0+ rate-limits drop lines (threshold 8, max_accum 60, hysteresis 30, log every 120 s).
import { familyOf, maskAddress, matchAddressList, toBytes, type Family } from "./net.js";
import { parseDuration } from "./time.js";

/** Releases with PerSourcePenalties (9.8+), whose behaviour the replay models release by release. */
export const OPENSSH_VERSIONS = ["9.8", "9.9", "10.0", "10.1", "10.2", "10.3", "10.4", "10.5"] as const;
/** Earlier releases (7.x, 8.x, 9.0–9.7: Ubuntu 22.04 ships 8.9, 24.04 ships 9.6) have no PerSourcePenalties. */
const LEGACY_VERSION = /^(?:[4-8]\.\d|9\.[0-7])$/;
/** "9.8", "8.9" …: a release number as `ssh -V` names it, without the portable "p1" suffix. */
export type OpenSshVersion = string;

export type PenaltyType = "crash" | "authfail" | "noauth" | "grace-exceeded" | "refuseconnection" | "invaliduser";
export type OverflowMode = "permissive" | "deny-all";
export type SshLogLevel = "QUIET" | "FATAL" | "ERROR" | "INFO" | "VERBOSE" | "DEBUG1" | "DEBUG2" | "DEBUG3";
const LEVELS: SshLogLevel[] = ["QUIET", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG1", "DEBUG2", "DEBUG3"];

export interface PenaltyConfig {
  version: OpenSshVersion;
  enabled: boolean;
  /** seconds */
  crash: number;
  authfail: number;
  noauth: number;
  grace: number;
  refuseconnection: number;
  invaliduser: number;
  min: number;
  max: number;
  maxSources4: number;
  maxSources6: number;
  overflow: OverflowMode;
  overflow6: OverflowMode;
  /** PerSourceNetBlockSize */
  ipv4Bits: number;
  ipv6Bits: number;
  /** PerSourcePenaltyExemptList (addr_match_list syntax), or undefined */
  exempt?: string;
  /** sshd LogLevel: which simulated lines would reach the log */
  logLevel: SshLogLevel;
}

const REASONS: Record<PenaltyType, string> = {
  crash: "penalty: caused crash",
  authfail: "penalty: failed authentication",
  noauth: "penalty: connections without attempting authentication",
  "grace-exceeded": "penalty: exceeded LoginGraceTime",
  refuseconnection: "penalty: connection prohibited by RefuseConnection",
  invaliduser: "penalty: attempted authentication by invalid user",
};
export const TOO_MANY_PENALISED = "too many penalised addresses";

export function versionAtLeast(version: OpenSshVersion, than: string): boolean {
  const [a1, a2] = version.split(".").map(Number) as [number, number];
  const [b1, b2] = than.split(".").map(Number) as [number, number];
  return a1 !== b1 ? a1 > b1 : a2 >= b2;
}

export function isOpenSshVersion(text: string): text is OpenSshVersion {
  return (OPENSSH_VERSIONS as readonly string[]).includes(text) || LEGACY_VERSION.test(text);
}

/** "8.9p1" → "8.9"; undefined when it is no release this tool knows. */
export function normaliseOpenSshVersion(text: string): OpenSshVersion | undefined {
  const bare = text.trim().replace(/^OpenSSH_/i, "").replace(/p\d+$/, "");
  return isOpenSshVersion(bare) ? bare : undefined;
}

/** PerSourcePenalties exists from 9.8 (srclimit.c srclimit_penalise, V_9_8_P1). */
export function hasPerSourcePenalties(version: OpenSshVersion): boolean {
  return versionAtLeast(version, "9.8");
}

export const VERSION_HELP = `${OPENSSH_VERSIONS.join(", ")}, or an earlier 7.x/8.x/9.0–9.7 (no PerSourcePenalties)`;

export function defaultPenaltyConfig(version: OpenSshVersion = "9.8"): PenaltyConfig {
  return {
    version, enabled: hasPerSourcePenalties(version), crash: 90, authfail: 5, noauth: 1,
    grace: version === "9.8" ? 20 : 10, refuseconnection: 10, invaliduser: 5,
    min: 15, max: 600, maxSources4: 65536, maxSources6: 65536, overflow: "permissive", overflow6: "permissive",
    ipv4Bits: 32, ipv6Bits: 128, logLevel: "INFO",
  };
}

/** Which penalty a connection's end maps to on this version (types it lacks fall back as sshd would). */
export function effectivePenaltyType(type: PenaltyType, version: OpenSshVersion): PenaltyType {
  if (type === "invaliduser" && !versionAtLeast(version, "10.3")) return "noauth";
  return type;
}

/** Apply `PerSourcePenalties` / `PerSourceNetBlockSize` / `PerSourcePenaltyExemptList` / `LogLevel` values (sshd_config syntax). */
export function applySshdOption(config: PenaltyConfig, keyword: string, value: string): PenaltyConfig {
  const next = { ...config };
  const key = keyword.toLowerCase();
  if (key === "persourcepenalties") {
    for (const word of value.trim().split(/\s+/)) {
      if (word === "yes") next.enabled = true;
      else if (word === "no") next.enabled = false;
      else applyPenaltyWord(next, word);
    }
  } else if (key === "persourcenetblocksize") {
    const [v4, v6] = value.trim().split(":");
    next.ipv4Bits = bitsOrThrow(v4, 32, value);
    if (v6 !== undefined) next.ipv6Bits = bitsOrThrow(v6, 128, value);
  } else if (key === "persourcepenaltyexemptlist") {
    next.exempt = value.trim() === "none" ? undefined : value.trim();
  } else if (key === "loglevel") {
    const level = value.trim().toUpperCase() === "DEBUG" ? "DEBUG1" : value.trim().toUpperCase();
    if (!(LEVELS as string[]).includes(level)) throw new Error(`unknown LogLevel "${value}"`);
    next.logLevel = level as SshLogLevel;
  }
  return next;
}

function bitsOrThrow(text: string | undefined, max: number, whole: string): number {
  const bits = Number(text);
  if (!Number.isInteger(bits) || bits < 0 || bits > max) throw new Error(`bad PerSourceNetBlockSize "${whole}"`);
  return bits;
}

function applyPenaltyWord(config: PenaltyConfig, word: string): void {
  const colon = word.indexOf(":");
  if (colon < 0) throw new Error(`bad PerSourcePenalties word "${word}"`);
  const name = word.slice(0, colon);
  const value = word.slice(colon + 1);
  if (name === "overflow" || name === "overflow6") {
    if (value !== "permissive" && value !== "deny-all") throw new Error(`bad ${name} "${value}"`);
    config[name] = value;
    return;
  }
  if (name === "max-sources4" || name === "max-sources6") {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`bad ${name} "${value}"`);
    config[name === "max-sources4" ? "maxSources4" : "maxSources6"] = n;
    return;
  }
  const seconds = parseDuration(value);
  if (seconds === undefined) throw new Error(`bad time "${value}" in PerSourcePenalties ${name}`);
  const field = ({ crash: "crash", authfail: "authfail", noauth: "noauth", "grace-exceeded": "grace",
    refuseconnection: "refuseconnection", invaliduser: "invaliduser", min: "min", max: "max" } as const)[name as "crash"];
  if (!field) throw new Error(`unknown PerSourcePenalties keyword "${name}"`);
  config[field] = seconds;
}

/** Reads the PerSource* and LogLevel lines of an sshd_config text (before any Match block). */
export function penaltyConfigFromSshdConfig(text: string, base: PenaltyConfig): PenaltyConfig {
  let config = base;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    const match = /^(\S+)(?:\s+=\s*|\s+|=(?=[^\s=]*(?:\s|$))\s*)((?:\S.*)?)$/.exec(line);
    if (!match) continue;
    if (match[1]!.toLowerCase() === "match") break;
    config = applySshdOption(config, match[1]!, match[2]!);
  }
  return config;
}

export interface SimulatedLine {
  level: SshLogLevel;
  text: string;
  /** Whether sshd at the configured LogLevel would write it. */
  logged: boolean;
}

interface Entry {
  family: Family;
  masked: string;
  /** seconds on the simulated monotonic clock */
  expiry: number;
  active: boolean;
  reason: string;
}

interface RateLimit {
  accumulated: number;
  lastEvent: number;
  active: boolean;
  start: number;
  lastLog: number;
  hysteresisStart: number;
  ratelimited: number;
}

export interface PenaltyState {
  entries: Entry[];
  rateLimit: RateLimit;
}

export interface PenaliseResult {
  lines: SimulatedLine[];
  /** true when this call made the source's entry active (blocking starts now) */
  activated: boolean;
  /** true when this call created the source's entry (its "new … penalty" line) */
  created?: boolean;
  entry?: { masked: string; expiresAtMs: number; active: boolean; reason: string };
}

export interface AllowResult {
  allowed: boolean;
  reason?: string;
  lines: SimulatedLine[];
}

/** What penalise() gives when it charges nothing (shared: never modified). */
const NO_LINES = Object.freeze([]) as unknown as SimulatedLine[];
const NOTHING: PenaliseResult = Object.freeze({ lines: NO_LINES, activated: false });
/** checkAllow's answer for an accepted connection (the common case: one shared object, read only). */
const ALLOWED: { allowed: boolean; reason?: string } = Object.freeze({ allowed: true });

export class PenaltySimulator {
  private readonly tables: Record<Family, Map<string, Entry>> = { ipv4: new Map(), ipv6: new Map() };
  private rateLimit: RateLimit = { accumulated: 0, lastEvent: 0, active: false, start: 0, lastLog: 0, hysteresisStart: 0, ratelimited: 0 };

  private readonly since: { v10_0: boolean; v10_1: boolean; v10_3: boolean; v9_9: boolean; active: boolean };

  constructor(readonly config: PenaltyConfig) {
    const at = (v: string): boolean => versionAtLeast(config.version, v);
    this.since = { v9_9: at("9.9"), v10_0: at("10.0"), v10_1: at("10.1"), v10_3: at("10.3"), active: config.enabled && hasPerSourcePenalties(config.version) };
  }

  /** Enabled, and a release that has the feature at all ("PerSourcePenalties yes" on 8.9 is a config error sshd rejects). */
  get active(): boolean {
    return this.since.active;
  }

  private get fractional(): boolean {
    return this.since.v10_3;
  }

  /** monotime() (whole seconds) before 10.3, monotime_double() from 10.3. */
  private now(ms: number): number {
    return this.fractional ? ms / 1000 : Math.floor(ms / 1000);
  }

  private line(level: SshLogLevel, text: string): SimulatedLine {
    return { level, text, logged: LEVELS.indexOf(level) <= LEVELS.indexOf(this.config.logLevel) };
  }

  private seconds(value: number): string {
    return this.fractional ? value.toFixed(3) : String(Math.trunc(value));
  }

  private secondsFor(type: PenaltyType): number {
    const c = this.config;
    switch (type) {
      case "crash": return c.crash;
      case "authfail": return c.authfail;
      case "noauth": return c.noauth;
      case "refuseconnection": return c.refuseconnection;
      case "invaliduser": return c.invaliduser;
      // 9.8 and 9.9 read penalty_crash here (srclimit.c); 10.0 fixed it to penalty_grace.
      case "grace-exceeded": return this.since.v10_0 ? c.grace : c.crash;
    }
  }

  isExempt(address: string): boolean {
    return this.config.exempt !== undefined && matchAddressList(address, this.config.exempt);
  }

  /** No entry expires before this (a lower bound, lowered whenever an expiry is set), so most calls need no scan. */
  private earliest = -Infinity;

  private expire(now: number): void {
    if (this.earliest >= now) return;
    this.earliest = Math.min(expireTable(this.tables.ipv4, now), expireTable(this.tables.ipv6, now));
  }

  private bits(family: Family): number {
    return family === "ipv4" ? this.config.ipv4Bits : this.config.ipv6Bits;
  }

  private maxSources(family: Family): number {
    return family === "ipv4" ? this.config.maxSources4 : this.config.maxSources6;
  }

  private overflow(family: Family): OverflowMode {
    return family === "ipv4" ? this.config.overflow : this.config.overflow6;
  }

  /** srclimit_penalise(): called when a pre-auth session process is reaped. */
  penalise(address: string, requested: PenaltyType, atMs: number): PenaliseResult {
    const none = NOTHING;
    const family = familyOf(address);
    if (!this.active || !family || this.isExempt(address)) return none;
    const type: PenaltyType = requested === "invaliduser" && !this.since.v10_3 ? "noauth" : requested;
    if (type === "refuseconnection" && !this.since.v9_9) return none;
    const secs = this.secondsFor(type);
    if (secs <= 0) return none;
    const reason = REASONS[type];
    const bits = this.bits(family);
    const masked = maskAddress(address, bits)!;
    const now = this.now(atMs);
    this.expire(now);
    const table = this.tables[family];
    const maxSources = this.maxSources(family);
    if (table.size >= maxSources && this.overflow(family) === "deny-all") {
      return { lines: [this.line("VERBOSE", `srclimit_penalise: ${family} penalty table full, cannot penalise ${address}/${bits} for ${reason}`)], activated: false };
    }
    const existing = table.get(masked);
    if (!existing) {
      const entry: Entry = { family, masked, expiry: now + secs, active: secs > this.config.min, reason };
      table.set(masked, entry);
      if (entry.expiry < this.earliest) this.earliest = entry.expiry;
      const level: SshLogLevel = this.since.v10_1 && entry.active ? "INFO" : "VERBOSE";
      const lines = [this.line(level, `srclimit_penalise: ${family}: new ${address}/${bits} ${entry.active ? "active" : "deferred"} penalty of ${this.seconds(secs)} seconds for ${reason}`)];
      if (table.size > maxSources) this.evictSoonest(family, maxSources);
      return { lines, activated: entry.active, created: true, entry: this.describe(entry) };
    }
    existing.expiry += secs;
    if (existing.expiry - now > this.config.max) existing.expiry = now + this.config.max;
    if (existing.expiry < this.earliest) this.earliest = existing.expiry; // the cap lowers it when log time went back
    // no line (the common case): the shared empty list, which no caller adds to
    let lines = NO_LINES;
    let activated = false;
    if (existing.expiry - now > this.config.min && !existing.active) {
      const level: SshLogLevel = this.since.v10_1 ? "INFO" : "VERBOSE";
      lines = [];
      lines.push(this.line(level, `srclimit_penalise: ${address}/${bits}: activating ${family} penalty of ${this.seconds(existing.expiry - now)} seconds for ${reason}`));
      existing.active = true;
      activated = true;
    }
    existing.reason = reason;
    return { lines, activated, entry: this.describe(existing) };
  }

  /** Permissive overflow: drop the soonest-expiring entries (both tables, as sshd does). */
  private evictSoonest(_family: Family, _max: number): void {
    for (const family of ["ipv4", "ipv6"] as const) {
      const table = this.tables[family];
      const maxSources = this.maxSources(family);
      if (table.size <= maxSources) continue;
      const order = [...table.values()].sort((a, b) => a.expiry - b.expiry || compareAddress(a.masked, b.masked));
      for (const entry of order.slice(0, table.size - maxSources)) table.delete(entry.masked);
    }
  }

  private describe(entry: Entry): PenaliseResult["entry"] {
    return { masked: `${entry.masked}/${this.bits(entry.family)}`, expiresAtMs: entry.expiry * 1000, active: entry.active, reason: entry.reason };
  }

  /** Whether the table holds an entry (expired or not) for a masked address ("203.0.113.0"), without expiring any. */
  tracks(masked: string): boolean {
    return this.tables.ipv4.has(masked) || this.tables.ipv6.has(masked);
  }

  /** srclimit_penalty_check_allow(): would a new connection from this address be accepted? */
  checkAllow(address: string, atMs: number): { allowed: boolean; reason?: string } {
    const family = familyOf(address);
    if (!this.active || !family || this.isExempt(address)) return ALLOWED;
    const now = this.now(atMs);
    this.expire(now);
    const table = this.tables[family];
    if (table.size >= this.maxSources(family) && this.overflow(family) === "deny-all") return { allowed: false, reason: TOO_MANY_PENALISED };
    const entry = table.get(maskAddress(address, this.bits(family))!);
    if (!entry || entry.expiry < now || !entry.active) return ALLOWED;
    return { allowed: false, reason: entry.reason };
  }

  /** drop_connection(): the line(s) sshd writes for a refused connection, with 10.0+ rate limiting. */
  dropLines(address: string, port: number, local: string, localPort: number, startups: number, reason: string, atMs: number): SimulatedLine[] {
    const text = `drop connection #${startups} from [${address}]:${port} on [${local}]:${localPort} ${reason}`;
    if (!this.since.v10_0) return [this.line("INFO", text)];
    const { limited, dropped } = this.ratelimit(Math.floor(atMs / 1000));
    const lines = [this.line(limited ? "DEBUG3" : "INFO", text)];
    if (dropped !== 0) lines.push(this.line("INFO", `PerSourcePenalties logging rate-limited: additional ${dropped} connections dropped`));
    return lines;
  }

  /** log.c log_ratelimit() with log_ratelimit_init(&ratelimit_penalty, 8, 60, 30, 2*60). */
  private ratelimit(now: number): { limited: boolean; dropped: number } {
    const rl = this.rateLimit;
    const threshold = 8, maxAccum = 60, hysteresis = 30, logEvery = 120;
    if (rl.lastEvent <= 0) rl.lastEvent = now;
    if (now > rl.lastEvent) rl.accumulated = Math.max(0, rl.accumulated - (now - rl.lastEvent));
    rl.accumulated = Math.min(maxAccum, rl.accumulated + 1);
    const previous = rl.lastEvent;
    rl.lastEvent = now;
    if (rl.accumulated < threshold) {
      if (!rl.active) return { limited: false, dropped: 0 };
      const expired = rl.hysteresisStart === 0 ? previous + hysteresis < now : rl.hysteresisStart + hysteresis < now;
      if (rl.hysteresisStart === 0 && !expired) rl.hysteresisStart = now;
      else if (expired) {
        const dropped = rl.ratelimited;
        Object.assign(rl, { active: false, start: 0, lastLog: 0, hysteresisStart: 0, ratelimited: 0 });
        return { limited: false, dropped };
      }
    } else if (!rl.active) {
      Object.assign(rl, { active: true, start: now, lastLog: now, hysteresisStart: 0, ratelimited: 1 });
      return { limited: true, dropped: 0 };
    } else if (rl.hysteresisStart !== 0) {
      rl.hysteresisStart = 0;
    }
    if (now >= rl.lastLog + logEvery) {
      rl.lastLog = now;
      const dropped = rl.ratelimited;
      rl.ratelimited = 0;
      return { limited: false, dropped };
    }
    rl.ratelimited++;
    return { limited: true, dropped: 0 };
  }

  /** Current entries (after expiring at `atMs`), for reports and tests. */
  entries(atMs: number): { masked: string; remaining: number; active: boolean; reason: string }[] {
    const now = this.now(atMs);
    this.expire(now);
    return [...this.tables.ipv4.values(), ...this.tables.ipv6.values()].map((e) => ({
      masked: `${e.masked}/${this.bits(e.family)}`, remaining: e.expiry - now, active: e.active, reason: e.reason,
    }));
  }

  exportState(): PenaltyState {
    return { entries: [...this.tables.ipv4.values(), ...this.tables.ipv6.values()].map((e) => ({ ...e })), rateLimit: { ...this.rateLimit } };
  }

  importState(state: PenaltyState): void {
    for (const entry of state.entries) this.tables[entry.family].set(entry.masked, { ...entry });
    this.earliest = -Infinity;
    this.rateLimit = { ...state.rateLimit };
  }
}

/** Drop the entries of one table that expired before `now`; the earliest expiry left (Infinity when none). */
function expireTable(table: Map<string, Entry>, now: number): number {
  let earliest = Infinity;
  for (const [key, entry] of table) {
    if (entry.expiry < now) table.delete(key);
    else if (entry.expiry < earliest) earliest = entry.expiry;
  }
  return earliest;
}

function compareAddress(a: string, b: string): number {
  const x = toBytes(a) ?? [];
  const y = toBytes(b) ?? [];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}
