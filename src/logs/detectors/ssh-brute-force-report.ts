// The alerts of the SSH brute-force detector, built from its episodes. An episode is raised
// once, and raised again (same key, so the same alert updated) only when it has changed.
import type { AlertDraft } from "../alerts.js";
import type { PenaltyConfig } from "../penalties.js";
import type { Episode, SlowEpisode, SourceHistory } from "./ssh-brute-force-state.js";

export interface ReportOptions {
  penalties: PenaltyConfig;
  maxRetry: number;
  findTimeMs: number;
  slowWindowMs: number;
  recidiveWindowMs: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const duration = (ms: number): string => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`);

/**
 * A replayed block alone is brute force only when more than one connection was charged for
 * it: one "Timeout before authentication" or one crash makes 9.8 block a source at once
 * (90 s), but is not a password guesser. What sshd itself logged is always taken.
 */
export function qualifies(episode: Episode): boolean {
  const basis = episode.basis ?? "simulated";
  return basis !== "simulated" || (episode.charges ?? 2) >= 2;
}

export function bruteForceDraft(episode: Episode, options: ReportOptions): AlertDraft | undefined {
  if (!qualifies(episode)) return undefined;
  const version = options.penalties.version;
  const basis = episode.basis ?? "simulated";
  const end = Math.max(episode.until, episode.last ?? episode.until);
  let message: string;
  if (basis === "threshold") {
    message = `${episode.source} failed ${episode.charges} logins on ${episode.host} from ${iso(episode.start)} to ${iso(end)}; OpenSSH ${version} has no PerSourcePenalties (9.8+) and fail2ban's default jail (maxretry ${options.maxRetry}, findtime ${duration(options.findTimeMs)}) would ban it`;
  } else {
    const blocks = episode.blocks ?? 1;
    const seconds = Math.round((episode.until - episode.start) / 1000);
    const span = blocks > 1 ? `${blocks} times from ${iso(episode.start)} until ${iso(episode.until)}` : `from ${iso(episode.start)} for ${seconds} s`;
    const logged = episode.loggedLines ? `; sshd logged the block itself (${episode.loggedLines} penalty line(s)${episode.observedDrops ? `, ${episode.observedDrops} dropped connection(s)` : ""})` : "";
    message = basis === "logged"
      ? `sshd's PerSourcePenalties blocked ${episode.masked} on ${episode.host} ${span} (${episode.reason}): ${episode.loggedLines} penalty line(s) in the log, ${episode.observedDrops} dropped connection(s); the replay of OpenSSH ${version} defaults would not have blocked it (pass --sshd-config or --penalties for this server's settings)`
      : `OpenSSH ${version} PerSourcePenalties would block ${episode.masked} on ${episode.host} ${span} (${episode.reason}); ${episode.refused} later connection(s) refused${logged}`;
  }
  return {
    ruleId: "ssh-brute-force",
    timestamp: episode.start,
    message,
    host: episode.host,
    source: { ip: episode.source },
    evidence: episode.evidence,
    details: {
      openssh: version,
      basis,
      masked: episode.masked,
      blockedFrom: iso(episode.start),
      blockedUntil: iso(basis === "threshold" ? end + options.findTimeMs : episode.until),
      lastSeen: iso(end),
      ...(basis === "threshold"
        ? { failures: episode.charges, maxRetry: options.maxRetry, findTimeSeconds: options.findTimeMs / 1000 }
        : {
            blocks: episode.blocks ?? 1,
            penalisedConnections: episode.charges ?? 0,
            refusedConnections: episode.refused,
            observedDrops: episode.observedDrops,
            loggedPenaltyLines: episode.loggedLines ?? 0,
            simulatedLog: episode.lines.map((l) => `${l.level}${l.logged ? "" : " (not logged)"}: ${l.text}`),
          }),
    },
    key: `${episode.host}|${episode.masked}|${episode.start}`,
  };
}

export function slowDraft(host: string, ip: string, key: string, slow: SlowEpisode, options: ReportOptions, blocking: boolean): AlertDraft {
  const minutes = Math.max(1, Math.round((slow.last - slow.start) / 60_000));
  const never = blocking
    ? `without ever being blocked by OpenSSH ${options.penalties.version} PerSourcePenalties`
    : `without reaching ${options.maxRetry} failures within ${duration(options.findTimeMs)}`;
  return {
    ruleId: "ssh-slow-brute-force",
    timestamp: slow.trigger,
    message: `${ip} failed ${slow.count} logins on ${host} in ${minutes} min ${never}`,
    host,
    source: { ip },
    firstSeen: slow.start,
    evidence: slow.evidence,
    details: { failures: slow.count, windowSeconds: options.slowWindowMs / 1000, openssh: options.penalties.version, lastSeen: iso(slow.last) },
    key: `${key}|${slow.start}`,
  };
}

export function recidivistDraft(episode: Episode, history: SourceHistory, options: ReportOptions): AlertDraft {
  const repeats = history.blocks.length;
  const blockSeconds = Math.max(1, Math.round((episode.until - episode.start) / 1000 / Math.max(1, episode.blocks ?? 1)));
  const suggested = Math.min(7 * 86_400, blockSeconds * 2 ** (repeats - 1));
  const since = history.recidiveSince ?? history.blocks[0]!;
  return {
    ruleId: "ssh-penalty-recidivist",
    timestamp: history.blocks.at(-1)!,
    message: `${episode.masked} blocked ${repeats} times on ${episode.host} within ${Math.round(options.recidiveWindowMs / 3_600_000)} h; each block lasts only ~${blockSeconds} s (a penalty doubling per repeat would give ${suggested} s)`,
    host: episode.host,
    source: { ip: episode.source },
    firstSeen: since,
    evidence: episode.evidence,
    details: { blocks: history.blocks.map((t) => iso(t)), suggestedPenaltySeconds: suggested, masked: episode.masked },
    key: `${episode.host}|${episode.masked}|${since}`,
  };
}
