// The detector set of `exfilscan logs`, built from the run's options.
import type { Emit } from "../alerts.js";
import { AuthorizedKeysModifiedDetector } from "./authorized-keys-modified.js";
import { LoginAfterFailuresDetector } from "./login-after-failures.js";
import { Baseline, NewSshDestinationDetector } from "./new-ssh-destination.js";
import { SshBruteForceDetector, type BruteForceOptions } from "./ssh-brute-force.js";
import { SshKeyGeneratedDetector } from "./ssh-key-generated.js";
import { SshdInContainerDetector } from "./sshd-in-container.js";
import type { Detector } from "./types.js";

/** The brute-force detector's options (its server is chosen per program inside it) and the other detectors'. */
export interface DetectorOptions extends Omit<BruteForceOptions, "server"> {
  learningWindowMs: number;
  sshPorts: number[];
  failuresBeforeLogin: number;
  failureWindowMs: number;
}

export const DETECTOR_DEFAULTS: Omit<DetectorOptions, "penalties"> = {
  learningWindowMs: 14 * 86_400_000,
  sshPorts: [22],
  maxRetry: 5,
  findTimeMs: 600_000,
  slowFailures: 10,
  slowWindowMs: 3_600_000,
  recidiveCount: 3,
  recidiveWindowMs: 86_400_000,
  failuresBeforeLogin: 5,
  failureWindowMs: 3_600_000,
};

/** Detectors keyed by the name their state is saved under. */
export function createDetectors(options: DetectorOptions, raise: Emit, baseline: Baseline): Map<string, Detector> {
  // A source another detector alerted on (brute force, login after failures) is never learned
  // as normal, even when it logged in during the learning window.
  const emit: Emit = (draft) => {
    if (draft.ruleId !== "new-ssh-destination" && draft.source?.ip) baseline.taint(draft.source.ip);
    raise(draft);
  };
  return new Map<string, Detector>([
    ["new-ssh-destination", new NewSshDestinationDetector(emit, baseline, options)],
    ["ssh-key-generated", new SshKeyGeneratedDetector(emit)],
    ["authorized-keys-modified", new AuthorizedKeysModifiedDetector(emit)],
    ["ssh-brute-force", new SshBruteForceDetector(emit, {
      penalties: options.penalties, maxRetry: options.maxRetry, findTimeMs: options.findTimeMs, slowFailures: options.slowFailures, slowWindowMs: options.slowWindowMs,
      recidiveCount: options.recidiveCount, recidiveWindowMs: options.recidiveWindowMs,
      ...(options.listenAddress ? { listenAddress: options.listenAddress } : {}),
    })],
    ["login-after-failures", new LoginAfterFailuresDetector(emit, { failures: options.failuresBeforeLogin, windowMs: options.failureWindowMs })],
    ["sshd-in-container", new SshdInContainerDetector(emit)],
  ]);
}

/** Every rule id the detectors can raise (each needs signatures/rules/<id>.yaml). */
export const LOG_RULE_IDS = [
  "new-ssh-destination", "ssh-key-generated", "authorized-keys-modified", "ssh-brute-force", "ssh-slow-brute-force",
  "ssh-penalty-recidivist", "login-after-failures", "sshd-in-container",
] as const;
