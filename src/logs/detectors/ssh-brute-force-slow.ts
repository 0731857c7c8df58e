// ssh-slow-brute-force: a source that kept failing logins for a long time (slowFailures
// within slowWindowMs) but was never blocked — the guessers PerSourcePenalties lets through.
// One alert per guesser, updated while it goes on.
import { evidenceOf, type Emit } from "../alerts.js";
import type { HostEvent } from "../events.js";
import type { BruteForceOptions } from "./ssh-brute-force-server.js";
import { dropFailuresBefore, pushTimed } from "./ssh-brute-force-lists.js";
import { slowDraft } from "./ssh-brute-force-report.js";
import type { SourceTable } from "./ssh-brute-force-sources.js";
import type { SourceHistory } from "./ssh-brute-force-state.js";

const MAX_LINES = 40;

export class SlowGuessers {
  constructor(
    private readonly sources: SourceTable,
    /** Whether a source has an open brute-force episode (a blocked source is no slow guesser). */
    private readonly inEpisode: (key: string) => boolean,
    private readonly emit: Emit,
    private readonly options: BruteForceOptions,
  ) {}

  /** A failed login from `ip`. */
  failure(hostName: string, ip: string, event: HostEvent): void {
    const key = this.sources.key(hostName, ip);
    const history = this.sources.history(key);
    const at = event.timestamp;
    const slow = history.slow;
    if (slow) {
      if (at - slow.last <= this.options.slowWindowMs) {
        // The same slow guesser going on: its one alert is updated, not repeated.
        slow.count++;
        slow.last = at;
        if (slow.evidence.length < MAX_LINES) slow.evidence.push(evidenceOf(event));
        else slow.evidence[slow.evidence.length - 1] = evidenceOf(event);
        return;
      }
      this.report(hostName, key, history);
    }
    const windowStart = at - this.options.slowWindowMs;
    dropFailuresBefore(history.failures, windowStart);
    pushTimed(history.failures, { at, evidence: evidenceOf(event) });
    const blockedRecently = this.inEpisode(key) || (history.blockedUntil !== undefined && history.blockedUntil >= history.failures[0]!.at);
    if (history.failures.length < this.options.slowFailures || blockedRecently) return;
    history.slow = {
      ip, start: history.failures[0]!.at, trigger: at, last: at, count: history.failures.length, evidence: history.failures.map((f) => f.evidence),
    };
    history.failures = [];
  }

  /** Raise (or update) a slow guesser's alert; `stillOpen` at the end of input keeps it for the next run. */
  report(hostName: string, key: string, history: SourceHistory, stillOpen = false): void {
    const slow = history.slow!;
    if (!stillOpen) history.slow = undefined;
    const said = `${slow.count}|${slow.last}`;
    if (slow.reported === said) return;
    slow.reported = said;
    const host = this.sources.hosts.get(hostName);
    this.emit(slowDraft(hostName, slow.ip, key, slow, this.options, host?.simulator.active ?? true));
  }
}
