/** Runs the latest task per key after a quiet period; a newer task for the key cancels the pending one. */
export class Debouncer {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly quietMs: number) {}

  schedule(key: string, task: () => void): void {
    this.cancel(key);
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        task();
      }, this.quietMs),
    );
  }

  cancel(key: string): void {
    const timer = this.pending.get(key);
    if (timer) clearTimeout(timer);
    this.pending.delete(key);
  }
}

/**
 * The quiet period after a change before re-analysing: long enough for the changes an editor sends in
 * one burst (a paste, a multi-cursor edit, a format) to arrive — the message queue hands the server one
 * message per turn of the event loop — and no longer, so diagnostics follow each keystroke. No longer
 * for a slow file either: the analysis runs on the server's only thread, so changes that arrive while it
 * runs wait and are analysed together right after it, and the server never falls more than one
 * analysis behind.
 */
export const QUIET_PERIOD_MS = 4;
