// Library calls that run a user function: threads, timers, atexit, executors, event
// loops, and map()/filter(). The function runs now, under the caller's trigger, with
// the arguments the library would hand it.
import type { PyNode } from "./ast.js";
import type { EvaluatedArgs } from "./calls.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { allTaints, type Value } from "./model.js";

export const THREAD_RUNNERS =
  /^(threading\.Thread|threading\.Timer|multiprocessing\.Process|atexit\.register|_?thread\.start_new_thread|_thread\.start_new|.*\.submit|.*\.run_in_executor|.*\.apply_async|asyncio\.run|asyncio\.create_task|.*\.run_until_complete|asyncio\.to_thread|.*\.call_soon|.*\.call_soon_threadsafe|.*\.call_later|.*\.call_at)$/;

/** Runners that take the callback's arguments as one tuple after it: start_new_thread(f, args), Timer(t, f, args). */
const TUPLE_ARGS = /(start_new_thread|start_new|Timer|apply_async)$/;
/** Keywords that configure the runner itself, not the callback. */
const RUNNER_KEYWORDS = new Set(["target", "function", "args", "kwargs", "kwds", "daemon", "name", "group", "interval", "callback", "error_callback", "context"]);

/**
 * Where runners with a fixed signature take the callback: to_thread(f, …), loop.call_soon(f, …),
 * pool.submit(f, …); loop.call_later(delay, f, …), call_at(when, f, …), run_in_executor(pool, f, …).
 * A library function there runs too (`to_thread(psycopg2.connect, password=…)`, `to_thread(requests.post, …)`).
 */
function callbackIndex(qname: string): number | undefined {
  if (/(^asyncio\.to_thread|\.call_soon|\.call_soon_threadsafe|\.submit)$/.test(qname)) return 0;
  if (/\.(call_later|call_at|run_in_executor)$/.test(qname)) return 1;
  return undefined;
}

/** A library function or method named, not called (`psycopg2.connect`, `session.post`). */
const isLibraryFunction = (v: Value | undefined): boolean => v?.ref?.kind === "external" && !v.ref.qname.endsWith(")");

const isCallable = (v: Value | undefined): boolean => v?.ref?.kind === "function" || v?.ref?.kind === "bound" || v?.ref?.kind === "class" || v?.ref?.kind === "partial";

/** threading.Thread(target=f, args=(x,)), atexit.register(f, x), pool.submit(f, x) …: f(x) runs now; what it returned. */
export function runCallbacks(ip: Interpreter, frame: Frame, node: PyNode, qname: string, args: EvaluatedArgs): Value | undefined {
  const keyword = args.keywords.get("target") ?? args.keywords.get("function");
  // An instance whose class defines __call__ is a callback too (callValue runs it).
  const callable = (v: Value | undefined): boolean => isCallable(v) || (v?.ref?.kind === "instance" && ip.findMethod(v.ref.cls, "__call__") !== undefined);
  let index = keyword ? -1 : args.positional.findIndex(callable);
  if (!keyword && index < 0) {
    const fixed = callbackIndex(qname);
    if (fixed !== undefined && isLibraryFunction(args.positional[fixed])) index = fixed;
  }
  const target = keyword ?? args.positional[index];
  if (!target || !(callable(target) || (index >= 0 && isLibraryFunction(target)))) return undefined;
  let positional: Value[];
  const tuple = args.keywords.get("args");
  if (tuple) positional = tuple.items ?? [tuple];
  else if (index < 0) positional = [];
  else if (TUPLE_ARGS.test(qname)) positional = args.positional[index + 1]?.items ?? [];
  else positional = args.positional.slice(index + 1);
  const keywords = new Map(args.keywords.get("kwargs")?.dict ?? args.keywords.get("kwds")?.dict ?? []);
  if (!TUPLE_ARGS.test(qname) && !/Thread|Process/.test(qname)) for (const [k, v] of args.keywords) if (!RUNNER_KEYWORDS.has(k)) keywords.set(k, v);
  return ip.callValue(frame, node, target, { positional, keywords });
}

const MAX_MAPPED = 64;

/**
 * map(f, xs) / filter(f, xs) with a user function: f runs on the elements (each one when few are known).
 * A library function (`map(os.path.expanduser, PATHS)`) runs on each known element.
 */
export function mapUserFunction(ip: Interpreter, frame: Frame, node: PyNode, qname: string, args: EvaluatedArgs): Value | undefined {
  const [fn, ...iterables] = args.positional;
  if (iterables.length === 0) return undefined;
  const known = iterables.every((i) => i.items && i.items.length <= MAX_MAPPED);
  if (!isCallable(fn) && !(known && fn?.ref?.kind === "external")) return undefined;
  if (known) {
    const length = Math.min(...iterables.map((i) => i.items!.length));
    const results: Value[] = [];
    for (let n = 0; n < length; n++) results.push(ip.callValue(frame, node, fn!, { positional: iterables.map((i) => i.items![n]!), keywords: new Map() }));
    // filter() keeps the elements, map() the results.
    return qname === "builtins.filter" ? { items: iterables[0]!.items!.slice(0, length), taints: [] } : { items: results, taints: [] };
  }
  const elements = iterables.map((i) => ({ taints: allTaints(i) }) as Value);
  const result = ip.callValue(frame, node, fn!, { positional: elements, keywords: new Map() });
  return qname === "builtins.filter" ? { taints: allTaints(iterables[0]!) } : { taints: allTaints(result) };
}

/** `Thread.__init__(self, …)` / `super().__init__(…)` in a subclass of a library thread or process. */
const THREAD_INITIALIZERS = /^(threading\.Thread|multiprocessing\.Process|multiprocessing\.context\.Process)(\(\))?\.__init__$/;
/** Their positional parameters after self: Thread(group, target, name, args, kwargs). */
const THREAD_INIT_PARAMS = ["group", "target", "name", "args", "kwargs"];

/**
 * A subclass of threading.Thread handing `target` to the base initializer: the library keeps it
 * in `self._target` / `_args` / `_kwargs`, which the subclass's own run() calls (the
 * "thread with a return value" recipe). Without a run() of its own the target runs as with
 * Thread(target=…). True when `qname` is such an initializer.
 */
export function threadInitializer(ip: Interpreter, frame: Frame, node: PyNode, qname: string, args: EvaluatedArgs): boolean {
  const match = THREAD_INITIALIZERS.exec(qname);
  if (!match) return false;
  // Thread.__init__(self, …) names the instance; super().__init__(…) is the running method's.
  const explicit = match[2] === undefined;
  const self = explicit ? args.positional[0] : undefined;
  const cls = self?.ref?.kind === "instance" ? self.ref.cls : frame.methodClass;
  if (!cls) return true;
  const positional = explicit ? args.positional.slice(1) : args.positional;
  const bound = new Map<string, Value>();
  THREAD_INIT_PARAMS.forEach((name, i) => {
    const value = args.keywords.get(name) ?? positional[i];
    if (value) bound.set(name, value);
  });
  const target = bound.get("target");
  if (!isCallable(target)) return true;
  ip.storeField(cls, "_target", target!);
  ip.storeField(cls, "_args", bound.get("args") ?? { items: [], taints: [] });
  ip.storeField(cls, "_kwargs", bound.get("kwargs") ?? { dict: new Map(), taints: [] });
  if (!ip.findMethod(cls, "run")) runCallbacks(ip, frame, node, match[1]!, { positional: [], keywords: bound, nodes: [] });
  return true;
}
