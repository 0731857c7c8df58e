/**
 * A lookup table keyed by names taken from scanned code. Built without a prototype, so a
 * name such as "constructor", "hasOwnProperty" or "__proto__" in a package never finds an
 * inherited function (which would then be called, or end up in facts that cannot be sent
 * to a worker thread).
 */
export function lookupTable<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}
