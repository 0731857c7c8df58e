// Execution frames of the abstract interpreter and what a function analysis leaves
// behind (its summary), so that call sites can reuse it instead of re-running it.
import type { Location } from "../../core/types.js";
import type { FlowStep, Trigger } from "../facts.js";
import { recordKey, type FactRecord, type SinkRecord } from "./collector.js";
import type { Cell, ClassInfo, FunctionInfo, ScopeChain, Taint, Value } from "./model.js";

/** A sink reached by a parameter of the function being summarised; resolved at call sites. */
export interface PendingSink {
  sink: SinkRecord;
  taint: Taint;
  /** The destination is unknown and comes from this parameter. */
  destParam?: number;
  /** Taint keys of the destination value (to tell a request to the credential's own host). */
  destKeys: string[];
  until?: Cell;
  /** The parameter is the request's credential (auth=, Authorization header, login password). */
  auth?: boolean;
}

/** self.x = <parameter>: applied to the class when the call site passes real data. */
export interface FieldStore {
  cls: ClassInfo;
  field: string;
  taints: Taint[];
}

/** Everything a body produced that callers must see again under their own trigger. */
export interface RecordSink {
  records: FactRecord[];
  keys: Set<string>;
  pending: PendingSink[];
  fieldStores: FieldStore[];
  /** Per sink lifted into this one (liftRecords): how many of its records were, all already here. */
  lifted: Map<RecordSink, number> | undefined;
}

export interface Summary {
  ret: Value;
  out: RecordSink;
}

export interface ModuleState {
  name: string;
  file: string;
  scope: ScopeChain;
  status: "new" | "running" | "done";
  /** Top-level records, lifted when the module is imported from an install-time file. */
  out: RecordSink;
  trigger: Trigger;
  /** `from <external module> import *`, in order: a name bound nowhere else comes from one of them. */
  starImports?: string[];
}

export interface Frame {
  file: string;
  module: ModuleState;
  scope: ScopeChain;
  trigger: Trigger;
  out: RecordSink;
  /** Function whose parameters are symbolic in this frame (param taints of other functions are stale). */
  symbolicFn?: FunctionInfo;
  /** Values returned by `return` statements of this frame. */
  returns?: Value[];
  /** Decoded code has no lines of its own: everything found in it is placed here. */
  locOverride?: Location;
  execDepth: number;
  inlineDepth: number;
  /** Inside if/loop/try bodies: assignments join with the previous value instead of replacing it. */
  branchDepth: number;
  /** Class of the method being run (for super()). */
  methodClass?: ClassInfo;
  /** Class body being executed (names go to the class scope). */
  classBody?: ClassInfo;
}

/**
 * A frame with every field present, in one order (absent ones undefined): the interpreter's
 * loads of frame fields then see one object shape, and copies are plain stores (a spread of
 * frames of varied shapes went through V8's generic, slow object copy on every call).
 */
export function makeFrame(file: string, module: ModuleState, scope: ScopeChain, trigger: Trigger, out: RecordSink): Frame {
  return {
    file,
    module,
    scope,
    trigger,
    out,
    symbolicFn: undefined,
    returns: undefined,
    locOverride: undefined,
    execDepth: 0,
    inlineDepth: 0,
    branchDepth: 0,
    methodClass: undefined,
    classBody: undefined,
  };
}

/** A copy of `frame` (all fields; the caller then replaces what differs). */
export function copyFrame(frame: Frame): Frame {
  return {
    file: frame.file,
    module: frame.module,
    scope: frame.scope,
    trigger: frame.trigger,
    out: frame.out,
    symbolicFn: frame.symbolicFn,
    returns: frame.returns,
    locOverride: frame.locOverride,
    execDepth: frame.execDepth,
    inlineDepth: frame.inlineDepth,
    branchDepth: frame.branchDepth,
    methodClass: frame.methodClass,
    classBody: frame.classBody,
  };
}

export function newRecordSink(): RecordSink {
  return { records: [], keys: new Set(), pending: [], fieldStores: [], lifted: undefined };
}

const MAX_RECORDS = 400;

/** Remember a record in the frame's sink (for lifting later); false when it was already there. */
export function addRecord(out: RecordSink, record: FactRecord): boolean {
  const key = recordKey(record);
  if (out.keys.has(key)) return false;
  out.keys.add(key);
  if (out.records.length < MAX_RECORDS) out.records.push(record);
  return true;
}

export function location(frame: Frame, node: { line: number; column: number }): Location {
  return frame.locOverride ?? { file: frame.file, line: node.line, column: node.column };
}

/**
 * `{ ...location(frame, node), note }` built field by field (same keys, same order): a spread
 * of an object goes through V8's generic copy, and steps are made for nearly every call.
 */
export function stepAt(frame: Frame, node: { line: number; column: number }, note: string): FlowStep {
  const loc = frame.locOverride;
  return loc ? { file: loc.file, line: loc.line, column: loc.column, note } : { file: frame.file, line: node.line, column: node.column, note };
}

export function lookup(scope: ScopeChain, name: string): Value | undefined {
  for (let current: ScopeChain | undefined = scope; current; current = current.parent) {
    const value = current.vars.get(name);
    if (value) return value;
  }
  return undefined;
}
