/** Linux /proc helpers for fault tests: who a process's children are, and whether a process still runs. */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  name: string;
  state: string;
}

export function proc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    return { pid, ppid: Number(ppid), name: stat.slice(stat.indexOf('(') + 1, close), state };
  } catch {
    return undefined;
  }
}

/** The living (not zombie) direct children of `pid`. */
export function childrenOf(pid: number): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const p = proc(Number(entry));
    if (p && p.ppid === pid && p.state !== 'Z') out.push(p);
  }
  return out;
}

/** True while `pid` runs (a zombie waiting to be reaped does not count). */
export const running = (pid: number) => {
  const p = proc(pid);
  return p !== undefined && p.state !== 'Z';
};

export async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}
