// Detector state per partition — the host whose log produced the events — so that many
// writers (one per host of a fleet, or two runs on one machine) share one store without
// overwriting each other's state. Each partition is loaded from the store with its version;
// a batch commit that finds the version moved (another writer committed that partition in
// between) reloads the partition and replays the batch's events for it, then retries.
import { randomUUID } from "node:crypto";
import { ExfilscanError } from "../core/errors.js";
import type { RuleMeta } from "../rules/schema.js";
import { MAX_COMMIT_ATTEMPTS, type BaselineRow, type LogStore, type OffsetWrite, type PartitionSnapshot, type PartitionWrite, type StoredAlert } from "../store/types.js";
import { finaliseAlert, type Alert } from "./alerts.js";
import { createDetectors, type DetectorOptions } from "./detectors/index.js";
import { Baseline } from "./detectors/new-ssh-destination.js";
import type { Detector } from "./detectors/types.js";
import type { HostEvent } from "./events.js";

export interface PartitionOptions {
  store: LogStore;
  detectors: DetectorOptions;
  rules: Map<string, RuleMeta>;
  /** Load and save detector state and baseline (false: read the learned baseline only). */
  incremental: boolean;
  detect: boolean;
  seed?: { baseline: BaselineRow[]; start?: number };
  /**
   * The events of a partition since the last commit, read again from the input (for the
   * replay after a conflict). When absent, each partition holds its events until the commit.
   */
  reread?: (partition: string) => Promise<HostEvent[]>;
}

interface Partition {
  name: string;
  version: number;
  baseline: Baseline;
  detectors: Map<string, Detector>;
  /** The same detectors in order, for the per-event loop. */
  detectorList: Detector[];
  /** The detectors (in order) that read events of an action, made as actions come. */
  byAction: Map<string, Detector[]>;
  /** Events since the last commit, replayed when a concurrent writer moved the partition (held only without `reread`). */
  events: HostEvent[];
  alerts: Alert[];
  unsaved: Map<string, BaselineRow>;
  touched: boolean;
  finished: boolean;
  newest?: number;
}

/** The partition of an event: the host that logged it. */
export function partitionOf(event: HostEvent): string {
  return event.host ?? "-";
}

export class PartitionSet {
  private readonly parts = new Map<string, Partition>();
  private readonly committed = new Map<string, Alert>();
  private readonly runId = randomUUID();
  private seq = 0;
  newAlerts = 0;

  constructor(private readonly options: PartitionOptions) {}

  private async load(name: string): Promise<Partition> {
    const o = this.options;
    let snapshot: PartitionSnapshot;
    if (o.incremental) snapshot = await o.store.loadPartition(name);
    else if (o.seed) snapshot = { name, version: 0, ...(o.seed.start !== undefined ? { learningStart: o.seed.start } : {}), baseline: o.seed.baseline.map((r) => ({ ...r })), state: new Map() };
    else snapshot = { ...(await o.store.loadPartition(name)), state: new Map() }; // a time-boxed view: the learned baseline, no state
    const baseline = new Baseline(snapshot.baseline, snapshot.learningStart);
    const partition: Partition = { name, version: snapshot.version, baseline, detectors: new Map(), detectorList: [], byAction: new Map(), events: [], alerts: [], unsaved: new Map(), touched: false, finished: false };
    partition.detectors = createDetectors(o.detectors, (draft) => partition.alerts.push(finaliseAlert(draft, o.rules)), baseline);
    partition.detectorList = [...partition.detectors.values()];
    for (const [id, detector] of partition.detectors) {
      const state = snapshot.state.get(id);
      if (state !== undefined) detector.importState?.(state);
    }
    return partition;
  }

  /**
   * Hand an event to its partition's detectors. Synchronous when the partition is loaded (the
   * case of every event but a partition's first); a promise only while one is being loaded.
   */
  onEvent(event: HostEvent): Promise<void> | undefined {
    const name = partitionOf(event);
    const p = name === this.lastName ? this.lastPart : this.parts.get(name);
    if (!p) return this.loadAndApply(name, event);
    this.lastName = name;
    this.lastPart = p;
    this.apply(p, event);
    return undefined;
  }

  private lastName: string | undefined;
  private lastPart: Partition | undefined;

  private async loadAndApply(name: string, event: HostEvent): Promise<void> {
    const p = await this.load(name);
    this.parts.set(name, p);
    this.apply(p, event);
  }

  private apply(p: Partition, event: HostEvent): void {
    if (!this.options.reread) p.events.push(event);
    p.touched = true;
    if (p.newest === undefined || event.timestamp > p.newest) p.newest = event.timestamp;
    let detectors = p.byAction.get(event.action);
    if (!detectors) {
      detectors = p.detectorList.filter((d) => !d.actions || d.actions.has(event.action));
      p.byAction.set(event.action, detectors);
    }
    for (let i = 0; i < detectors.length; i++) detectors[i]!.onEvent(event);
  }

  /** End of input: detectors raise what is still open. */
  finish(): void {
    for (const p of this.parts.values()) {
      for (const detector of p.detectors.values()) detector.finish();
      p.finished = true;
      p.touched = true;
    }
  }

  /** A partition whose new-ssh-destination learning window was still open at its newest event. */
  learning(): { start: string; until: string; newest: string } | undefined {
    let found: { start: number; end: number; newest: number } | undefined;
    for (const p of this.parts.values()) {
      if (p.baseline.start === undefined || p.newest === undefined) continue;
      const end = p.baseline.start + this.options.detectors.learningWindowMs;
      if (p.newest < end && (!found || end > found.end)) found = { start: p.baseline.start, end, newest: p.newest };
    }
    return found && { start: new Date(found.start).toISOString(), until: new Date(found.end).toISOString(), newest: new Date(found.newest).toISOString() };
  }

  alerts(): Alert[] {
    return [...this.committed.values()];
  }

  /** Offsets, baseline, detector state and alerts of the batch, in one transaction. */
  async commit(offsets: OffsetWrite[]): Promise<void> {
    const o = this.options;
    const save = o.incremental && o.detect;
    for (let attempt = 1; ; attempt++) {
      const touched = [...this.parts.values()].filter((p) => p.touched);
      const partitions: PartitionWrite[] = save ? touched.map((p) => this.write(p)) : [];
      const alerts: StoredAlert[] = touched.flatMap((p) => p.alerts.map((a) => ({
        fingerprint: a.fingerprint, ruleId: a.ruleId, severity: a.severity, timestamp: a.timestamp, json: JSON.stringify(a), partition: p.name,
      })));
      if (offsets.length === 0 && partitions.length === 0 && alerts.length === 0) return;
      const outcome = await o.store.commitBatch({ id: `${this.runId}:${this.seq}`, offsets, partitions, alerts });
      if (outcome.status === "conflict") {
        if (attempt >= MAX_COMMIT_ATTEMPTS) throw new ExfilscanError(`state of ${outcome.partitions.join(", ")} kept changing under concurrent writers (${attempt} attempts); nothing of this batch was committed`);
        for (const name of outcome.partitions) await this.replay(name);
        continue;
      }
      this.seq++;
      if (outcome.status === "committed") this.newAlerts += outcome.newAlerts.size;
      for (const p of touched) {
        for (const a of p.alerts) this.committed.set(a.fingerprint, a);
        p.alerts = [];
        p.events = [];
        p.unsaved.clear();
        p.touched = false;
        if (save) p.version++;
      }
      return;
    }
  }

  private write(p: Partition): PartitionWrite {
    for (const row of p.baseline.takeDirty()) p.unsaved.set(Baseline.key(row), row);
    const state: [string, unknown][] = [];
    for (const [id, detector] of p.detectors) {
      const exported = detector.exportState?.();
      if (exported !== undefined) state.push([id, exported]);
    }
    return { name: p.name, expectedVersion: p.version, ...(p.baseline.start !== undefined ? { learningStart: p.baseline.start } : {}), baseline: [...p.unsaved.values()], state };
  }

  /** Another writer committed this partition since we loaded it: start from its state, apply our events again. */
  private async replay(name: string): Promise<void> {
    const stale = this.parts.get(name)!;
    const fresh = await this.load(name);
    fresh.touched = true;
    const reread = this.options.reread;
    for (const event of reread ? await reread(name) : stale.events) {
      if (!reread) fresh.events.push(event);
      if (fresh.newest === undefined || event.timestamp > fresh.newest) fresh.newest = event.timestamp;
      for (const detector of fresh.detectors.values()) detector.onEvent(event);
    }
    if (stale.finished) {
      for (const detector of fresh.detectors.values()) detector.finish();
      fresh.finished = true;
    }
    this.parts.set(name, fresh);
    if (this.lastName === name) this.lastPart = fresh;
  }
}
