// install-time-download-execute: an install hook fetches data from the network, writes it to a
// file and runs that file (the staged loader of the ua-parser-js 2021 compromise). Binary
// installers do the same with their own prebuilt program, so severity comes from what the
// analysis shows about the download (docs/signatures.md "Download and run at install"):
//   - bytes compared with a digest that is not itself fetched: pinned, not reported;
//   - high: fetched over plain http or from a raw IP, from an exfil or known-bad service, or
//     run from outside the package's own folder (a temp or home folder: a dropper, not a
//     program the package keeps and uses), or run without a file (`curl … | sh`);
//   - medium: otherwise (https from a named host into the package's folder: esbuild-like).
import type { DownloadExecutionFact, Trigger } from "../analyzers/facts.js";
import { indicatorsFor, knownHost } from "./destination.js";
import type { Draft, PackageRule, RuleContext } from "./package-rule.js";
import { matchExfilService, matchKnownBad, type Signatures } from "./signatures.js";

const RAW_IP = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\])(:\d+)?$/i;

/** A run file outside the package's folder: absolute, under home or a temp/home variable. Relative and `<package>` paths are the package's. */
export function outsidePackage(path: string | undefined): boolean {
  if (path === undefined) return false;
  const p = path.replace(/\\/g, "/");
  if (p.startsWith("<package>")) return false;
  return /^(\/|~|[A-Za-z]:\/|%[A-Za-z_]+%|\$\{?(TMPDIR|TEMP|TMP|HOME|USERPROFILE|APPDATA|LOCALAPPDATA)\b)/.test(p);
}

/** Why a download-execution is high, or undefined for medium. */
export function highReason(signatures: Signatures, fact: DownloadExecutionFact): string | undefined {
  const destination = fact.fetch.destination;
  const host = knownHost(destination);
  if (destination && /^http:\/\//i.test(destination)) return "over plain http";
  if (host && RAW_IP.test(host)) return "from a raw IP address";
  if (destination && (matchExfilService(signatures, destination) || matchKnownBad(signatures, destination))) return "from a known exfiltration or malicious service";
  if (outsidePackage(fact.path)) return `run from ${fact.path}, outside the package's folder`;
  // `curl … | sh`: nothing is kept that the package could use or anyone could check.
  if (fact.path === undefined) return "run straight from the network, never kept as a file";
  return undefined;
}

/** Drafts for the download-executions run under `triggers` (this rule: install; runtime-download-execute: import and manual). */
export function downloadExecutionDrafts(ruleId: string, triggers: readonly Trigger[], { facts, signatures }: RuleContext): Draft[] {
  const drafts: Draft[] = [];
  for (const fact of facts.downloadExecutions ?? []) {
    if (!triggers.includes(fact.trigger) || fact.verified) continue;
    const reason = highReason(signatures, fact);
    const host = knownHost(fact.fetch.destination);
    const what = fact.path ? `${fact.path}, a file it downloaded${host ? ` from ${host}` : ""}` : `data it downloaded${host ? ` from ${host}` : ""}`;
    drafts.push({
      ruleId,
      severity: reason ? "high" : "medium",
      message: `${WHO[fact.trigger]} runs ${what}${fact.note.startsWith("runs ") ? "" : ` (${fact.note})`}${reason ? `: ${reason}` : ""}; nothing checks the downloaded bytes`,
      location: fact.location,
      trigger: fact.trigger,
      sink: "http",
      flow: fact.steps.length ? fact.steps : [{ ...fact.location, note: fact.note }],
      indicators: indicatorsFor(fact.fetch.destination),
      attack: ["T1105", "T1204.002"],
      identity: `${fact.path ?? ""}|${host ?? ""}`,
    });
  }
  return drafts;
}

const WHO: Record<Trigger, string> = {
  install: "Install script",
  import: "Code run when the package is imported",
  manual: "A file nothing in the package loads",
  call: "A function of the package",
};

export const installTimeDownloadExecute = {
  id: "install-time-download-execute",
  evaluate: (context) => downloadExecutionDrafts("install-time-download-execute", ["install"], context),
} satisfies PackageRule<"install-time-download-execute">;
