// SSH brute force (ssh-brute-force, ssh-slow-brute-force, ssh-penalty-recidivist), judged per
// server program: OpenSSH's sshd lines by what sshd logged and the replay of its
// PerSourcePenalties (or, before 9.8, fail2ban's threshold); Dropbear's lines by the threshold
// alone, since Dropbear has no per-source penalties (its defaults only cap unauthenticated
// connections: MAX_UNAUTH_PER_IP 5 at once from an address, MAX_UNAUTH_CLIENTS 30 in all, and
// end a connection after MAX_AUTH_TRIES 10 failures; mkj/dropbear default_options.h, svr-main.c).
// A host running both keeps them apart: each program has its own sources, episodes and alerts.
import type { Emit } from "../alerts.js";
import { isSshdProgram, type HostEvent } from "../events.js";
import { ServerBruteForce, type BruteForceOptions } from "./ssh-brute-force-server.js";
import type { BruteForceState } from "./ssh-brute-force-state.js";
import type { Detector } from "./types.js";

export type { BruteForceOptions } from "./ssh-brute-force-server.js";

/** The saved state: OpenSSH's at the top (as before Dropbear was told apart), Dropbear's beside it. */
export type SshBruteForceState = BruteForceState & { dropbear?: BruteForceState };

export class SshBruteForceDetector implements Detector {
  readonly ruleIds = ["ssh-brute-force", "ssh-slow-brute-force", "ssh-penalty-recidivist"] as const;
  private readonly openssh: ServerBruteForce;
  private dropbearServer?: ServerBruteForce;

  constructor(
    private readonly emit: Emit,
    private readonly options: BruteForceOptions,
  ) {
    this.openssh = new ServerBruteForce(emit, options);
  }

  onEvent(event: HostEvent): void {
    if (!isSshdProgram(event.program)) return;
    (event.program === "dropbear" ? this.dropbear() : this.openssh).onEvent(event);
  }

  /** Made at Dropbear's first line: no penalties, sources by address, alert keys of their own. */
  private dropbear(): ServerBruteForce {
    this.dropbearServer ??= new ServerBruteForce((draft) => this.emit({ ...draft, key: `dropbear|${draft.key}` }), {
      ...this.options,
      penalties: { ...this.options.penalties, enabled: false, ipv4Bits: 32, ipv6Bits: 128 },
      server: "dropbear",
    });
    return this.dropbearServer;
  }

  finish(): void {
    this.openssh.finish();
    this.dropbearServer?.finish();
  }

  exportState(): SshBruteForceState {
    return { ...this.openssh.exportState(), ...(this.dropbearServer ? { dropbear: this.dropbearServer.exportState() } : {}) };
  }

  importState(raw: unknown): void {
    this.openssh.importState(raw);
    const dropbear = (raw as SshBruteForceState | undefined)?.dropbear;
    if (dropbear) this.dropbear().importState(dropbear);
  }
}
