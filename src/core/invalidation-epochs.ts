/** Most invalidated users (and user scopes) remembered one by one; older ones fold into a single floor. */
const DEFAULT_MAX_REMEMBERED = 10_000;

function userKey(userId: string): string {
  return `${userId.length}:${userId}`;
}

function scopeKey(userId: string, scope: string): string {
  return `${userId.length}:${userId}:${scope}`;
}

/**
 * Invalidation epochs: tells whether an answer asked for at some moment has been superseded by an invalidation
 * since. Any cache of answers about a user consults it, so that one `invalidate` covers answers already stored,
 * answers being asked for, and answers asked for but not stored yet (the gap between a fetch function resolving
 * and the cache storing what it returned).
 *
 * Use: take `begin()` before asking, keep it with the answer, and treat the answer as gone when
 * `superseded(taken, userId, scope)` says so (when it is stored, and on every hit). `invalidate(userId)` supersedes
 * every answer about the user; `invalidate(userId, scope)` only those asked with the same scope (an app id, say)
 * and `invalidateAll()` every answer.
 *
 * Invariant: an answer whose `begin()` was taken before an `invalidate` that covers it is superseded; never the
 * other way round. Remembered epochs are bounded: past `max`, the oldest ones fold into a floor that supersedes
 * every answer taken before it (more re-asking, never less).
 */
export class InvalidationEpochs {
  /** The latest epoch handed out by an invalidation. */
  #latest = 0;
  /** Every answer taken before this epoch is superseded (`invalidateAll`, and forgotten entries). */
  #floor = 0;
  /** Per user (and user scope): the epoch of its last invalidation. Insertion order is epoch order. */
  readonly #epochs = new Map<string, number>();
  readonly #max: number;

  constructor(max = DEFAULT_MAX_REMEMBERED) {
    this.#max = max;
  }

  /** The moment to keep with an answer asked for from now on. */
  begin(): number {
    return this.#latest;
  }

  /** Supersedes the answers about `userId` taken so far (only those of `scope`, when given). */
  invalidate(userId: string, scope?: string): void {
    const key = scope === undefined ? userKey(userId) : scopeKey(userId, scope);
    const epoch = ++this.#latest;
    this.#epochs.delete(key);
    this.#epochs.set(key, epoch);
    if (this.#epochs.size > this.#max) {
      const [oldestKey, oldestEpoch] = this.#epochs.entries().next().value!;
      this.#epochs.delete(oldestKey);
      this.#floor = Math.max(this.#floor, oldestEpoch);
    }
  }

  /** Supersedes every answer taken so far. */
  invalidateAll(): void {
    this.#floor = ++this.#latest;
    this.#epochs.clear();
  }

  /** Whether an invalidation since `taken` covers the answer about `userId` (asked with `scope`). */
  superseded(taken: number, userId: string, scope?: string): boolean {
    // The hot path: nothing was invalidated since the answer was asked for.
    if (taken >= this.#latest) return false;
    if (taken < this.#floor) return true;
    if ((this.#epochs.get(userKey(userId)) ?? 0) > taken) return true;
    return scope !== undefined && (this.#epochs.get(scopeKey(userId, scope)) ?? 0) > taken;
  }
}
