// A detector sees events in time order and raises alert drafts. It may keep state that
// survives between runs (exportState/importState, saved with the offsets in one transaction).
import type { HostEvent } from "../events.js";

export interface Detector {
  /** Rule ids (signatures/rules/<id>.yaml) this detector can raise. */
  readonly ruleIds: readonly string[];
  /**
   * The event actions it reads: it returns at once, changing nothing, on any other, so it is
   * not called for them (unset: every event).
   */
  readonly actions?: ReadonlySet<string>;
  onEvent(event: HostEvent): void;
  /** End of input: raise what is still open. */
  finish(): void;
  exportState?(): unknown;
  importState?(state: unknown): void;
}
