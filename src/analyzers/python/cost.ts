// What parsing a Python file will cost, read before tree-sitter sees it. tree-sitter keeps
// ~120 bytes of wasm memory a syntax node (memory a wasm instance never gives back), so a
// file is admitted by its tokens, not its size: comments and the plain characters of a
// string cost nothing, so a file padded with a comment or carrying a big data string is
// still analysed, while 20 MB of dense code is not. The count errs high: every escape
// sequence and every f-string brace is a node of its own.

const enum Char {
  Tab = 9,
  LineFeed = 10,
  FormFeed = 12,
  Return = 13,
  Space = 32,
  Quote = 34,
  Hash = 35,
  Apostrophe = 39,
  Backslash = 92,
  OpenBrace = 123,
  UpperF = 70,
  LowerF = 102,
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

/** End of the string literal opening at `i` (after its quote(s)), and the nodes inside it. */
function skipString(text: string, i: number, formatted: boolean): { end: number; inner: number } {
  const quote = text.charCodeAt(i);
  const triple = text.charCodeAt(i + 1) === quote && text.charCodeAt(i + 2) === quote;
  let inner = 0;
  let j = i + (triple ? 3 : 1);
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === Char.Backslash) {
      inner++;
      j += 2;
      continue;
    }
    if (formatted && c === Char.OpenBrace) inner += 2;
    if (c === quote && (!triple || (text.charCodeAt(j + 1) === quote && text.charCodeAt(j + 2) === quote))) return { end: j + (triple ? 3 : 1), inner };
    if (!triple && c === Char.LineFeed) return { end: j, inner };
    j++;
  }
  return { end: j, inner };
}

/** Tokens of Python source (an upper estimate of tree-sitter's nodes / 1.3), counting stops past `max`. */
export function pythonTokens(text: string, max: number): number {
  let count = 0;
  let i = 0;
  /** The word just before is a string prefix with an f (`f`, `rf`, `Fb` …: three letters at most). No slice of every word. */
  let formatPrefix = false;
  while (i < text.length && count <= max) {
    const c = text.charCodeAt(i);
    if (c === Char.Space || c === Char.Tab || c === Char.LineFeed || c === Char.Return || c === Char.FormFeed) {
      i++;
      formatPrefix = false;
    } else if (c === Char.Hash) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
    } else if (c === Char.Quote || c === Char.Apostrophe) {
      const string = skipString(text, i, formatPrefix);
      count += 1 + string.inner;
      i = string.end;
      formatPrefix = false;
    } else if (isWordChar(c)) {
      const start = i;
      let f = false;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (!isWordChar(d)) break;
        if (d === Char.LowerF || d === Char.UpperF) f = true;
        i++;
      }
      formatPrefix = f && i - start <= 3;
      count++;
    } else {
      count++;
      i++;
      formatPrefix = false;
    }
  }
  return count;
}
