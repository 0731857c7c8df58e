// JSON.parse does not say where things are. This small scanner walks the same text and
// records the 1-based line of every object key, by its path, so a finding can point at
// the lockfile line that declares a package. It only runs on text JSON.parse accepted.

/** Path segments joined by "\u0000" → line of the key. */
export type KeyLines = Map<string, number>;

export function keyPath(...segments: string[]): string {
  return segments.join("\u0000");
}

export function jsonKeyLines(text: string): KeyLines {
  // One pass, no parse of values: paths are kept joined (no array per key), keys without an
  // escape are sliced, string values and scalars are skipped character by character.
  const lines: KeyLines = new Map();
  const length = text.length;
  let i = 0;
  let line = 1;
  const skip = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      if (c === 32 || c === 9 || c === 13 || c === 10 || c === 0xfeff) i++;
      else return;
    }
  };
  /** At the opening quote: index just past the closing quote; `escaped` says whether a backslash was seen. */
  let escaped = false;
  const stringEnd = (): number => {
    let j = i + 1;
    escaped = false;
    for (;;) {
      if (j >= length) return j;
      const c = text.charCodeAt(j);
      if (c === 34) return j + 1;
      if (c === 92) {
        escaped = true;
        j += 2;
      } else j++;
    }
  };
  const readKey = (): string => {
    const start = i;
    i = stringEnd();
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
  };
  const value = (path: string, depth: number): void => {
    if (depth > 200) throw new Error("JSON nested too deep");
    skip();
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) {
      i++;
      skip();
      if (text.charCodeAt(i) === 125) return void i++;
      for (;;) {
        skip();
        const keyLine = line;
        const key = readKey();
        const childPath = depth === 0 ? key : `${path}\u0000${key}`;
        lines.set(childPath, keyLine);
        skip();
        i++; // :
        value(childPath, depth + 1);
        skip();
        if (text.charCodeAt(i++) === 125) return;
      }
    }
    if (c === 91 /* [ */) {
      i++;
      skip();
      if (text.charCodeAt(i) === 93) return void i++;
      for (let index = 0; ; index++) {
        value(depth === 0 ? String(index) : `${path}\u0000${index}`, depth + 1);
        skip();
        if (text.charCodeAt(i++) === 93) return;
      }
    }
    if (c === 34 /* " */) return void (i = stringEnd());
    for (;;) {
      const d = text.charCodeAt(i);
      if (i >= length || d === 44 || d === 125 || d === 93 || d === 32 || d === 9 || d === 10 || d === 13) return;
      i++;
    }
  };
  value("", 0);
  return lines;
}

/** JSON.parse with the position of a syntax error turned into a line number. */
export function parseJsonWithLine(text: string): { value: unknown } | { error: string; line?: number } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const lineMatch = /line (\d+)/.exec(message);
    const line = position ? text.slice(0, Number(position[1])).split("\n").length : lineMatch ? Number(lineMatch[1]) : undefined;
    return { error: `invalid JSON: ${message}`, ...(line ? { line } : {}) };
  }
}
