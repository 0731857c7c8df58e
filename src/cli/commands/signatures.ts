// `exfilscan signatures update`: import OSV MAL- advisories into the local store.
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { resolveStorePath } from "../../advisories/store.js";
import { DEFAULT_OSV_URL, OSV_ECOSYSTEMS, type OsvEcosystem } from "../../advisories/types.js";
import { updateAdvisories, type UpdateReport } from "../../advisories/update.js";
import { EXIT_CLEAN, EXIT_ERROR, warn } from "../output.js";

const FORMATS = ["text", "json"];

export function registerSignatures(program: Command): void {
  const signatures = program.command("signatures").description("manage the signature data: known-malicious packages from OSV");
  signatures
    .command("update")
    .description("download OSV malicious-package advisories (MAL-*) for npm and PyPI into the local store")
    .option("--osv-url <url>", "base URL of the OSV bulk export (env EXFILSCAN_OSV_URL)")
    .option("--store <file>", "advisory store file (env EXFILSCAN_ADVISORY_STORE; default $XDG_CACHE_HOME/exfilscan/advisories.json)")
    .option("--ecosystem <name...>", `only these ecosystems: ${OSV_ECOSYSTEMS.join(", ")}`)
    .option("-f, --format <format>", `output format: ${FORMATS.join("|")} (default: text on a TTY, else json)`)
    .option("--offline", "refuse to run (update needs the network); the store is left as it is", false)
    .action(async (raw: { osvUrl?: string; store?: string; ecosystem?: string[]; format?: string; offline: boolean }) => {
      const format = raw.format ?? (process.stdout.isTTY ? "text" : "json");
      if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")} (got "${format}")`);
      const storeFile = resolveStorePath(raw.store);
      if (raw.offline) {
        throw new UsageError(`signatures update downloads from the network and --offline was given; the store (${storeFile}) is unchanged`);
      }
      const report = await updateAdvisories({
        storeFile,
        baseUrl: raw.osvUrl ?? process.env["EXFILSCAN_OSV_URL"] ?? DEFAULT_OSV_URL,
        ecosystems: ecosystemsFrom(raw.ecosystem),
      });
      for (const warning of report.warnings) warn(warning);
      for (const error of report.errors) warn(`${error.input}: ${error.message}`);
      process.stdout.write(format === "json" ? `${JSON.stringify(report, null, 2)}\n` : renderUpdate(report));
      process.exitCode = report.errors.length ? EXIT_ERROR : EXIT_CLEAN;
    });
}

function ecosystemsFrom(names: string[] | undefined): OsvEcosystem[] {
  if (!names) return [...OSV_ECOSYSTEMS];
  return names.map((name) => {
    const match = OSV_ECOSYSTEMS.find((e) => e.toLowerCase() === name.toLowerCase());
    if (!match) throw new UsageError(`--ecosystem must be one of ${OSV_ECOSYSTEMS.join(", ")} (got "${name}")`);
    return match;
  });
}

const kListed = 20;

function renderUpdate(report: UpdateReport): string {
  const lines: string[] = [];
  for (const e of report.ecosystems) {
    if (e.status === "failed") {
      lines.push(`${e.ecosystem}: update failed, ${e.advisories} advisories kept from before`);
      continue;
    }
    const change = e.status === "unchanged" ? "unchanged since the last update" : `${e.added.length} added, ${e.removed.length} removed, ${e.changed.length} changed`;
    lines.push(`${e.ecosystem}: ${e.advisories} advisories (${change})`);
    for (const [sign, ids] of [["+", e.added], ["-", e.removed], ["~", e.changed]] as const) {
      for (const id of ids.slice(0, kListed)) lines.push(`  ${sign} ${id}`);
      if (ids.length > kListed) lines.push(`  ${sign} … and ${ids.length - kListed} more (--format json lists all)`);
    }
    if (e.malformed.length) lines.push(`  ${e.malformed.length} record(s) skipped as not valid OSV`);
  }
  lines.push(`store: ${report.store}${report.written ? "" : " (not written: nothing was downloaded)"}`);
  return `${lines.join("\n")}\n`;
}
