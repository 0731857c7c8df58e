// Template placeholders: a value the author of a kit leaves to be filled in before use
// ("%WEBHOOK%", "<insert your webhook here>", "[redacted]", "{{ url }}", "YOUR_WEBHOOK_URL"). Code that
// compares a setting with its placeholder is checking whether it was configured, so the
// analyzers leave such a test open; a request sent to a placeholder goes to a destination
// fixed in the package, only redacted — not one a caller chooses at run time.

const WHOLE = [
  /^%[A-Z][A-Z0-9_]*%$/, // %WEBHOOK%
  /^<[^<>/\n]{2,60}>$/, // <insert your webhook here>, <guild_id>
  /^\[(?!object )[A-Za-z][^[\]/\n]{1,59}\]$/, // [redacted], [YOUR WEBHOOK] (not "[object Array]")
  /^\{\{\s*[\w.-]{1,40}\s*\}\}$/, // {{ webhook }}
  /^\$\{[\w.-]{1,40}\}$/, // ${WEBHOOK} in a plain string
  /^__[A-Z][A-Z0-9_]*__$/, // __WEBHOOK__
  /^(?:your|insert|put|paste|enter|add)\b[\w .'-]{0,40}\b(?:here|url|webhook|link|token|id)$/i, // "insert your webhook here"
  /^(?:your|insert|put|paste|enter)_[A-Z0-9_]{0,40}(?:HERE|URL|WEBHOOK|LINK|TOKEN|ID)$/i, // YOUR_WEBHOOK_URL
  /^(?:discord[ _-]?)?webhook(?:[ _-]?(?:url|link|here))?$/i, // "Webhook", "WEBHOOK_URL"
];

/** A placeholder set off by stars on both sides: "****WEBHOOK-URL****". */
const STARRED = /^\*{2,}\s*([^*\s][^*]{0,60}?)\s*\*{2,}$/;

/** Whether a string is a template placeholder (the whole string, nothing else). */
export function isPlaceholder(text: string): boolean {
  const trimmed = text.trim();
  const inner = STARRED.exec(trimmed)?.[1] ?? trimmed;
  return inner.length > 0 && inner.length <= 80 && WHOLE.some((r) => r.test(inner));
}

/**
 * A destination that is a placeholder, alone or as the host of a URL ("https://%WEBHOOK%/") or
 * of a socket address ("YOUR IP HERE:8888"). Stars stand for unknown parts of a folded
 * destination, so only the starred form ("****WEBHOOK****", whole) may contain them.
 */
export function placeholderDestination(destination: string | undefined): string | undefined {
  if (!destination) return undefined;
  const bare = destination.replace(/^[a-z]+:\/\//i, "").replace(/\/$/, "").replace(/:\d{1,5}$/, "");
  if (bare.includes("*") && !STARRED.test(bare)) return undefined;
  return isPlaceholder(bare) ? bare : undefined;
}
