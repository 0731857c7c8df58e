// Backtracking hazards of a regular expression, found from its source (no timing).
// V8 runs regexes by backtracking: a pattern in which one input can be matched in many
// ways costs exponential or polynomial time on a crafted input. Regexes built at run time
// (signature YAML, patterns in scanned code the interpreter evaluates) are checked here;
// every regex literal in src/ is checked with it by test/hardening/regex-runtime.test.ts.
//
// The shapes found:
// - "exponential": an unbounded repetition (`*`, `+`, `{n,}`, `{n,m}` with m > 10) of a group
//   that can match the same text in more than one way: alternatives that can start with
//   the same character (`(a|ab)*`), or a variable-length part that can trade characters
//   with itself or a neighbour across iterations (`(a+)+`, `(\w+\s?)*`, `(a*b*)*`).
// - "polynomial": two variable-length parts that can match the same characters with only
//   optional parts between them (`\s*\s*`, `\d+\.?\d+`), or an unanchored pattern that starts
//   with a repeated atom (`\s+$`, `=+$`): V8 retries from every position of a long run.
// A backreference may match any characters, but its length is fixed by its group: it is
// not a variable-length part itself (`(['"])x\1\s*` is linear).

export type RegexHazard = { kind: "exponential" | "polynomial"; reason: string };

/** A character sample: sets are compared by which of these they match. */
const PROBES: string[] = (() => {
  const out: string[] = [];
  for (let c = 0; c < 256; c++) out.push(String.fromCharCode(c));
  out.push("\ue000", "\ue001", "\u0100", "\u017f", "\u0391", "\u0416", "\u05d0", "\u0660", "\u1680", "\u2028", "\u200b", "\u3000", "\u4e00", "\ufeff", "\uffff", "\u212a");
  return out;
})();

interface Term {
  /** Probes it may consume (any position); undefined = any character. */
  set: Set<number> | undefined;
  /** Probes a variable-length end of it can take (what it can trade with the next part); undefined = any. */
  tail: Set<number> | undefined;
  /** Probes a variable-length start of it can take (what it can trade with the part before); undefined = any. */
  head: Set<number> | undefined;
  /** First characters it may start with; undefined = any. */
  first: Set<number> | undefined;
  /** Quantified with no upper bound (`*`, `+`, `{n,}`). */
  repeats?: boolean;
  min: number;
  max: number;
  /** A quantified or alternated part whose length varies. */
  variable: boolean;
  zeroWidth: boolean;
  anchorStart: boolean;
  /** A group's alternatives. */
  alts?: Term[][];
  look?: boolean;
}

/** Probe sets of atoms already seen (by flags and source). */
const probed = new Map<string, Set<number> | null>();

const EMPTY = (): Set<number> => new Set();

class Parser {
  i = 0;
  hazards: RegexHazard[] = [];
  constructor(
    readonly src: string,
    readonly flags: string,
  ) {}

  private probe(atom: string): Set<number> | undefined {
    const key = `${this.flags.includes("i") ? "i" : ""}${this.flags.includes("s") ? "s" : ""}${this.flags.includes("u") || this.flags.includes("v") ? "u" : ""}/${atom}`;
    if (probed.has(key)) return probed.get(key) ?? undefined;
    if (probed.size > 10_000) probed.clear();
    const set = this.probeUncached(atom);
    probed.set(key, set ?? null);
    return set;
  }

  private probeUncached(atom: string): Set<number> | undefined {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${atom})$`, this.flags.replace(/[gymd]/g, ""));
    } catch {
      return undefined;
    }
    const set = new Set<number>();
    for (let k = 0; k < PROBES.length; k++) if (re.test(PROBES[k]!)) set.add(k);
    return set;
  }

  /** alternatives := sequence ('|' sequence)* */
  alternatives(): Term[][] {
    const alts: Term[][] = [this.sequence()];
    while (this.src[this.i] === "|") {
      this.i++;
      alts.push(this.sequence());
    }
    return alts;
  }

  /** One alternative; a plain group of one alternative is spliced in (`(?:a*)b` is `a*b`). */
  sequence(): Term[] {
    const terms: Term[] = [];
    while (this.i < this.src.length && this.src[this.i] !== "|" && this.src[this.i] !== ")") {
      const atom = this.atom();
      if (!atom) continue;
      const term = this.quantified(atom);
      if (term === atom && atom.alts?.length === 1 && !atom.look) terms.push(...atom.alts[0]!);
      else {
        // A group on its own (quantified or with alternatives): each alternative is checked here, what follows it unknown.
        if (atom.alts && !atom.look) for (const alt of atom.alts) this.checkSequence(alt, false, false);
        terms.push(term);
      }
    }
    return terms;
  }

  private atom(): Term | undefined {
    const s = this.src;
    const c = s[this.i]!;
    const start = this.i;
    const one = (set: Set<number> | undefined): Term => ({ set, tail: EMPTY(), head: EMPTY(), first: set, min: 1, max: 1, variable: false, zeroWidth: false, anchorStart: false });
    const zero = (anchorStart = false): Term => ({ set: EMPTY(), tail: EMPTY(), head: EMPTY(), first: EMPTY(), min: 0, max: 0, variable: false, zeroWidth: true, anchorStart });
    if (c === "^") {
      this.i++;
      return zero(true);
    }
    if (c === "$") {
      this.i++;
      return zero();
    }
    if (c === "(") return this.group();
    if (c === "[") {
      this.i++;
      if (s[this.i] === "^") this.i++;
      if (s[this.i] === "]") this.i++;
      while (this.i < s.length && s[this.i] !== "]") this.i += s[this.i] === "\\" ? 2 : 1;
      this.i++;
      return one(this.probe(s.slice(start, this.i)));
    }
    if (c === "\\") {
      const next = s[this.i + 1] ?? "";
      if (next === "b" || next === "B") {
        this.i += 2;
        return zero();
      }
      if (/[1-9]/.test(next) || (next === "k" && s[this.i + 2] === "<")) {
        // A backreference: any text, but exactly the text its group captured. Its length is
        // fixed once the group has matched, so it cannot trade characters with its neighbours
        // (no variable head or tail); only a quantifier on it makes it variable.
        this.i += 2;
        if (next === "k") this.i = s.indexOf(">", this.i) + 1 || s.length;
        else while (/\d/.test(s[this.i] ?? "")) this.i++;
        return { set: undefined, tail: EMPTY(), head: EMPTY(), first: undefined, min: 0, max: Infinity, variable: false, zeroWidth: false, anchorStart: false };
      }
      if ((next === "p" || next === "P") && s[this.i + 2] === "{") this.i = s.indexOf("}", this.i) + 1 || s.length;
      else if (next === "u" && s[this.i + 2] === "{") this.i = s.indexOf("}", this.i) + 1 || s.length;
      else if (next === "u") this.i += 6;
      else if (next === "x") this.i += 4;
      else if (next === "c") this.i += 3;
      else this.i += 2;
      return one(this.probe(s.slice(start, this.i)));
    }
    this.i++;
    return one(this.probe(s.slice(start, this.i)));
  }

  private group(): Term {
    const s = this.src;
    this.i++;
    let look = false;
    if (s[this.i] === "?") {
      if (s.startsWith("?:", this.i)) this.i += 2;
      else if (s.startsWith("?=", this.i) || s.startsWith("?!", this.i)) {
        this.i += 2;
        look = true;
      } else if (s.startsWith("?<=", this.i) || s.startsWith("?<!", this.i)) {
        this.i += 3;
        look = true;
      } else if (s.startsWith("?<", this.i)) this.i = s.indexOf(">", this.i) + 1 || s.length;
      else {
        // A modifier group `(?i:…)`.
        while (this.i < s.length && s[this.i] !== ":" && s[this.i] !== ")") this.i++;
        if (s[this.i] === ":") this.i++;
      }
    }
    const alts = this.alternatives();
    this.i++; // ")"
    if (look) {
      for (const alt of alts) this.checkSequence(alt, false, false);
      return { set: EMPTY(), tail: EMPTY(), head: EMPTY(), first: EMPTY(), min: 0, max: 0, variable: false, zeroWidth: true, anchorStart: false, alts, look: true };
    }
    let min = Infinity;
    let max = 0;
    let set: Set<number> | undefined = EMPTY();
    let first: Set<number> | undefined = EMPTY();
    let tail: Set<number> | undefined = EMPTY();
    let head: Set<number> | undefined = EMPTY();
    let variable = false;
    for (const alt of alts) {
      const length = sequenceLength(alt);
      min = Math.min(min, length.min);
      max = Math.max(max, length.max);
      variable ||= alt.some((t) => t.variable);
      set = union(set, alt.map((t) => t.set));
      first = union(first, [firstOf(alt)]);
      tail = union(tail, [tailOf(alt)]);
      head = union(head, [headOf(alt)]);
    }
    if (alts.length > 1 && min !== max) variable = true;
    return { set, tail, head, first, min: min === Infinity ? 0 : min, max, variable, zeroWidth: false, anchorStart: false, alts };
  }

  private quantified(term: Term): Term {
    const s = this.src;
    const c = s[this.i];
    let min = 1;
    let max = 1;
    if (c === "*" || c === "+" || c === "?") {
      min = c === "+" ? 1 : 0;
      max = c === "?" ? 1 : Infinity;
      this.i++;
    } else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i, this.i + 24));
      if (!m) return term;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
      this.i += m[0].length;
    } else return term;
    if (s[this.i] === "?") this.i++; // lazy: the same hazards
    if (term.zeroWidth) return { ...term, alts: undefined };
    if (max > 10) this.checkRepeated(term);
    const variable = term.variable || min !== max;
    return {
      set: term.set,
      // A repeated character can start and end anywhere in its run; a group keeps its own ends
      // (what happens between its iterations is checkRepeated's).
      tail: variable && !term.alts ? term.set : term.tail,
      head: variable && !term.alts ? term.set : term.head,
      first: term.first,
      repeats: max === Infinity,
      min: term.min * min,
      max: max === 0 ? 0 : term.max * max,
      variable,
      zeroWidth: false,
      anchorStart: false,
      ...(term.alts ? { alts: term.alts } : {}),
    };
  }

  /** Ambiguity under an unbounded repetition: the same text matched in many ways. */
  private checkRepeated(term: Term): void {
    const body = term.alts ?? [[term]];
    if (term.min === 0 && term.max > 0 && term.variable) {
      this.hazards.push({ kind: "exponential", reason: "a repeated part can match the empty string" });
      return;
    }
    if (body.length > 1) {
      const firsts = body.map(firstOf);
      for (let a = 0; a < firsts.length; a++) {
        for (let b = a + 1; b < firsts.length; b++) {
          if (overlaps(firsts[a], firsts[b])) {
            this.hazards.push({ kind: "exponential", reason: "repeated alternatives can start with the same character" });
            return;
          }
        }
      }
    }
    for (const alt of body) {
      // Two iterations back to back: a variable end of one can trade characters with the start of the next.
      if (this.checkSequence([...alt, ...alt], true, false)) return;
    }
  }

  /**
   * Variable-length parts that can take the same characters, with only parts the first
   * one can also take between them. `atEnd`: nothing but `$` follows this sequence, so a
   * last part that matches anything cannot fail (`^.*x.*$` is linear).
   */
  checkSequence(terms: Term[], repeated: boolean, atEnd: boolean): boolean {
    let end = terms.length;
    if (atEnd) {
      // Optional parts at the very end (no `$` after them) cannot make the match fail: once what
      // precedes them has matched, the match is found (`;.*?rhost=(\S*)(?:\s+user=(\S+))?`).
      while (end > 0 && terms[end - 1]!.min === 0 && !terms[end - 1]!.zeroWidth) end--;
      if (end === terms.length) {
        while (end > 0 && terms[end - 1]!.zeroWidth) end--;
        const last = terms[end - 1];
        if (last && last.min === 0 && last.max === Infinity && last.set?.size === PROBES.length) end--;
      }
    }
    for (let a = 0; a < end; a++) {
      const left = terms[a]!;
      if (!left.variable) continue;
      const passed: (Set<number> | undefined)[] = [];
      for (let b = a + 1; b < end; b++) {
        const right = terms[b]!;
        if (right.zeroWidth) continue;
        // Outside a repetition a bounded part gives a bounded number of splits: only two unbounded parts are polynomial.
        const counts = repeated || (left.max === Infinity && right.max === Infinity);
        // Past a required separator (` from `), the right part can start at many places only if it can also take the separator.
        const crosses = passed.every((sep) => overlaps(sep, right.head));
        if (counts && crosses && overlaps(left.tail, right.head)) {
          this.hazards.push({
            kind: repeated ? "exponential" : "polynomial",
            reason: repeated ? "a repeated part can split its text in many ways" : "two variable-length parts can match the same characters",
          });
          return true;
        }
        // A required part the left one can also take does not end it (`.*?,` then the next `.*?`).
        if (right.min > 0 && !subset(right.set, left.tail)) break;
        if (right.min > 0) passed.push(right.set);
      }
    }
    return false;
  }
}

function headOf(terms: Term[]): Set<number> | undefined {
  let head: Set<number> | undefined = EMPTY();
  for (const t of terms) {
    if (t.zeroWidth) continue;
    head = union(head, [t.head]);
    if (t.min > 0) break;
  }
  return head;
}

function tailOf(terms: Term[]): Set<number> | undefined {
  let tail: Set<number> | undefined = EMPTY();
  for (let k = terms.length - 1; k >= 0; k--) {
    const t = terms[k]!;
    if (t.zeroWidth) continue;
    tail = union(tail, [t.tail]);
    if (t.min > 0) break;
  }
  return tail;
}

function sequenceLength(terms: Term[]): { min: number; max: number } {
  let min = 0;
  let max = 0;
  for (const t of terms) {
    min += t.min;
    max += t.max;
  }
  return { min, max };
}

function firstOf(terms: Term[]): Set<number> | undefined {
  let first: Set<number> | undefined = new Set();
  for (const t of terms) {
    if (t.zeroWidth) continue;
    first = union(first, [t.first]);
    if (t.min > 0) break;
  }
  return first;
}

function union(into: Set<number> | undefined, sets: (Set<number> | undefined)[]): Set<number> | undefined {
  if (!into) return undefined;
  for (const s of sets) {
    if (!s) return undefined;
    for (const x of s) into.add(x);
  }
  return into;
}

function subset(a: Set<number> | undefined, b: Set<number> | undefined): boolean {
  if (!b) return true;
  if (!a) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function overlaps(a: Set<number> | undefined, b: Set<number> | undefined): boolean {
  if (!a || !b) return (a?.size ?? 1) > 0 && (b?.size ?? 1) > 0;
  for (const x of a) if (b.has(x)) return true;
  return false;
}

/** The hazard of a regex source with its flags, or undefined when none of the shapes above is found. */
export function regexHazard(source: string, flags = ""): RegexHazard | undefined {
  const parser = new Parser(source, flags);
  const top = parser.alternatives();
  for (const alt of top) parser.checkSequence(alt, false, true);
  const exponential = parser.hazards.find((h) => h.kind === "exponential");
  if (exponential) return exponential;
  if (parser.hazards.length) return parser.hazards[0];
  // Unanchored, starting with a repeated atom, and something after it that can fail.
  for (const alt of top) {
    // An assertion in front (`^`, `\b`, a lookbehind) keeps V8 from retrying inside the run.
    const lead = alt[0];
    if (!lead || lead.zeroWidth) continue;
    if (lead.repeats && alt.length > 1 && !flags.includes("y")) {
      return { kind: "polynomial", reason: "unanchored, and starts with a repeated part: retried from every position of a long run" };
    }
  }
  return undefined;
}

const cache = new Map<string, RegexHazard | null>();

/** regexHazard of a compiled RegExp, computed once per source and flags. */
export function hazardOf(re: RegExp): RegexHazard | undefined {
  const key = `${re.flags}/${re.source}`;
  let hazard = cache.get(key);
  if (hazard === undefined) {
    if (cache.size > 10_000) cache.clear();
    hazard = regexHazard(re.source, re.flags) ?? null;
    cache.set(key, hazard);
  }
  return hazard ?? undefined;
}
