import type { Revocations } from './revocations';
import { isFresh, type LookupResult } from './session-cache';
import type { Clock } from './types';

/**
 * With `cache: false`, how long a kept answer may serve its request object (ms after it was checked). The
 * middlewares of one request run within it; an object reused across requests (a WebSocket's upgrade request checked
 * again for every message, say) is asked about again after it, as `cache: false` promises, not served forever.
 */
export const KEPT_WITHOUT_CACHE_MS = 1_000;

/**
 * The session answer that let a request through one of a guard's middlewares, kept for the later middlewares of the
 * same guard on the same request: a prefix guard (`app.use('/admin', requireActiveSession(appId, { guard }))`)
 * followed by a route's `requireActiveSession(appId, { guard, roles })`. The route then asks GenAuth only for the
 * authorization, even with `cache: false` or when the cache no longer holds the answer (docs/roles-and-permissions.md).
 *
 * Invariant (docs/consistency.md, rule 5, "One request, several guards"): a kept answer serves only
 * - the same request object (a WeakMap by request: nothing outlives the request, nothing crosses requests),
 * - of the same guard (each guard keeps its own: another guard may talk to another GenAuth),
 * - for the same user and the same app id (another identity or app on the later middleware is asked about),
 * - while no invalidation since it was asked for revoked it: it is checked against the revocation marks exactly as a
 *   cached answer is, and a decision that waits for an authorization call checks it again once that is in;
 * - with the cache on, while it is fresh by its own times, as a cached answer (never longer than the cache would have
 *   served it); with `cache: false`, for at most {@link KEPT_WITHOUT_CACHE_MS} after it was checked (the rest of the
 *   request: "every request asks GenAuth" holds), so that an object reused across requests is asked about again.
 * Only answers asked for while deciding the request, that let it through, are kept; a cache hit is not (the hot path
 * allocates nothing): the cache serves the later middleware itself.
 */
export class RequestAnswers {
  readonly #answers = new WeakMap<object, LookupResult>();
  readonly #revocations: Revocations;
  readonly #clock: Clock;
  /** The cache is on: answers serve while fresh by their own times; off: for {@link KEPT_WITHOUT_CACHE_MS}. */
  readonly #cacheOn: boolean;

  constructor(revocations: Revocations, clock: Clock, cacheOn: boolean) {
    this.#revocations = revocations;
    this.#clock = clock;
    this.#cacheOn = cacheOn;
  }

  /** Keeps `result`, the answer that let `req` through (asked for while deciding it), for its later middlewares. */
  remember(req: unknown, result: LookupResult): void {
    if ((typeof req === 'object' && req !== null) || typeof req === 'function') this.#answers.set(req, result);
  }

  /** The answer kept for `req` when it is about `userId` in `appId`, not revoked since and (cache on) fresh; else `undefined`. */
  reusable(req: unknown, appId: string, userId: string): LookupResult | undefined {
    const kept = this.#answers.get(req as object); // undefined for anything that is not an object
    if (kept === undefined) return undefined;
    const { session } = kept;
    if (session.appId !== appId || session.userId !== userId) return undefined;
    const now = this.#clock();
    const current = this.#cacheOn
      ? isFresh(session, now)
      : now >= session.checkedAt && now - session.checkedAt < KEPT_WITHOUT_CACHE_MS;
    if (!current || this.#revocations.sessionRevoked(session.marks, session.asOf, appId)) {
      this.#answers.delete(req as object);
      return undefined;
    }
    return kept;
  }
}
