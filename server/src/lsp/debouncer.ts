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
