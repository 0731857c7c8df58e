// A credential written into a URL's path where its issuer's API expects it (signatures/
// indicators.yaml `issuers[].pathSlot`: Telegram's Bot API reads the bot token from
// `https://api.telegram.org/bot<token>/…`). That place is the request's credential slot, as an
// Authorization header is; anywhere else in a URL (query, another segment, another host) the value
// is data. Both front-ends track it while they build strings: a value appended right where a
// known URL prefix ends sits in the slot; what the string gives to a later concatenation keeps
// that only as its leading part. Whether the credential belongs to that issuer is the rules' question.
import type { Signatures } from "../../rules/signatures.js";

/** The folded text of a value that can be the slot's token as a whole: no separator of path, query, fragment or host. */
const TOKEN_TEXT = /^[A-Za-z0-9_:*-]*$/;

const cache = new WeakMap<Signatures, RegExp[]>();

/** The whole-text regexes of URLs up to a credential slot. */
export function urlSlots(signatures: Signatures): RegExp[] {
  let slots = cache.get(signatures);
  if (!slots) {
    slots = signatures.issuers.flatMap((i) => (i.urlSlot ? [i.urlSlot] : []));
    cache.set(signatures, slots);
  }
  return slots;
}

/**
 * Follows the parts of one string being built, left to right: `add(text, keys, inherited)` for
 * each part with the text it folds to, the keys of the credentials it carries, and (first part
 * only) the keys that already sit in a slot of that part. `slotted()` gives the keys that sit
 * only in a slot of the result.
 */
export class SlotTracker {
  private text = "";
  private first = true;
  private readonly inSlot = new Set<string>();
  private readonly elsewhere = new Set<string>();

  constructor(private readonly slots: readonly RegExp[]) {}

  add(text: string, keys: readonly string[], inherited: readonly string[] | undefined): void {
    // Only the leading part keeps its slots: anything put before a URL makes it data.
    const kept = this.first ? new Set(inherited) : undefined;
    // A part is the slot's value only when it is one opaque token: a part that folds to more (`rest`
    // holding `/sendMessage?text=` + a secret) carries path, query or body of its own, and its keys are data.
    const atSlot = !this.first && keys.length > 0 && TOKEN_TEXT.test(text) && this.text.length < 512 && this.slots.some((s) => s.test(this.text));
    for (const key of keys) (atSlot || kept?.has(key) ? this.inSlot : this.elsewhere).add(key);
    if (this.text.length < 512) this.text += text;
    this.first = false;
  }

  slotted(): string[] | undefined {
    const keys = [...this.inSlot].filter((k) => !this.elsewhere.has(k));
    return keys.length > 0 ? keys : undefined;
  }
}
