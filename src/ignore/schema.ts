// .exfilscanignore: a YAML list of suppressions, each with a mandatory reason. An entry
// names a rule with a package and/or path, or one finding by its fingerprint (as the JSON
// report and SARIF partialFingerprints give it).
import { z } from "zod";

/** Rule ids are checked against the loaded signatures, so the schema is built per run. */
export function ignoreFileSchema(ruleIds: ReadonlySet<string>) {
  const entry = z
    .object({
      rule: z
        .string()
        .refine((id) => ruleIds.has(id), { error: (issue) => `unknown rule id "${String(issue.input)}" (see \`exfilscan rules\`)` })
        .optional(),
      /** One finding: its `fingerprint` from the JSON report (SARIF partialFingerprints "exfilscan/v1"). */
      fingerprint: z.string().regex(/^[0-9a-f]{8,64}$/, "fingerprint is the hex string of a finding's \"fingerprint\" in the JSON report").optional(),
      /** "name" or "name@version" (scoped npm names keep their leading @). */
      package: z.string().min(1).optional(),
      /** Glob on the finding's file, relative to the package root: "test/**", "**\/*.min.js". */
      path: z.string().min(1).optional(),
      reason: z.string({ error: "reason is required: say why this finding is acceptable" }).trim().min(1, "reason must not be empty"),
      /** ISO date (YYYY-MM-DD): the entry suppresses through that day (UTC), then is reported as expired. */
      expires: z.iso.date({ error: "expires must be a date written YYYY-MM-DD" }).optional(),
    })
    .strict()
    .refine((e) => e.fingerprint !== undefined || e.rule !== undefined, { error: "give rule (with package and/or path) or fingerprint" })
    .refine((e) => e.fingerprint !== undefined || e.package !== undefined || e.path !== undefined, {
      error: "give package, path or both: an entry for a whole rule everywhere is not allowed",
    });
  return z
    .array(entry, { error: "an ignore file is a YAML list of entries (- rule: …, package: …, reason: …)" })
    .nullable()
    .transform((entries) => entries ?? []);
}

export type IgnoreEntryData = z.infer<ReturnType<typeof ignoreFileSchema>>[number];
