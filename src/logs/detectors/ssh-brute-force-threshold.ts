// Where sshd has no PerSourcePenalties (releases before 9.8, or "PerSourcePenalties no"), brute
// force is judged as fail2ban's default jail does: maxretry failures within findtime
// (config/jail.conf [DEFAULT]: 5 in 10 min), counting what its sshd filter counts in normal mode.
import type { HostEvent } from "../events.js";

/** What fail2ban's sshd filter (normal mode) counts as a failure: used where sshd has no PerSourcePenalties. */
export function isThresholdFailure(event: HostEvent): boolean {
  switch (event.action) {
    case "ssh_login":
      // a failed publickey for a valid user is a key being offered, not a guess (fail2ban publickey=nofail)
      return event.outcome === "failure" && (event.method !== "publickey" || event.invalidUser === true);
    case "ssh_invalid_user":
    case "ssh_max_auth_attempts":
    case "ssh_not_allowed":
    case "ssh_refused_connect":
      return true;
    case "ssh_pam_auth_failure":
      // OpenSSH's own "error: PAM: Authentication failure"; pam_unix's line only restates a Failed line
      return event.message?.includes("PAM: ") === true;
    case "ssh_disconnect":
      return event.outcome === "failure";
    default:
      return false;
  }
}

