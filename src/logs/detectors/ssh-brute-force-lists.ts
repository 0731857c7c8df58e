// In-place list helpers of the SSH brute-force detector (no new array a line).

/** Take the failures before `cutoff` out of the list, in place (order kept; no new array a failure). */
export function dropFailuresBefore(list: { at: number }[], cutoff: number): void {
  let kept = 0;
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    if (item.at >= cutoff) list[kept++] = item;
  }
  list.length = kept;
}

/** The same for a list of times (ms). */
export function dropTimesBefore(list: number[], cutoff: number): void {
  let kept = 0;
  for (let i = 0; i < list.length; i++) {
    const at = list[i]!;
    if (at >= cutoff) list[kept++] = at;
  }
  list.length = kept;
}

/** `into.push(...from.slice(-count))` without the copy. */
export function pushLast<T>(into: T[], from: readonly T[], count: number): void {
  for (let i = Math.max(0, from.length - count); i < from.length; i++) into.push(from[i]!);
}
