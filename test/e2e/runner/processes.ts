import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const GRACE_MS = 3_000;

/**
 * Every live descendant of `pid`, from /proc. The VS Code server's extension hosts, file watchers and
 * the language server they spawn are its descendants until they are orphaned, so collect them before
 * killing anything.
 */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Ends `pid`, its process group (it was spawned detached, so it leads one) and every descendant:
 * SIGTERM, then SIGKILL for whatever is still alive after a grace period.
 */
export async function killProcessTree(pid: number): Promise<void> {
  const targets = [pid, ...descendants(pid)];
  signal(-pid, 'SIGTERM');
  for (const target of targets) signal(target, 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  while (Date.now() < deadline && targets.some(isAlive)) await sleep(100);
  signal(-pid, 'SIGKILL');
  for (const target of targets.filter(isAlive)) signal(target, 'SIGKILL');
}

function parentOf(pid: number): number | undefined {
  try {
    // The command name, in parentheses, may itself contain spaces and parentheses: parse after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // exited meanwhile
  }
}

function isAlive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return state.slice(state.lastIndexOf(')') + 2, state.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
