// Is this version inside an OSV affected[] entry? Implements the evaluation in the OSV
// schema ("Evaluation" of ranges): events sorted by version, introduced opens, fixed closes
// at the version, last_affected closes after it; versions[] are matched exactly first.
import type { Ecosystem } from "../core/types.js";
import { comparePep440, parsePep440 } from "./pep440.js";
import { compareSemver, parseSemver } from "./semver.js";
import type { AdvisoryRange, AffectedPackage, RangeEvent } from "./types.js";

interface Ordering<V> {
  parse(text: string): V | undefined;
  compare(a: V, b: V): number;
}

const ORDERINGS: Record<Ecosystem, Ordering<unknown>> = {
  npm: { parse: parseSemver, compare: compareSemver } as Ordering<unknown>,
  pypi: { parse: parsePep440, compare: comparePep440 } as Ordering<unknown>,
};

/** Equality as the ecosystem sees it (PyPI: 1.0 == 1.0.0, case-insensitive), exact text otherwise. */
export function sameVersion(ecosystem: Ecosystem, a: string, b: string): boolean {
  if (a === b) return true;
  const ordering = ORDERINGS[ecosystem];
  const x = ordering.parse(a);
  const y = ordering.parse(b);
  return x !== undefined && y !== undefined && ordering.compare(x, y) === 0;
}

/** An entry that affects every version (introduced "0" and nothing closing it): the whole package is malicious. */
export function affectsAllVersions(affected: AffectedPackage): boolean {
  return affected.ranges.some((r) => r.events.some((e) => e.introduced === "0") && r.events.every((e) => e.introduced !== undefined));
}

/**
 * `version` undefined (a package without a version field) matches only entries that affect
 * every version. A version the ecosystem cannot parse matches versions[] and all-versions entries.
 */
export function isAffected(ecosystem: Ecosystem, version: string | undefined, affected: AffectedPackage): boolean {
  if (version === undefined) return affectsAllVersions(affected);
  if (affected.versions.some((v) => sameVersion(ecosystem, v, version))) return true;
  const ordering = ORDERINGS[ecosystem];
  const parsed = ordering.parse(version);
  if (parsed === undefined) return affectsAllVersions(affected);
  return affected.ranges.some((range) => inRange(ordering, parsed, range));
}

function inRange<V>(ordering: Ordering<V>, version: V, range: AdvisoryRange): boolean {
  // `at` undefined is introduced "0": before every version.
  const events: { event: RangeEvent; at: V | undefined }[] = [];
  for (const event of range.events) {
    const text = eventVersion(event);
    if (text === "0" && event.introduced !== undefined) {
      events.push({ event, at: undefined });
      continue;
    }
    const at = text === undefined ? undefined : ordering.parse(text);
    // An event whose version cannot be read is dropped: better to miss a bound than invent one.
    if (at !== undefined) events.push({ event, at });
  }
  // The schema leaves equal versions undefined; sort is stable, so their order is kept.
  events.sort((a, b) =>
    a.at === undefined || b.at === undefined ? Number(b.at === undefined) - Number(a.at === undefined) : ordering.compare(a.at, b.at),
  );
  let affected = false;
  for (const { event, at } of events) {
    if (event.introduced !== undefined) {
      if (at === undefined || ordering.compare(version, at) >= 0) affected = true;
    } else if (at !== undefined && event.fixed !== undefined) {
      if (ordering.compare(version, at) >= 0) affected = false;
    } else if (at !== undefined && event.last_affected !== undefined) {
      if (ordering.compare(version, at) > 0) affected = false;
    }
  }
  return affected;
}

function eventVersion(event: RangeEvent): string | undefined {
  return event.introduced ?? event.fixed ?? event.last_affected;
}
