// Reads one OSV JSON record (https://ossf.github.io/osv-schema/) into the compact
// Advisory the store keeps. Unknown fields are ignored: the schema grows over time.
import { z } from "zod";
import type { Advisory, AdvisoryRange, OsvEcosystem } from "./types.js";

const event = z.object({
  introduced: z.string().optional(),
  fixed: z.string().optional(),
  last_affected: z.string().optional(),
  limit: z.string().optional(),
});

const osvRecord = z.object({
  id: z.string().min(1),
  summary: z.string().optional(),
  modified: z.string().optional(),
  withdrawn: z.string().optional(),
  affected: z
    .array(
      z.object({
        package: z.object({ ecosystem: z.string(), name: z.string().min(1) }).optional(),
        versions: z.array(z.string()).optional(),
        ranges: z.array(z.object({ type: z.string(), events: z.array(event) })).optional(),
      }),
    )
    .default([]),
});

export type RecordResult =
  | { kind: "advisory"; advisory: Advisory }
  | { kind: "skipped"; reason: "not-malicious" | "withdrawn" | "other-ecosystem" }
  | { kind: "malformed"; message: string };

export function isMaliciousId(id: string): boolean {
  return id.startsWith("MAL-");
}

/** Keeps MAL- advisories that are not withdrawn and name at least one package of this ecosystem. */
export function readOsvRecord(json: unknown, ecosystem: OsvEcosystem): RecordResult {
  const parsed = osvRecord.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { kind: "malformed", message: `${issue.path.join(".") || "record"}: ${issue.message}` };
  }
  const record = parsed.data;
  if (!isMaliciousId(record.id)) return { kind: "skipped", reason: "not-malicious" };
  if (record.withdrawn) return { kind: "skipped", reason: "withdrawn" };
  const affected = record.affected.flatMap((a) => {
    if (a.package?.ecosystem !== ecosystem) return [];
    const ranges: AdvisoryRange[] = (a.ranges ?? []).flatMap((r) =>
      r.type === "SEMVER" || r.type === "ECOSYSTEM"
        ? [{ type: r.type, events: r.events.flatMap(({ limit: _limit, ...e }) => (Object.keys(e).length ? [e] : [])) }]
        : [],
    );
    return [{ name: a.package.name, versions: a.versions ?? [], ranges }];
  });
  if (affected.length === 0) return { kind: "skipped", reason: "other-ecosystem" };
  const firstName = affected[0]!.name;
  // MAL- details start with per-source boilerplate, so they make a poor one-line fallback.
  const summary = record.summary?.trim() || `Malicious code in ${firstName} (${ecosystem})`;
  return {
    kind: "advisory",
    advisory: { id: record.id, summary, ...(record.modified ? { modified: record.modified } : {}), affected },
  };
}
