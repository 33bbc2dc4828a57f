/** Timers of the fake, tracked so that `close()` can cancel them all and let the process exit. */
export class Timers {
  private readonly handles = new Set<NodeJS.Timeout>();
  private closed = false;

  /** Resolves after `ms`; never resolves once the timers are cleared. */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return;
      const handle = setTimeout(() => {
        this.handles.delete(handle);
        resolve();
      }, ms);
      this.handles.add(handle);
    });
  }

  /** Calls `tick` every `ms` until the returned stop function is called or the timers are cleared. */
  every(ms: number, tick: () => void): () => void {
    if (this.closed) return () => {};
    const handle = setInterval(tick, ms);
    this.handles.add(handle);
    return () => {
      clearInterval(handle);
      this.handles.delete(handle);
    };
  }

  /** Cancels every pending timer, for good. */
  clearAll(): void {
    this.closed = true;
    for (const handle of this.handles) clearTimeout(handle);
    this.handles.clear();
  }
}
