// Wildcard patterns from user input (ignore-file paths, sshd_config address lists) matched
// without building a regex: a regex of several `.*` runs backtracks polynomially in the
// number of stars (`*a*a*a*b` on a long run of "a"). Here the pattern's positions are
// followed all at once, one character at a time: O(text × pattern) in the worst case.

/** One step of a pattern: a character it takes, repeated (zero or more) or once. */
interface Step {
  takes: (c: string) => boolean;
  repeat: boolean;
  /** A way from this step to the step `skip` further on without taking anything. */
  skip?: number;
}

const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;
const notSlash = (c: string): boolean => c !== "/";
const notTerminator = (c: string): boolean => !LINE_TERMINATOR.test(c);

/** Whether the steps match the whole text (read by UTF-16 code unit, as a regex without `u` does). */
function matchSteps(steps: Step[], text: string): boolean {
  let active = new Uint8Array(steps.length + 1);
  let next = new Uint8Array(steps.length + 1);
  const close = (set: Uint8Array): void => {
    // The ways forward that take nothing: past a repeated step, or a skip.
    for (let i = 0; i < steps.length; i++) {
      if (!set[i]) continue;
      if (steps[i]!.repeat) set[i + 1] = 1;
      const skip = steps[i]!.skip;
      if (skip !== undefined) set[i + skip] = 1;
    }
  };
  active[0] = 1;
  close(active);
  for (let at = 0; at < text.length; at++) {
    const c = text[at]!;
    next.fill(0);
    let any = false;
    for (let i = 0; i < steps.length; i++) {
      if (!active[i] || !steps[i]!.takes(c)) continue;
      next[steps[i]!.repeat ? i : i + 1] = 1;
      any = true;
    }
    if (!any) return false;
    close(next);
    [active, next] = [next, active];
  }
  return active[steps.length] === 1;
}

/** The character as a case-insensitive regex compares it (ECMAScript Canonicalize, not Unicode mode). */
function fold(c: string): string {
  const upper = c.toUpperCase();
  return upper.length !== 1 || (c.charCodeAt(0) >= 128 && upper.charCodeAt(0) < 128) ? c : upper;
}

function literal(char: string, ignoreCase: boolean): Step {
  if (!ignoreCase) return { takes: (c) => c === char, repeat: false };
  const folded = fold(char);
  return { takes: (c) => fold(c) === folded, repeat: false };
}

/**
 * A path glob: `**` any characters across "/" (not a line break), `**` + "/" also nothing,
 * `*` any characters within one path segment, `?` one character but "/", others themselves.
 */
export function pathGlobMatches(pattern: string, path: string): boolean {
  const steps: Step[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === "*" && pattern[i + 1] === "*") {
      const slash = pattern[i + 2] === "/";
      // `**/` is `(?:.*/)?`: a fork that takes nothing and goes on to `.*/` or past it.
      if (slash) steps.push({ takes: () => false, repeat: true, skip: 3 });
      steps.push({ takes: notTerminator, repeat: true });
      if (slash) steps.push(literal("/", false));
      i += slash ? 2 : 1;
    } else if (char === "*") steps.push({ takes: notSlash, repeat: true });
    else if (char === "?") steps.push({ takes: notSlash, repeat: false });
    else steps.push(literal(char, false));
  }
  return matchSteps(steps, path);
}

/** A wildcard pattern: `*` any characters, `?` one character (neither a line break; `?` itself with `literalQuestionMark`), others themselves. */
export function wildcardMatches(pattern: string, text: string, options: { ignoreCase?: boolean; literalQuestionMark?: boolean } = {}): boolean {
  const steps: Step[] = pattern.split("").map((char) =>
    char === "*"
      ? { takes: notTerminator, repeat: true }
      : char === "?" && !options.literalQuestionMark
        ? { takes: notTerminator, repeat: false }
        : literal(char, options.ignoreCase ?? false),
  );
  return matchSteps(steps, text);
}
