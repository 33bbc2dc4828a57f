import { LRUCache } from 'lru-cache';
import { UpstreamError } from '../client/upstream-error';
import type { GuardEvents } from './events';
import type { AskedAnswer, SharedTier } from './shared-tier';
import type { Clock, SessionSource, SessionStatus } from './types';

/** Asks GenAuth; resolves to `active`, rejects with an `UpstreamError`. */
export type SessionLoader = (appId: string, userId: string, signal?: AbortSignal) => Promise<boolean>;

export interface SessionCacheConfig {
  /** `false` turns caching off: every lookup asks GenAuth. */
  enabled: boolean;
  ttlMs: number;
  inactiveTtlMs: number;
  max: number;
  /** An active answer hit within this long of its expiry is refreshed in the background; 0 turns it off. */
  refreshAheadMs: number;
  /** How old a confirmed active answer may be and still serve when GenAuth cannot answer; 0 turns it off. */
  staleIfErrorMs: number;
  clock: Clock;
  /** Whether `clock` is the caller's own (then the cache reads it on every lookup instead of debouncing). */
  injectedClock: boolean;
  load: SessionLoader;
  events: GuardEvents;
  /** The shared second tier (`store` option): read after an in-process miss, written after GenAuth answers. */
  shared?: SharedTier;
}

/** A cached answer. Frozen and shared: hits return it as is. */
export interface CachedSession extends SessionStatus {
  readonly appId: string;
  readonly userId: string;
  /** From this time on (clock ms), a hit starts a background refresh. */
  readonly refreshAt: number;
  /** Read from the shared store rather than asked of GenAuth by this process. */
  readonly fromStore?: boolean;
}

export interface LookupResult {
  session: CachedSession;
  source: SessionSource;
}

interface FetchContext {
  appId: string;
  userId: string;
  /** The credential's expiry (ms since epoch): an active answer is never kept past it. */
  expiresAt: number | undefined;
}

/** Counters of {@link SessionCache}. */
export interface SessionCacheCounters {
  hits: number;
  misses: number;
  coalesced: number;
  stale: number;
  errors: number;
  upstreamCalls: number;
  /** Background refreshes started by hits close to their expiry. */
  refreshes: number;
  /** Lookups answered by the shared store (not by this process's cache, nor by a call of this process). */
  storeHits: number;
}

interface Flight {
  promise: Promise<CachedSession>;
  /** Set by `invalidate`: the answer may predate a kick, and its waiters ask again. */
  superseded: boolean;
}

/** Keeps host-free keys unambiguous: the length prefix means no two (appId, userId) pairs share a key. */
function keyOf(appId: string, userId: string): string {
  return `${appId.length}:${appId}:${userId}`;
}

function userIdOfKey(key: string): string {
  const colon = key.indexOf(':');
  const appLength = Number(key.slice(0, colon));
  return key.slice(colon + 1 + appLength + 1);
}

/** An active answer's TTL: at most `ttlMs`, never past the credential's expiry, and at least 1 ms (0 means forever to lru-cache). */
function ttlCappedByExpiry(ttlMs: number, expiresAt: number | undefined, now: number): number {
  return Math.max(1, Math.min(ttlMs, expiresAt === undefined ? ttlMs : expiresAt - now));
}

/** lru-cache's abort reasons when an entry with a lookup under way is deleted, evicted or replaced. */
function isCacheAbort(error: unknown): boolean {
  return !(error instanceof UpstreamError) && error instanceof Error &&
    (error.message === 'deleted' || error.message === 'evicted' || error.message === 'replaced');
}

/**
 * The per-process session-status cache: lru-cache with a TTL per answer (active: `ttlMs`, capped by the
 * credential's `exp`; inactive: `inactiveTtlMs`), `fetch` so that concurrent lookups of one key share one
 * upstream call, errors never cached, and (optionally) a bounded stale answer when GenAuth cannot answer.
 */
export class SessionCache {
  readonly counters: SessionCacheCounters = { hits: 0, misses: 0, coalesced: 0, stale: 0, errors: 0, upstreamCalls: 0, refreshes: 0, storeHits: 0 };
  readonly #config: SessionCacheConfig;
  readonly #lru: LRUCache<string, CachedSession, FetchContext> | undefined;
  /**
   * Keys with a lookup under way (lru-cache's `keys()` does not list them), counted: an aborted lookup may still
   * be unwinding when the lookup that replaces it starts, and must not take the key off the list when it ends.
   */
  readonly #inFlight = new Map<string, number>();
  /** Without a cache: calls under way, shared by identical lookups. */
  readonly #flights = new Map<string, Flight>();

  constructor(config: SessionCacheConfig) {
    this.#config = config;
    if (!config.enabled) return;
    const keepStale = config.staleIfErrorMs > 0;
    this.#lru = new LRUCache<string, CachedSession, FetchContext>({
      max: config.max,
      ttl: config.ttlMs,
      ttlResolution: config.injectedClock ? 0 : 1,
      perf: { now: config.clock },
      // Keep expired entries (bounded by `max`) only when they may serve as a stale answer.
      noDeleteOnStaleGet: keepStale,
      noDeleteOnFetchRejection: keepStale,
      fetchMethod: (key, stale, { signal, options, context }) => this.#fetch(key, stale, signal, options, context),
    });
  }

  /** Entries held now (expired ones kept for stale serving included). */
  get size(): number {
    return this.#lru?.size ?? 0;
  }

  /**
   * The cached answer for (appId, userId), synchronously, or `undefined` on a miss (then call {@link lookup}).
   * The hot path: no promise, no allocation beyond the lru-cache read.
   */
  cached(appId: string, userId: string, expiresAt: number | undefined): CachedSession | undefined {
    const lru = this.#lru;
    if (!lru) return undefined;
    const key = keyOf(appId, userId);
    const cached = lru.get(key);
    if (cached === undefined) return undefined;
    this.counters.hits++;
    this.#config.events.cache(appId, userId, 'hit');
    if (cached.refreshAt <= this.#config.clock() && !this.#inFlight.has(key)) this.#refresh(lru, key, { appId, userId, expiresAt });
    return cached;
  }

  /** The answer for (appId, userId): from the cache, or from GenAuth. Rejects with an `UpstreamError`. */
  async lookup(appId: string, userId: string, expiresAt: number | undefined): Promise<LookupResult> {
    const lru = this.#lru;
    if (!lru) return this.#uncached(appId, userId);
    const cached = this.cached(appId, userId, expiresAt);
    if (cached !== undefined) return { session: cached, source: 'cache' };
    const key = keyOf(appId, userId);
    const context: FetchContext = { appId, userId, expiresAt };
    for (let tries = 0; ; tries++) {
      const status: LRUCache.Status<string, CachedSession, FetchContext> = {};
      let fromStore = false;
      try {
        const session = await lru.fetch(key, { context, status });
        if (session === undefined) throw new UpstreamError('aborted', 'check-session-status: lookup dropped');
        fromStore = session.fromStore === true;
        // An answer from the shared store is a cached answer too (another replica, or this one before, asked).
        return { session, source: fromStore ? 'cache' : 'upstream' };
      } catch (error) {
        // The entry was invalidated while GenAuth was being asked: its answer may predate a kick, ask again.
        if (isCacheAbort(error) && tries === 0) continue;
        this.counters.errors++;
        const stale = this.#staleAnswer(key);
        if (stale) return { session: stale, source: 'stale' };
        throw error;
      } finally {
        if (tries === 0) this.#countLookup(appId, userId, status.fetch, fromStore);
      }
    }
  }

  /** Drops the cached answers of `userId` (in `appId` only, when given); lookups under way are asked again. */
  invalidate(userId: string, appId?: string): number {
    const lru = this.#lru;
    if (!lru) {
      this.#supersedeFlights(userId, appId);
      return 0;
    }
    if (appId !== undefined) return lru.delete(keyOf(appId, userId)) ? 1 : 0;
    const keys = new Set<string>();
    // Not lru.keys(): it skips expired entries, and with allow-stale those are kept to serve during an outage, so a
    // kicked user's answer would survive invalidate(userId) and still be served as stale. dump() lists them all.
    for (const [key] of lru.dump()) if (userIdOfKey(key) === userId) keys.add(key);
    for (const key of this.#inFlight.keys()) if (userIdOfKey(key) === userId) keys.add(key);
    let dropped = 0;
    for (const key of keys) if (lru.delete(key)) dropped++;
    return dropped;
  }

  /** Drops everything and aborts lookups under way (without a cache: the lookups waiting on a shared call ask again). */
  clear(): void {
    this.#lru?.clear();
    for (const flight of this.#flights.values()) flight.superseded = true;
    this.#flights.clear();
  }

  /**
   * Asks GenAuth again while the current answer keeps serving until its own expiry (never longer: a hit after
   * the expiry waits for this refresh). A failed refresh leaves the current answer in place, to expire as usual.
   */
  #refresh(lru: LRUCache<string, CachedSession, FetchContext>, key: string, context: FetchContext): void {
    this.counters.refreshes++;
    lru.fetch(key, { forceRefresh: true, allowStale: true, noDeleteOnFetchRejection: true, context }).catch(() => undefined);
  }

  #countLookup(appId: string, userId: string, fetchStatus: LRUCache.Status<string, CachedSession, FetchContext>['fetch'], fromStore: boolean): void {
    if (fetchStatus === 'inflight') {
      this.counters.coalesced++;
      this.#config.events.cache(appId, userId, 'coalesced');
    } else if (fromStore) {
      this.counters.storeHits++;
      this.#config.events.cache(appId, userId, 'store');
    } else {
      this.counters.misses++;
      this.#config.events.cache(appId, userId, 'miss');
    }
  }

  #staleAnswer(key: string): CachedSession | undefined {
    const { staleIfErrorMs, clock, events } = this.#config;
    if (staleIfErrorMs <= 0) return undefined;
    const stale = this.#lru?.peek(key, { allowStale: true });
    if (!stale || !stale.active || clock() - stale.checkedAt > staleIfErrorMs) return undefined;
    this.counters.stale++;
    events.cache(stale.appId, stale.userId, 'stale');
    return stale;
  }

  async #fetch(
    key: string,
    stale: CachedSession | undefined,
    signal: AbortSignal,
    options: LRUCache.FetcherFetchOptions<string, CachedSession, FetchContext>,
    context: FetchContext,
  ): Promise<CachedSession> {
    const { appId, userId, expiresAt } = context;
    const { clock, ttlMs, inactiveTtlMs, load, shared } = this.#config;
    this.#inFlight.set(key, (this.#inFlight.get(key) ?? 0) + 1);
    try {
      const ask = async (): Promise<AskedAnswer> => {
        this.counters.upstreamCalls++;
        const active = await load(appId, userId, signal);
        const checkedAt = clock();
        // lru-cache reads a ttl of 0 as "forever": the shortest real ttl is 1 ms.
        return { active, checkedAt, ttlMs: active ? ttlCappedByExpiry(ttlMs, expiresAt, checkedAt) : inactiveTtlMs };
      };
      let answer: AskedAnswer;
      let fromStore = false;
      let expiry: number;
      if (shared) {
        // A refresh (or an expired answer kept for stale serving) must not take back the answer it replaces.
        const resolved = await shared.resolve(appId, userId, signal, stale?.checkedAt, ask);
        fromStore = resolved.origin === 'store';
        answer = resolved;
        // From the store: what is left of its life there, never longer than this guard's own TTLs, and never past
        // this caller's credential exp either.
        if (fromStore) {
          const ttl = answer.active
            ? ttlCappedByExpiry(Math.min(resolved.ttlMs, ttlMs), expiresAt, clock())
            : Math.max(1, Math.min(resolved.ttlMs, inactiveTtlMs));
          answer = { ...answer, ttlMs: ttl };
        }
        expiry = fromStore ? clock() + answer.ttlMs : answer.checkedAt + answer.ttlMs;
      } else {
        answer = await ask();
        expiry = answer.checkedAt + answer.ttlMs;
      }
      const { active, checkedAt, ttlMs: ttl } = answer;
      options.ttl = ttl;
      // An answer that lives no longer than the refresh window (cut short by the credential's exp) is not refreshed:
      // it would be due at once, and every hit would re-ask GenAuth until the exp.
      const { refreshAheadMs } = this.#config;
      const refreshAt = active && refreshAheadMs > 0 && ttl > refreshAheadMs ? expiry - refreshAheadMs : Infinity;
      return Object.freeze(fromStore ? { appId, userId, active, checkedAt, refreshAt, fromStore } : { appId, userId, active, checkedAt, refreshAt });
    } finally {
      const left = (this.#inFlight.get(key) ?? 1) - 1;
      if (left > 0) this.#inFlight.set(key, left);
      else this.#inFlight.delete(key);
    }
  }

  /**
   * Without a cache every lookup asks GenAuth, except that identical lookups under way at the same moment share
   * one call (an answer never predates the request by more than that call). `invalidate` makes the lookups
   * waiting on a shared call ask again.
   */
  async #uncached(appId: string, userId: string): Promise<LookupResult> {
    const key = keyOf(appId, userId);
    for (let tries = 0; ; tries++) {
      let flight = this.#flights.get(key);
      const joined = flight !== undefined;
      if (!flight) flight = this.#startFlight(key, appId, userId);
      if (tries === 0) {
        if (joined) this.counters.coalesced++;
        else this.counters.misses++;
        this.#config.events.cache(appId, userId, joined ? 'coalesced' : 'miss');
      }
      try {
        const session = await flight.promise;
        if (flight.superseded && tries === 0) continue;
        return { session, source: 'upstream' };
      } catch (error) {
        if (flight.superseded && tries === 0) continue;
        this.counters.errors++;
        throw error;
      }
    }
  }

  #startFlight(key: string, appId: string, userId: string): Flight {
    this.counters.upstreamCalls++;
    const flight: Flight = { superseded: false, promise: Promise.resolve(undefined as never) };
    flight.promise = this.#config.load(appId, userId).then(
      (active) => Object.freeze({ appId, userId, active, checkedAt: this.#config.clock(), refreshAt: Infinity }),
    ).finally(() => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    });
    this.#flights.set(key, flight);
    return flight;
  }

  /** Without a cache: the lookups waiting on a shared call for `userId` ask again. */
  #supersedeFlights(userId: string, appId: string | undefined): void {
    for (const [key, flight] of this.#flights) {
      if (appId !== undefined ? key === keyOf(appId, userId) : userIdOfKey(key) === userId) {
        flight.superseded = true;
        this.#flights.delete(key);
      }
    }
  }
}
