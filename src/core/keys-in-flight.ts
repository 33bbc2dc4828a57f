/**
 * Cache keys with a lookup under way, counted: an aborted lookup may still be unwinding when the lookup that replaces
 * it starts, and must not take the key off the list when it ends. lru-cache's `keys()` and `peek` do not see them.
 */
export class KeysInFlight {
  readonly #counts = new Map<string, number>();

  start(key: string): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  end(key: string): void {
    const left = (this.#counts.get(key) ?? 1) - 1;
    if (left > 0) this.#counts.set(key, left);
    else this.#counts.delete(key);
  }

  has(key: string): boolean {
    return this.#counts.has(key);
  }
}
