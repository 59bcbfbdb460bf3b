import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) spent so far by the processes of one process group and the children they have
 * reaped, from /proc: the local network's runtime, wrangler and their helpers. A route's CPU per request is
 * robust to the other load on a shared machine, where its requests/s are not. Null where there is no /proc
 * (not Linux).
 */
export function processGroupCpuSeconds(processGroup: number): number | null {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return null;
  }
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // ended since the listing
    }
    // The command name may hold spaces and parentheses; the fields after its closing one are plain (proc(5)).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, plus cutime and cstime: a helper that exits mid-run and is reaped by another process of
    // the group keeps its time there (without them a run once printed negative CPU). One reaped from outside
    // the group, or re-parented to init, still takes its time with it.
    if (Number(fields[2]) === processGroup)
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return ticks / TICKS_PER_SECOND;
}
