// Regions of a file that provably hold no code, cut before the text is decoded and parsed.
// A bundle's inline source map (`//# sourceMappingURL=data:…;base64,…`) is often a third of
// the file: a comment Node never runs, which would only cost memory and parse time.

const MARKERS = ["//# sourceMappingURL=data:", "//@ sourceMappingURL=data:"].map((m) => Buffer.from(m, "latin1"));

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * The content without a trailing inline source map: the last line, when it starts with a
 * `//# sourceMappingURL=data:` comment and nothing but whitespace follows it. Safe by
 * construction: that line is either a comment (cutting it changes nothing) or the inside
 * of a string, template or block comment opened earlier, which the cut leaves unterminated,
 * so the file no longer parses and is reported, never quietly read as something else. Lines
 * before it keep their numbers and offsets. Only the last line with anything on it is looked
 * at (a search for the marker through the whole file costs more than the cut saves).
 */
export function withoutInlineSourceMap(content: Buffer): Buffer {
  let last = content.length - 1;
  while (last >= 0 && isBlank(content[last]!)) last--;
  if (last < 0) return content;
  const lineStart = content.lastIndexOf(0x0a, last) + 1;
  for (const marker of MARKERS) {
    if (last - lineStart + 1 < marker.length || content.compare(marker, 0, marker.length, lineStart, lineStart + marker.length) !== 0) continue;
    // The last occurrence of the marker must be the one that starts the line.
    if (content.indexOf(marker, lineStart + 1) >= 0) continue;
    return content.subarray(0, lineStart);
  }
  return content;
}
