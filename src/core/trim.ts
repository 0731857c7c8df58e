// Linear trims. `s.replace(/X+$/, "")` is quadratic in V8 on a long run of X that is not
// at the end (every start position scans the run again): these loops read each character once.

/** `text` without the trailing characters that are in `chars`. */
export function trimEndChars(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1]!)) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** `text` without trailing slashes (URLs, paths). */
export function trimSlashes(text: string): string {
  return trimEndChars(text, "/");
}

/** Split at `separator` with the white space around each separator removed: `split(/\s*;\s*\/)` made linear. */
export function splitTrimmed(text: string, separator: string, limit?: number): string[] {
  const parts = text.split(separator);
  return parts.slice(0, limit).map((part, i) => {
    const start = i > 0 ? part.trimStart() : part;
    return i < parts.length - 1 ? start.trimEnd() : start;
  });
}

/** Every run of white space that holds a line break becomes one space (`replace(/\s*\n\s*\/g, " ")`, linear). */
export function joinLines(text: string): string {
  const lines = splitTrimmed(text, "\n");
  return lines.filter((line, i) => line !== "" || i === 0 || i === lines.length - 1).join(" ");
}
