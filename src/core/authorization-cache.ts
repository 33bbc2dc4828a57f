import { LRUCache } from 'lru-cache';
import { UpstreamError } from '../client/upstream-error';
import { KeysInFlight } from './keys-in-flight';
import { Revocations, withKey, type UserMarks } from './revocations';
import { isFresh } from './session-cache';
import { readerAnswer, type AskedAnswer, type SharedTier } from './shared-tier';
import type { Clock } from './types';

/** Asks GenAuth one authorization question; resolves to allowed or not, rejects with an `UpstreamError`. */
export type AuthorizationLoader = (signal: AbortSignal) => Promise<boolean>;

export interface AuthorizationCacheConfig {
  /** `false`: nothing is kept; identical lookups under way at the same moment still share one call. */
  enabled: boolean;
  /** How long an allowed answer is kept (capped by the credential's expiry). */
  ttlMs: number;
  /** How long a denied answer is kept (capped by the credential's expiry). */
  deniedTtlMs: number;
  max: number;
  clock: Clock;
  /**
   * The shared second tier (`store` option): read after an in-process miss (its lock shares one call among replicas),
   * written after GenAuth answers. Not used without caching (`enabled: false`), as for session answers.
   */
  shared?: SharedTier;
  /**
   * The revocations this cache consults and raises (docs/consistency.md); the guard passes the one its session cache
   * uses. @default one of its own
   */
  revocations?: Revocations;
}

/** One cached answer. Frozen. */
export interface AuthorizationAnswer {
  readonly userId: string;
  readonly allowed: boolean;
  readonly checkedAt: number;
  /** Clock ms from which the answer no longer serves (checked by this module, not left to lru-cache alone). */
  readonly expiresAt: number;
  /** The invalidation clock when it was asked for: an invalidation of its user since then revokes it. */
  readonly asOf: number;
  /** Its user's invalidation marks, taken when it was asked for (see {@link Revocations}). */
  readonly marks: UserMarks;
  /** Read from the shared store rather than asked of GenAuth by this process. */
  readonly fromStore?: boolean;
}

export interface AuthorizationLookup {
  allowed: boolean;
  source: 'cache' | 'upstream';
  /** The answer given: a decision that goes on waiting for other answers checks it again ({@link AuthorizationCache.revoked}). */
  answer: AuthorizationAnswer;
}

/** Counters of {@link AuthorizationCache}. */
export interface AuthorizationCacheCounters {
  hits: number;
  misses: number;
  coalesced: number;
  /** Calls made to GenAuth (has-any-role and check-permission; retries of one call count once). */
  upstreamCalls: number;
  errors: number;
  /** Lookups answered by the shared store (another replica, or this one before, asked GenAuth). */
  storeHits: number;
}

interface FetchContext {
  appId: string;
  userId: string;
  /** The canonical policy key: the store's slot. */
  policyKey: string;
  expiresAt: number | undefined;
  load: AuthorizationLoader;
}

/** Thrown inside a fetch whose answer an invalidation made untrustworthy; its waiters ask again. */
class SupersededError extends Error {
  constructor() {
    super('superseded by an invalidation');
  }
}

/** How many times one lookup asks again after its answer was superseded by an invalidation. */
const MAX_SUPERSEDED_RETRIES = 2;

/**
 * The cache key: the kind of question and everything its answer depends on: the app (roles and permissions are
 * not per app at GenAuth, but routes are; the app keeps `invalidate(userId, appId)` simple), the user and the
 * canonical policy key (roles with namespaces, sorted; namespace, action and sorted resources). Length prefixes
 * keep it unambiguous.
 */
export function authorizationKey(appId: string, userId: string, policyKey: string): string {
  return `${appId.length}:${appId}:${userId.length}:${userId}:${policyKey}`;
}

/**
 * A TTL for lru-cache: the smaller of `ttlMs` and what is left until the credential's expiry, at least 1 ms (0 is
 * "forever" to lru-cache) and never NaN (a clock or expiry that is not a finite number keeps the answer 1 ms).
 */
function boundedTtl(ttlMs: number, expiresAt: number | undefined, now: number): number {
  const ttl = expiresAt === undefined ? ttlMs : Math.min(ttlMs, expiresAt - now);
  return Number.isFinite(ttl) ? Math.max(1, ttl) : 1;
}

/**
 * Authorization answers (has-any-role, check-permission) per (app, user, canonical policy): lru-cache `fetch`, so
 * concurrent identical lookups share one call; allowed answers live `ttlMs`, denied ones `deniedTtlMs`, never past
 * the credential's expiry; errors are never kept.
 *
 * Invariant (invalidation; docs/consistency.md): no answer asked for before an `invalidate` that covers its user
 * serves after that `invalidate` returns, whether it was stored, being asked for, or asked for and not yet stored
 * (lru-cache stores a fetched value a few microtasks after the fetch function resolves). Each answer carries its user's
 * marks and the invalidation clock taken when its fetch began ({@link Revocations}); `invalidate` raises the marks
 * before it deletes; a fetch whose answer is revoked when it arrives throws `SupersededError` (lru-cache stores
 * nothing, every waiter asks again), and every read checks the answer again. Pinned by
 * test/core/authorization-cache.test.ts.
 *
 * Expiry is checked here (`checkedAt <= now < expiresAt`, as session answers), not left to lru-cache alone:
 * lru-cache treats an entry stored at clock 0 as never stale, and a clock moved back would make an answer younger.
 *
 * Authorization answers have marks of their own within the user's (an app-scoped session invalidation does not revoke
 * them; every invalidation of the user in every app does, through the guard's call to {@link invalidate}).
 */
export class AuthorizationCache {
  readonly counters: AuthorizationCacheCounters = { hits: 0, misses: 0, coalesced: 0, upstreamCalls: 0, errors: 0, storeHits: 0 };
  readonly #config: AuthorizationCacheConfig;
  /**
   * Made at the first lookup: lru-cache allocates its index arrays for `max` up front (about 3 MB for 100,000), which
   * a guard whose routes never ask for roles or permissions should not pay.
   */
  #lru: LRUCache<string, AuthorizationAnswer, FetchContext> | undefined;
  readonly #revocations: Revocations;
  /** Keys with a lookup under way: a user's key list keeps them when pruned. */
  readonly #inFlight = new KeysInFlight();

  constructor(config: AuthorizationCacheConfig) {
    this.#config = config;
    this.#revocations = config.revocations ?? new Revocations();
  }

  get size(): number {
    return this.#lru?.size ?? 0;
  }

  #store(): LRUCache<string, AuthorizationAnswer, FetchContext> {
    const config = this.#config;
    this.#lru ??= new LRUCache<string, AuthorizationAnswer, FetchContext>({
      // Without caching entries are still written (and never served), so that lookups under way coalesce.
      max: config.enabled ? config.max : 1_000,
      ttl: Math.max(1, config.ttlMs, config.deniedTtlMs),
      ttlResolution: 0,
      perf: { now: config.clock },
      fetchMethod: (key, _stale, { signal, options, context }) => this.#fetch(key, signal, options, context),
    });
    return this.#lru;
  }

  /** The cached answer, synchronously, or `undefined` (then call {@link lookup}). Counts a hit unless `count` is false. */
  cached(key: string, count = true): boolean | undefined {
    const entry = this.#fresh(key);
    if (entry === undefined) return undefined;
    if (count) this.counters.hits++;
    return entry.allowed;
  }

  /**
   * The answer of (appId, userId, policyKey): cached, from the shared store, or asked through `load` (shared with
   * identical lookups under way, here and, through the store's lock, on other replicas).
   */
  async lookup(appId: string, userId: string, policyKey: string, expiresAt: number | undefined, load: AuthorizationLoader): Promise<AuthorizationLookup> {
    const key = authorizationKey(appId, userId, policyKey);
    const hit = this.#fresh(key);
    if (hit !== undefined) {
      this.counters.hits++;
      return { allowed: hit.allowed, source: 'cache', answer: hit };
    }
    const context: FetchContext = { appId, userId, policyKey, expiresAt, load };
    for (let tries = 0; ; tries++) {
      const status: LRUCache.Status<string, AuthorizationAnswer, FetchContext> = {};
      let fromStore = false;
      try {
        const answer = await this.#store().fetch(key, { context, status });
        if (answer === undefined) throw new UpstreamError('aborted', 'authorization: lookup dropped');
        // Invalidated after the answer arrived but before this waiter got it: it may predate a revocation.
        if (this.revoked(answer)) throw new SupersededError();
        fromStore = answer.fromStore === true;
        // An answer from the shared store is a cached answer too (another replica, or this one before, asked).
        return { allowed: answer.allowed, source: fromStore ? 'cache' : 'upstream', answer };
      } catch (error) {
        if ((error instanceof SupersededError || isCacheAbort(error)) && tries < MAX_SUPERSEDED_RETRIES) {
          // The answer may predate the invalidation: ask again (an entry stored meanwhile is fine to use).
          const fresh = this.#fresh(key);
          if (fresh !== undefined) return { allowed: fresh.allowed, source: 'upstream', answer: fresh };
          continue;
        }
        this.counters.errors++;
        throw error instanceof UpstreamError ? error : new UpstreamError('aborted', 'authorization: superseded by invalidations', { cause: error });
      } finally {
        if (tries === 0) {
          if (status.fetch === 'inflight') this.counters.coalesced++;
          else if (fromStore) this.counters.storeHits++;
          else this.counters.misses++;
        }
      }
    }
  }

  /**
   * Revokes and drops the answers of `userId` (every app and policy), or of everyone; lookups under way ask again.
   * One user costs what that user holds here, whatever the size of the cache.
   */
  invalidate(userId?: string): number {
    // First: from here on no answer asked for before this call is served, wherever it is (see the class invariant).
    if (userId === undefined) {
      this.#revocations.invalidateAllAuthorization();
      const size = this.size;
      this.#lru?.clear();
      return size;
    }
    const marks = this.#revocations.invalidateAuthorization(userId);
    const lru = this.#lru;
    const keys = marks?.authorizationKeys;
    if (lru === undefined || keys === undefined) return 0;
    marks!.authorizationKeys = undefined;
    let dropped = 0;
    // Answers held go; a lookup under way is left to finish: its answer arrives revoked, and its waiters ask again.
    for (const key of keys) if (lru.peek(key, { allowStale: true }) !== undefined && lru.delete(key)) dropped++;
    return dropped;
  }

  /** Whether the key has an answer held or a lookup under way. */
  readonly #holds = (key: string): boolean => this.#inFlight.has(key) || this.#lru?.peek(key, { allowStale: true }) !== undefined;

  /** Whether an invalidation since it was asked for revoked `answer` (a decision that waited for other answers asks). */
  revoked(answer: AuthorizationAnswer): boolean {
    return this.#revocations.authorizationRevoked(answer.marks, answer.asOf);
  }

  /** Drops everything and aborts lookups under way. */
  clear(): void {
    this.invalidate();
  }

  #fresh(key: string): AuthorizationAnswer | undefined {
    const lru = this.#lru;
    const entry = lru?.get(key);
    if (lru === undefined || entry === undefined) return undefined;
    const now = this.#config.clock();
    if (this.#config.enabled && isFresh(entry, now) && !this.revoked(entry)) return entry;
    // Not while a lookup is under way for the key: lru-cache would abort it.
    if (lru.peek(key) === entry) lru.delete(key);
    return undefined;
  }

  /**
   * Until when an answer checked at `checkedAt` serves: `ttlMs` (allowed) or `deniedTtlMs` (denied), never past the
   * credential's expiry, and at least 1 ms after `checkedAt` (a TTL that is not a finite number, or an expiry already
   * past, leaves the answer 1 ms: shared with the waiters of its call, not kept).
   */
  #expiryOf(allowed: boolean, checkedAt: number, credentialExpiresAt: number | undefined): number {
    const { ttlMs, deniedTtlMs } = this.#config;
    return checkedAt + boundedTtl(allowed ? ttlMs : deniedTtlMs, credentialExpiresAt, checkedAt);
  }

  async #fetch(
    key: string,
    signal: AbortSignal,
    options: LRUCache.FetcherFetchOptions<string, AuthorizationAnswer, FetchContext>,
    context: FetchContext,
  ): Promise<AuthorizationAnswer> {
    const { userId } = context;
    // Taken before anything is asked: an invalidate from now on revokes this answer.
    const revocations = this.#revocations;
    const marks = revocations.begin(userId);
    const asOf = revocations.now;
    marks.authorizationKeys = withKey(marks.authorizationKeys, key, this.#holds);
    this.#inFlight.start(key);
    try {
      return await this.#ask(marks, asOf, signal, options, context);
    } finally {
      revocations.end(marks);
      this.#inFlight.end(key);
    }
  }

  async #ask(
    marks: UserMarks,
    asOf: number,
    signal: AbortSignal,
    options: LRUCache.FetcherFetchOptions<string, AuthorizationAnswer, FetchContext>,
    context: FetchContext,
  ): Promise<AuthorizationAnswer> {
    const { appId, userId, policyKey, expiresAt: credentialExpiresAt, load } = context;
    const { clock, ttlMs, deniedTtlMs, enabled, shared } = this.#config;
    const revocations = this.#revocations;
    const ask = async (): Promise<AskedAnswer> => {
      this.counters.upstreamCalls++;
      const active = await load(signal);
      const checkedAt = clock();
      return { active, checkedAt, expiresAt: this.#expiryOf(active, checkedAt, credentialExpiresAt) };
    };
    let answer: AskedAnswer;
    let fromStore = false;
    if (shared?.sharesAuthorization && enabled) {
      const limits = { newerThan: undefined, ttlMs, inactiveTtlMs: deniedTtlMs };
      const resolved = await shared.resolve(appId, userId, signal, limits, ask, policyKey);
      fromStore = resolved.origin === 'store';
      answer = readerAnswer(resolved, (allowed, checkedAt) => this.#expiryOf(allowed, checkedAt, credentialExpiresAt));
    } else {
      answer = await ask();
    }
    if (revocations.authorizationRevoked(marks, asOf)) throw new SupersededError();
    const { active: allowed, checkedAt } = answer;
    options.ttl = boundedTtl(answer.expiresAt - clock(), undefined, 0);
    // Without caching, `expiresAt` = `checkedAt`: never served by #fresh, only shared with waiters of this call.
    const stored: AuthorizationAnswer = { userId, allowed, checkedAt, expiresAt: enabled ? answer.expiresAt : checkedAt, asOf, marks };
    return Object.freeze(fromStore ? { ...stored, fromStore } : stored);
  }
}

/** lru-cache's abort reasons when an entry with a lookup under way is deleted, evicted or replaced. */
function isCacheAbort(error: unknown): boolean {
  return !(error instanceof UpstreamError) && error instanceof Error &&
    (error.message === 'deleted' || error.message === 'evicted' || error.message === 'replaced');
}
