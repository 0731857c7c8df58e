// In-place list helpers of the SSH brute-force and login-after-failures detectors (no new array a line).

/** Timed items and the earliest time among them (unset: not known yet, e.g. loaded from saved state). */
export type TimedList<T extends { at: number }> = T[] & { oldest?: number };

/**
 * Take the failures before `cutoff` out of the list, in place (order kept; no new array a
 * failure), without reading it while its earliest failure is in the window (a blocked
 * guesser's hundreds of failures would be walked on each new one).
 */
export function dropFailuresBefore<T extends { at: number }>(list: TimedList<T>, cutoff: number): void {
  if (list.oldest !== undefined && list.oldest >= cutoff) return;
  let kept = 0;
  let oldest = Infinity;
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    if (item.at >= cutoff) {
      list[kept++] = item;
      if (item.at < oldest) oldest = item.at;
    }
  }
  if (kept !== list.length) list.length = kept; // setting an array's length is a runtime call, even to itself
  list.oldest = oldest;
}

/** Append to a list dropFailuresBefore() has just read, or to a new one (so its earliest time is known). */
export function pushTimed<T extends { at: number }>(list: TimedList<T>, item: T): void {
  list.push(item);
  if (list.length === 1 || (list.oldest !== undefined && item.at < list.oldest)) list.oldest = item.at;
}

/** The same for a list of times (ms). */
export function dropTimesBefore(list: number[], cutoff: number): void {
  let kept = 0;
  for (let i = 0; i < list.length; i++) {
    const at = list[i]!;
    if (at >= cutoff) list[kept++] = at;
  }
  if (kept !== list.length) list.length = kept;
}

/** `into.push(...from.slice(-count))` without the copy. */
export function pushLast<T>(into: T[], from: readonly T[], count: number): void {
  for (let i = Math.max(0, from.length - count); i < from.length; i++) into.push(from[i]!);
}
