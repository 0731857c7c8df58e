// The flow steps a taint carries, as a persistent list: each taint used to copy its
// predecessor's array (162,713 arrays, 32 MB in one package, most at the 16-step cap), so
// a list is now a small tree of the steps it shares with the lists it was built from. It
// is turned into an array only when a record is emitted (`stepArray`).
//
// Semantics are those of the arrays it replaces, exactly: `pushStep` (a derived value's
// step) drops the step when the list is full or when its last step has the same line and
// note; `appendSteps` (a callee's steps after a caller's) drops each step equal in line,
// file and note to the one before it, then keeps the first 2 and the last MAX_STEPS - 2
// of a list past MAX_STEPS.
import type { FlowStep } from "../facts.js";

export const MAX_STEPS = 16;

/** Two non-empty lists, left then right. Nothing is mutated: nodes are shared freely. */
class StepPair {
  constructor(
    readonly left: StepList,
    readonly right: StepList,
    readonly length: number,
    /** Somewhere two consecutive steps are equal in line, file and note (only a cut can join such steps). */
    readonly repeat: boolean,
  ) {}
}

/** A non-empty list: one step (a leaf) or a pair. */
type StepList = FlowStep | StepPair;

/** A taint's steps; `undefined` is the empty list. */
export type Steps = StepList | undefined;

export function stepCount(steps: Steps): number {
  return steps === undefined ? 0 : steps instanceof StepPair ? steps.length : 1;
}

function firstStep(list: StepList): FlowStep {
  while (list instanceof StepPair) list = list.left;
  return list;
}

function lastStep(list: StepList): FlowStep {
  while (list instanceof StepPair) list = list.right;
  return list;
}

function sameStep(a: FlowStep, b: FlowStep): boolean {
  return a.line === b.line && a.file === b.file && a.note === b.note;
}

function pair(left: StepList, right: StepList): StepPair {
  const repeat = (left instanceof StepPair && left.repeat) || (right instanceof StepPair && right.repeat) || sameStep(lastStep(left), firstStep(right));
  return new StepPair(left, right, stepCount(left) + stepCount(right), repeat);
}

/** Steps `start` to `end` (exclusive) of a list; the list itself when that is all of it. */
function slice(list: StepList, start: number, end: number): StepList {
  if (!(list instanceof StepPair)) return list;
  if (start === 0 && end === list.length) return list;
  const leftLength = stepCount(list.left);
  if (end <= leftLength) return slice(list.left, start, end);
  if (start >= leftLength) return slice(list.right, start - leftLength, end - leftLength);
  return pair(slice(list.left, start, leftLength), slice(list.right, 0, end - leftLength));
}

/** The steps in order, as the array a record holds. */
export function stepArray(steps: Steps): FlowStep[] {
  const result: FlowStep[] = [];
  if (steps !== undefined) collect(steps, result);
  return result;
}

function collect(list: StepList, into: FlowStep[]): void {
  while (list instanceof StepPair) {
    collect(list.left, into);
    list = list.right;
  }
  into.push(list);
}

/** A list of the steps of an array (in order). */
function fromArray(array: readonly FlowStep[], start = 0, end = array.length): Steps {
  if (end - start <= 0) return undefined;
  if (end - start === 1) return array[start];
  const middle = (start + end) >> 1;
  return pair(fromArray(array, start, middle)!, fromArray(array, middle, end)!);
}

/** One more step at the end; the same list when full or when the last step has the same line and note. */
export function pushStep(steps: Steps, step: FlowStep): Steps {
  if (steps === undefined) return step;
  if (stepCount(steps) >= MAX_STEPS) return steps;
  const last = lastStep(steps);
  if (last.line === step.line && last.note === step.note) return steps;
  return pair(steps, step);
}

/**
 * `more` after `steps`, each step dropped when equal (line, file, note) to the one before it
 * (steps already in `steps` are kept as they are); past MAX_STEPS, the first 2 and the last
 * MAX_STEPS - 2.
 */
export function appendSteps(steps: Steps, more: Steps): Steps {
  if (more === undefined) return cut(steps);
  if (more instanceof StepPair && more.repeat) return appendArray(steps, more);
  // `more` has no repeated step: only its first can equal the step before it.
  let rest: Steps = more;
  if (steps !== undefined && sameStep(lastStep(steps), firstStep(more))) {
    const length = stepCount(more);
    rest = length === 1 ? undefined : slice(more, 1, length);
  }
  if (steps === undefined) return cut(rest);
  if (rest === undefined) return cut(steps);
  return cut(pair(steps, rest));
}

/** The first 2 and the last MAX_STEPS - 2 steps of a list past MAX_STEPS. */
function cut(steps: Steps): Steps {
  if (steps === undefined || !(steps instanceof StepPair) || steps.length <= MAX_STEPS) return steps;
  return pair(slice(steps, 0, 2), slice(steps, steps.length - (MAX_STEPS - 2), steps.length));
}

/** appendSteps step by step, for a `more` with a repeated step (rare: only a cut joins two equal steps). */
function appendArray(steps: Steps, more: StepList): Steps {
  const result = stepArray(steps);
  const kept = result.length;
  for (const step of stepArray(more)) {
    const last = result[result.length - 1];
    if (last && sameStep(last, step)) continue;
    result.push(step);
  }
  // `steps` itself is shared as it is (its own repeats stay, as in the array version).
  const added = fromArray(result, kept);
  return cut(steps === undefined ? added : added === undefined ? steps : pair(steps, added));
}
