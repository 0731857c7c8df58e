// JSON.parse does not say where things are. This small scanner walks the same text and
// records the 1-based line of every object key, by its path, so a finding can point at
// the lockfile line that declares a package. It only runs on text JSON.parse accepted.

/** Path segments joined by "\u0000" → line of the key. */
export type KeyLines = Map<string, number>;

export function keyPath(...segments: string[]): string {
  return segments.join("\u0000");
}

export function jsonKeyLines(text: string): KeyLines {
  const lines: KeyLines = new Map();
  let i = 0;
  let line = 1;
  const skip = () => {
    for (;;) {
      const c = text[i];
      if (c === "\n") line++;
      if (c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\ufeff") i++;
      else return;
    }
  };
  const readString = (): string => {
    const start = i; // at the opening quote
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string[], depth: number): void => {
    if (depth > 200) throw new Error("JSON nested too deep");
    skip();
    const c = text[i];
    if (c === "{") {
      i++;
      skip();
      if (text[i] === "}") return void i++;
      for (;;) {
        skip();
        const keyLine = line;
        const key = readString();
        const childPath = [...path, key];
        lines.set(childPath.join("\u0000"), keyLine);
        skip();
        i++; // :
        value(childPath, depth + 1);
        skip();
        if (text[i++] === "}") return;
      }
    }
    if (c === "[") {
      i++;
      skip();
      if (text[i] === "]") return void i++;
      for (let index = 0; ; index++) {
        value([...path, String(index)], depth + 1);
        skip();
        if (text[i++] === "]") return;
      }
    }
    if (c === '"') return void readString();
    while (i < text.length && !/[,}\]\s]/.test(text[i]!)) i++;
  };
  value([], 0);
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
