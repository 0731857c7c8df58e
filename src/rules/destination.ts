// What can be said about a sink's folded destination.
import { PAGE_ORIGIN, type SinkFact } from "../analyzers/facts.js";
import type { Indicator } from "../core/types.js";
import type { Draft } from "./package-rule.js";
import { hostOf } from "./signatures.js";

/**
 * The literal host a destination names, with data-bearing wildcard labels dropped:
 * "*.x.attacker.invalid" and "*.0.*.x.attacker.invalid" (DNS exfiltration) → "x.attacker.invalid";
 * "https://*​/a" and "x.*" → undefined.
 */
export function knownHost(destination: string | undefined): string | undefined {
  if (!destination) return undefined;
  const full = hostOf(destination);
  if (!full) return undefined;
  // Every label up to the last one with an unknown part carries data: "*.0.*.x.attacker.invalid" → "x.attacker.invalid".
  const lastWild = full.lastIndexOf("*");
  const host = lastWild < 0 ? full : full.indexOf(".", lastWild) < 0 ? "" : full.slice(full.indexOf(".", lastWild) + 1);
  if (!host || host.includes("*") || !host.includes(".") && !host.includes(":")) return undefined;
  return host;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function indicatorsFor(destination: string | undefined): Indicator[] {
  const host = knownHost(destination);
  if (!host || !destination) return [];
  const indicators: Indicator[] = [{ type: IPV4.test(host) || host.startsWith("[") ? "ip" : "domain", value: host }];
  if (/^[a-z]+:\/\//i.test(destination) && !destination.includes("*")) indicators.push({ type: "url", value: destination });
  return indicators;
}

/** The part of a finding that a lone sink (no credential flow) gives: where, when, the channel and its destination. */
export function sinkDraftBase(sink: SinkFact): Pick<Draft, "location" | "trigger" | "sink" | "flow" | "indicators"> {
  return {
    location: sink.location,
    trigger: sink.trigger,
    sink: sink.channel,
    flow: [{ ...sink.location, note: sink.note }],
    indicators: indicatorsFor(sink.destination),
  };
}

/**
 * A destination on the web page's own server: a relative URL ("/api/me", "api/me", "?q") or
 * one built on the page's origin (`location.origin + "/api"`). An unknown destination is not.
 */
export function isPageOwnDestination(destination: string | undefined): boolean {
  if (destination === undefined) return false;
  if (destination.startsWith(PAGE_ORIGIN)) {
    const rest = destination.slice(PAGE_ORIGIN.length).replace(/^\*/, "");
    return rest === "" || /^[/?#]/.test(rest);
  }
  if (/^\/(?!\/)|^\.\.?\/|^[?#]/.test(destination)) return true;
  // "api/me": no scheme, and the first segment is no host (no dot, colon or unknown part).
  return /^[A-Za-z0-9_-]+(\/|$)/.test(destination) && !/^[^/]*[.:*]/.test(destination);
}
