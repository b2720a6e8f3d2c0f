import { readdirSync, readFileSync } from "node:fs";

/** Pids of every process in session `sid` (the bench starts each server as a session leader). */
export function sessionPids(sid: number): number[] {
  const pids: number[] = [];
  for (const { pid, fields } of procStats()) if (Number(fields[3]) === sid) pids.push(pid);
  return pids;
}

function* procStats(): Generator<{ pid: number; fields: string[] }> {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${e}/stat`, "utf8");
    } catch {
      continue;
    }
    // Fields after the command name (which may contain spaces) start at ")": state, ppid, pgrp, session, ...
    yield { pid: Number(e), fields: stat.slice(stat.lastIndexOf(")") + 2).split(" ") };
  }
}

/**
 * CPU seconds (user + system) used so far by every process in session `sid` (a server and
 * whatever it spawned, even in other process groups, like RivetKit's engine), from /proc. Unlike req/s this barely moves when other work shares the machine, so CPU per request
 * is the steadier figure on a busy box. Returns undefined where /proc is missing.
 */
export function groupCpuSeconds(sid: number): number | undefined {
  let ticks = 0;
  let seen = false;
  for (const { fields } of procStats()) {
    seen = true;
    if (Number(fields[3]) !== sid) continue;
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return seen ? ticks / 100 : undefined; // USER_HZ is 100 on Linux
}
