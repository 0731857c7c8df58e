// The alerts of the SSH brute-force detector, built from its episodes. An episode is raised
// once, and raised again (same key, so the same alert updated) only when it has changed.
import type { AlertDraft } from "../alerts.js";
import type { PenaltyConfig } from "../penalties.js";
import type { Episode, SlowEpisode, SourceHistory } from "./ssh-brute-force-state.js";

/** The server program whose lines an alert is drawn from. */
export type SshServer = "openssh" | "dropbear";

export interface ReportOptions {
  penalties: PenaltyConfig;
  /** default openssh */
  server?: SshServer;
  maxRetry: number;
  findTimeMs: number;
  slowWindowMs: number;
  recidiveWindowMs: number;
}

/**
 * Dropbear's limits at their compile-time defaults (mkj/dropbear src/default_options.h,
 * enforced in svr-main.c and svr-session.c): none blocks a source. Builds may change them
 * (-T sets the auth tries); UNAUTH_CLOSE_DELAY 0 means no delay before a failed connection ends.
 */
export const DROPBEAR_LIMITS = { maxUnauthPerIp: 5, maxUnauthClients: 30, maxAuthTries: 10, unauthCloseDelaySeconds: 0 } as const;

const DROPBEAR_HAS_NO_PENALTIES = `Dropbear has no per-source penalties (by default it only caps unauthenticated connections at MAX_UNAUTH_PER_IP ${DROPBEAR_LIMITS.maxUnauthPerIp} at once from an address and ends each after MAX_AUTH_TRIES ${DROPBEAR_LIMITS.maxAuthTries} failures, so a guesser is never blocked)`;

/** The server named in details: OpenSSH's release, or Dropbear and its limits. */
function serverDetails(options: ReportOptions): Record<string, unknown> {
  return options.server === "dropbear" ? { server: "dropbear", dropbearLimits: DROPBEAR_LIMITS } : { openssh: options.penalties.version };
}

/** Why nothing blocked the source where brute force is judged by fail2ban's threshold. */
function noBlocking(options: ReportOptions): string {
  return options.server === "dropbear" ? DROPBEAR_HAS_NO_PENALTIES : `OpenSSH ${options.penalties.version} has no PerSourcePenalties (9.8+)`;
}

const jail = (options: ReportOptions): string => `maxretry ${options.maxRetry}, findtime ${duration(options.findTimeMs)}`;

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
    message = `${episode.source} failed ${episode.charges} logins on ${episode.host} from ${iso(episode.start)} to ${iso(end)}; ${noBlocking(options)} and fail2ban's default jail (${jail(options)}) would ban it`;
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
      ...serverDetails(options),
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
    : `without reaching ${options.maxRetry} failures within ${duration(options.findTimeMs)}${options.server === "dropbear" ? " (Dropbear blocks no source)" : ""}`;
  return {
    ruleId: "ssh-slow-brute-force",
    timestamp: slow.trigger,
    message: `${ip} failed ${slow.count} logins on ${host} in ${minutes} min ${never}`,
    host,
    source: { ip },
    firstSeen: slow.start,
    evidence: slow.evidence,
    details: { failures: slow.count, windowSeconds: options.slowWindowMs / 1000, ...serverDetails(options), lastSeen: iso(slow.last) },
    key: `${key}|${slow.start}`,
  };
}

export function recidivistDraft(episode: Episode, history: SourceHistory, options: ReportOptions): AlertDraft {
  const repeats = history.blocks.length;
  const blockSeconds = Math.max(1, Math.round((episode.until - episode.start) / 1000 / Math.max(1, episode.blocks ?? 1)));
  const suggested = Math.min(7 * 86_400, blockSeconds * 2 ** (repeats - 1));
  const since = history.recidiveSince ?? history.blocks[0]!;
  const within = `within ${Math.round(options.recidiveWindowMs / 3_600_000)} h`;
  if (options.server === "dropbear" || episode.basis === "threshold") {
    // Dropbear, and OpenSSH without PerSourcePenalties, blocked nothing: the runs of failures
    // that crossed fail2ban's threshold are what a ban would have stopped.
    return {
      ruleId: "ssh-penalty-recidivist",
      timestamp: history.blocks.at(-1)!,
      message: `${episode.source} reached fail2ban's default jail threshold (${jail(options)}) ${repeats} times on ${episode.host} ${within}; ${noBlocking(options)}${options.server === "dropbear" ? "" : ", so nothing blocked it: each crossing is a ban fail2ban would have made"}`,
      host: episode.host,
      source: { ip: episode.source },
      firstSeen: since,
      evidence: episode.evidence,
      details: { blocks: history.blocks.map((t) => iso(t)), masked: episode.masked, ...serverDetails(options) },
      key: `${episode.host}|${episode.masked}|${since}`,
    };
  }
  // Said as what is known: sshd's own penalty lines show a block; the replay alone only says
  // that the configured release would block (the server's real settings may differ).
  const basis = episode.basis ?? "simulated";
  const version = options.penalties.version;
  const message = basis === "simulated"
    ? `OpenSSH ${version} PerSourcePenalties, replayed over the log, would block ${episode.masked} ${repeats} times on ${episode.host} ${within} (sshd logged no penalty line for the latest block: pass --sshd-config or --penalties for this server's settings); each block would last only ~${blockSeconds} s (a penalty doubling per repeat would give ${suggested} s)`
    : `${episode.masked} blocked ${repeats} times on ${episode.host} ${within} (sshd logged the latest block itself${basis === "both" ? `, as the replay of OpenSSH ${version} has it` : ""}); each block lasts only ~${blockSeconds} s (a penalty doubling per repeat would give ${suggested} s)`;
  return {
    ruleId: "ssh-penalty-recidivist",
    timestamp: history.blocks.at(-1)!,
    message,
    host: episode.host,
    source: { ip: episode.source },
    firstSeen: since,
    evidence: episode.evidence,
    details: { basis, blocks: history.blocks.map((t) => iso(t)), suggestedPenaltySeconds: suggested, masked: episode.masked, openssh: version },
    key: `${episode.host}|${episode.masked}|${since}`,
  };
}
