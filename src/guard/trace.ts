// EXFILSCAN_GUARD_TRACE=1: one stderr line per step of a guard run, with the CPU and wall time
// since the previous step (and the process's CPU so far), to account for what the guard adds
// to an install. Off by default: a guard run prints nothing of it. Node built-ins only.
import { performance } from "node:perf_hooks";

const on = process.env["EXFILSCAN_GUARD_TRACE"] === "1";
let lastCpu = 0;
let lastWall = 0;

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Marks the end of `step` (a no-op unless EXFILSCAN_GUARD_TRACE=1). */
export function trace(step: string): void {
  if (!on) return;
  const cpu = cpuMs();
  const wall = performance.now();
  process.stderr.write(`exfilscan trace: ${step}: ${(cpu - lastCpu).toFixed(1)} ms cpu, ${(wall - lastWall).toFixed(1)} ms wall (cpu so far ${cpu.toFixed(0)} ms)\n`);
  lastCpu = cpu;
  lastWall = wall;
}
