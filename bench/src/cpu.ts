import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU seconds (user + system) used so far by every process in process group `pgid`, from
 * /proc. Unlike req/s this barely moves when other work shares the machine, so CPU per request
 * is the steadier figure on a busy box. Returns undefined where /proc is missing.
 */
export function groupCpuSeconds(pgid: number): number | undefined {
  let ticks = 0;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${e}/stat`, "utf8");
    } catch {
      continue;
    }
    // Fields after the command name (which may contain spaces) start at ")".
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(f[2]) !== pgid) continue; // pgrp
    ticks += Number(f[11]) + Number(f[12]); // utime, stime
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}
