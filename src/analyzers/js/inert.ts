// Regions of a file that provably hold no code, cut before the text is decoded and parsed.
// A bundle's inline source map (`//# sourceMappingURL=data:…;base64,…`) is often a third of
// the file: a comment Node never runs, which would only cost memory and parse time.

const MARKERS = ["//# sourceMappingURL=data:", "//@ sourceMappingURL=data:"].map((m) => Buffer.from(m, "latin1"));

/** Only spaces, tabs and line ends in content[from, to). */
function blank(content: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = content[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

/**
 * The content without a trailing inline source map: the last line, when it starts with a
 * `//# sourceMappingURL=data:` comment and nothing but whitespace follows it. Safe by
 * construction: that line is either a comment (cutting it changes nothing) or the inside
 * of a string, template or block comment opened earlier, which the cut leaves unterminated,
 * so the file no longer parses and is reported, never quietly read as something else. Lines
 * before it keep their numbers and offsets.
 */
export function withoutInlineSourceMap(content: Buffer): Buffer {
  for (const marker of MARKERS) {
    const at = content.lastIndexOf(marker);
    if (at < 0) continue;
    if (at > 0 && content[at - 1] !== 0x0a) continue; // the marker must start its line
    const lineEnd = content.indexOf(0x0a, at);
    if (lineEnd >= 0 && !blank(content, lineEnd, content.length)) continue;
    return content.subarray(0, at);
  }
  return content;
}
