// The persistent step lists (steps.ts) against the array operations they replaced, on random
// sequences of pushes and appends with many equal steps (repeats, a full list, cuts).
import { describe, expect, it } from "vitest";
import type { FlowStep } from "../../../src/analyzers/facts.js";
import { appendSteps, MAX_STEPS, pushStep, stepArray, stepCount, type Steps } from "../../../src/analyzers/python/steps.js";

function pushArray(steps: FlowStep[], step: FlowStep): FlowStep[] {
  const last = steps[steps.length - 1];
  if (steps.length >= MAX_STEPS || (last && last.line === step.line && last.note === step.note)) return steps;
  return [...steps, step];
}

function appendArray(steps: FlowStep[], more: FlowStep[]): FlowStep[] {
  const result = [...steps];
  for (const step of more) {
    const last = result[result.length - 1];
    if (last && last.line === step.line && last.file === step.file && last.note === step.note) continue;
    result.push(step);
  }
  return result.length > MAX_STEPS ? [...result.slice(0, 2), ...result.slice(-(MAX_STEPS - 2))] : result;
}

/** A small deterministic generator (no flaky seeds). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe("persistent flow steps", () => {
  it("an empty list, one step, a push and an append", () => {
    const a: FlowStep = { file: "a.py", line: 1, column: 1, note: "read" };
    const b: FlowStep = { file: "a.py", line: 2, column: 1, note: "sent" };
    expect(stepArray(undefined)).toEqual([]);
    expect(stepArray(pushStep(undefined, a))).toEqual([a]);
    expect(pushStep(a, { ...a, column: 9 })).toBe(a);
    expect(stepArray(appendSteps(a, b))).toEqual([a, b]);
    expect(stepArray(appendSteps(a, a))).toEqual([a]);
  });

  it("matches the array operations on random sequences", () => {
    const next = random(15);
    // Few distinct steps, so that repeats, equal neighbours across files and cuts are frequent.
    const pool: FlowStep[] = [];
    for (let i = 0; i < 12; i++) pool.push({ file: i % 3 === 0 ? "b.py" : "a.py", line: 1 + (i % 5), column: i, note: i % 4 === 0 ? "x" : `n${i % 2}` });
    const lists: { list: Steps; array: FlowStep[] }[] = [{ list: undefined, array: [] }];
    for (let round = 0; round < 20_000; round++) {
      const pick = () => lists[Math.floor(next() * lists.length)]!;
      const a = pick();
      let made: { list: Steps; array: FlowStep[] };
      if (next() < 0.4) {
        const step = pool[Math.floor(next() * pool.length)]!;
        made = { list: pushStep(a.list, step), array: pushArray(a.array, step) };
      } else {
        const b = pick();
        made = { list: appendSteps(a.list, b.list), array: appendArray(a.array, b.array) };
      }
      expect(stepArray(made.list)).toEqual(made.array);
      expect(stepCount(made.list)).toBe(made.array.length);
      lists.push(made);
      if (lists.length > 400) lists.splice(1 + Math.floor(next() * 399), 1);
    }
  });
});
