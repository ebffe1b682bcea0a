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

/**
 * Long enough for the changes an editor sends in one burst (a paste, a multi-cursor edit, a format)
 * to arrive: the message queue hands the server one message per turn of the event loop.
 */
const BURST_MS = 4;
/** Keystrokes closer together than this are one burst to a file whose analysis takes long. */
const MAX_QUIET_MS = 50;

/**
 * The quiet period after a change before re-analysing: short, so diagnostics follow each keystroke.
 * The analysis runs on the server's only thread, so changes that arrive while it runs wait and are
 * analysed together right after it: however slow the file, the server never falls more than one
 * analysis behind. A quarter of the last analysis's time (at most MAX_QUIET_MS) spares a slow file
 * the analyses of keystrokes typed in a row.
 */
export function quietPeriodMs(lastAnalysisMs: number | undefined): number {
  return Math.min(MAX_QUIET_MS, Math.max(BURST_MS, Math.ceil((lastAnalysisMs ?? 0) / 4)));
}
