// The two most frequent sshd lines of a host under password guessing (each about a fifth of
// such a log), read by hand instead of by their regexes in sshd.ts: no match array and no
// capture strings a line. Each reader accepts only the common form and then gives exactly
// what the regex would capture; anything else is `undefined` and the regex decides (a
// property test holds the two together: test/logs/fast-paths.test.ts).

/** What FAILED captures, converted as sshd.ts uses it (the port as a number). */
export interface FailedFields {
  method: string;
  invalid: boolean;
  user: string;
  source: string;
  port: number | undefined;
  extra: string | undefined;
}

/** What PAM_FAILURE captures. */
export interface PamFields {
  rhost: string;
  user: string | undefined;
}

/** JavaScript's \s: what \S excludes. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** A character `.` does not match (a line terminator) in text[from, to). */
function hasTerminator(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/** End of the run of non-space characters from `i`. */
function runEnd(text: string, i: number): number {
  while (i < text.length && !isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Digits text[from, to) as Number() reads them (summed while exact). */
function digitsValue(text: string, from: number, to: number): number {
  if (to - from > 15) return Number(text.slice(from, to));
  let value = 0;
  for (let i = from; i < to; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

function digitsEnd(text: string, i: number): number {
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i));
  return i;
}

let lastMethod = "password";

/**
 * "Failed <method> for [invalid user ]<user> from <source>[ port <n>[ ssh1|ssh2][: <extra>]]":
 * FAILED's captures. The regex's lazy user ends at the first " from " after which the rest
 * matches, and its lazy source is the whole non-space run unless that run ends in ":" (then
 * ": …" could start earlier): so the first " from " followed by this form is what it takes.
 */
export function readFailed(text: string, into: FailedFields): FailedFields | undefined {
  if (!text.startsWith("Failed ")) return undefined;
  const methodEnd = runEnd(text, 7);
  if (methodEnd === 7 || !text.startsWith(" for ", methodEnd)) return undefined;
  let userStart = methodEnd + 5;
  const invalid = text.startsWith("invalid user ", userStart);
  if (invalid) userStart += 13;
  const from = text.indexOf(" from ", userStart);
  if (from < 0 || hasTerminator(text, userStart, from)) return undefined;
  const sourceStart = from + 6;
  const sourceEnd = runEnd(text, sourceStart);
  if (sourceEnd === sourceStart || text.charCodeAt(sourceEnd - 1) === 58 /* : */) return undefined;
  let port: number | undefined;
  let extra: string | undefined;
  const n = text.length;
  if (sourceEnd !== n) {
    if (!text.startsWith(" port ", sourceEnd)) return undefined;
    const digitsStart = sourceEnd + 6;
    let i = digitsEnd(text, digitsStart);
    if (i === digitsStart) return undefined;
    port = digitsValue(text, digitsStart, i);
    if (i + 5 <= n && text.startsWith(" ssh", i) && (text.charCodeAt(i + 4) === 49 || text.charCodeAt(i + 4) === 50)) i += 5;
    if (i !== n) {
      if (!text.startsWith(": ", i) || hasTerminator(text, i + 2, n)) return undefined;
      extra = text.slice(i + 2);
    }
  }
  into.method = methodEnd - 7 === lastMethod.length && text.startsWith(lastMethod, 7) ? lastMethod : (lastMethod = text.slice(7, methodEnd));
  into.invalid = invalid;
  into.user = text.slice(userStart, from);
  into.source = text.slice(sourceStart, sourceEnd);
  into.port = port;
  into.extra = extra;
  return into;
}

const PAM_AUTH = "(sshd:auth): authentication failure;";

const isWord = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * "pam_<module>(sshd:auth): authentication failure; … rhost=<host>[ user=<name>]": PAM_FAILURE's
 * captures. Its lazy gap stops at the first "rhost=" (the rest is optional, so it always
 * matches there), the host is the non-space run after it, the user the run after "user=".
 */
export function readPamFailure(text: string, into: PamFields): PamFields | undefined {
  if (!text.startsWith("pam_")) return undefined;
  let i = 4;
  while (isWord(text.charCodeAt(i))) i++;
  if (i === 4 || !text.startsWith(PAM_AUTH, i)) return undefined;
  const gapStart = i + PAM_AUTH.length;
  const rhost = text.indexOf("rhost=", gapStart);
  if (rhost < 0 || hasTerminator(text, gapStart, rhost)) return undefined;
  const hostStart = rhost + 6;
  const hostEnd = runEnd(text, hostStart);
  let user: string | undefined;
  let j = hostEnd;
  while (j < text.length && isSpace(text.charCodeAt(j))) j++;
  if (j > hostEnd && text.startsWith("user=", j)) {
    const userEnd = runEnd(text, j + 5);
    if (userEnd > j + 5) user = text.slice(j + 5, userEnd);
  }
  into.rhost = text.slice(hostStart, hostEnd);
  into.user = user;
  return into;
}
