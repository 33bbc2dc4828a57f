/**
 * A cap on calls under way, with a bounded wait: at most `limit` run at once, at most `maxQueue` wait, each for
 * at most `maxWaitMs`. `acquire` resolves to a release function, or to `undefined` when the call must not go.
 */
export class ConcurrencyLimit {
  #active = 0;
  readonly #queue: Array<(granted: boolean) => void> = [];

  constructor(
    private readonly limit: number,
    private readonly maxQueue: number,
    private readonly maxWaitMs: number,
  ) {}

  /** Calls under way now. */
  get active(): number {
    return this.#active;
  }

  /** Calls waiting for a slot now. */
  get waiting(): number {
    return this.#queue.length;
  }

  acquire(): Promise<(() => void) | undefined> | (() => void) {
    if (this.#active < this.limit) {
      this.#active++;
      return this.#release();
    }
    if (this.#queue.length >= this.maxQueue) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter = (granted: boolean) => {
        clearTimeout(timer);
        resolve(granted ? this.#release() : undefined);
      };
      const timer = setTimeout(() => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        resolve(undefined);
      }, this.maxWaitMs); // not unref'd: the waiting call holds the process, for maxWaitMs at most
      this.#queue.push(waiter);
    });
  }

  #release(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next(true); // the slot passes straight to the next waiter
      else this.#active--;
    };
  }
}
