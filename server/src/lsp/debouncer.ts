/** Runs the latest task per key after a quiet period; a newer task for the key cancels the pending one. */
export class Debouncer {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  schedule(key: string, delayMs: number, task: () => void): void {
    this.cancel(key);
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        task();
      }, delayMs),
    );
  }

  cancel(key: string): void {
    const timer = this.pending.get(key);
    if (timer) clearTimeout(timer);
    this.pending.delete(key);
  }
}

/** Long enough to gather the changes an editor sends in one burst (a paste, a multi-cursor edit). */
const MIN_QUIET_MS = 10;
/** Long enough to skip the intermediate states of fast typing. */
const MAX_QUIET_MS = 150;

/**
 * The quiet period after a change before re-analysing: as long as the document's last analysis took,
 * within [MIN_QUIET_MS, MAX_QUIET_MS]. A file analysed in milliseconds shows its diagnostics at once;
 * a slow one is analysed at most about half the time while the user types, so the server keeps up.
 */
export function quietPeriodMs(lastAnalysisMs: number | undefined): number {
  return Math.min(MAX_QUIET_MS, Math.max(MIN_QUIET_MS, Math.ceil(lastAnalysisMs ?? 0)));
}
