import { readFileSync, readdirSync } from 'node:fs';

/** Resident memory (VmRSS) of a process and all its descendants, in bytes; Linux /proc only. */
export function treeRssBytes(rootPid: number): number {
  return descendants(rootPid).reduce((total, pid) => total + rssBytes(pid), 0);
}

function rssBytes(pid: number): number {
  const status = readProc(`/proc/${pid}/status`);
  const match = status?.match(/^VmRSS:\s+(\d+)\s+kB$/m);
  return match ? Number(match[1]) * 1024 : 0;
}

/** The process itself and every process below it. */
function descendants(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const { pid, ppid } of allProcesses()) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const found: number[] = [];
  const visit = (pid: number) => {
    found.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(rootPid);
  return found;
}

function allProcesses(): { pid: number; ppid: number }[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    const stat = readProc(`/proc/${entry}/stat`);
    // The command name in parentheses may itself hold spaces and parentheses: the ppid follows the last ")".
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
    if (Number.isNaN(ppid)) return [];
    return [{ pid: Number(entry), ppid }];
  });
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process exited meanwhile
  }
}
