import { LRUCache } from 'lru-cache';
import { UpstreamError } from '../client/upstream-error';
import type { GuardEvents } from './events';
import { KeysInFlight } from './keys-in-flight';
import { Revocations, withKey, type UserMarks } from './revocations';
import { readerAnswer, type AskedAnswer, type SharedTier } from './shared-tier';
import type { Clock, SessionSource, SessionStatus } from './types';

/** Asks GenAuth; resolves to `active`, rejects with an `UpstreamError`. */
export type SessionLoader = (appId: string, userId: string, signal?: AbortSignal) => Promise<boolean>;

export interface SessionCacheConfig {
  /** `false` turns caching off: every lookup asks GenAuth. */
  enabled: boolean;
  ttlMs: number;
  inactiveTtlMs: number;
  max: number;
  /**
   * An active answer served from the cache during its life is refreshed in the background this long before its
   * expiry (at `refreshAt`, by a schedule, whether or not a request comes then); 0 turns it off.
   */
  refreshAheadMs: number;
  /** How old a confirmed active answer may be and still serve when GenAuth cannot answer; 0 turns it off. */
  staleIfErrorMs: number;
  clock: Clock;
  load: SessionLoader;
  events: GuardEvents;
  /** The shared second tier (`store` option): read after an in-process miss, written after GenAuth answers. */
  shared?: SharedTier;
  /**
   * The revocations this cache consults and raises (docs/consistency.md); the guard passes the one its authorization
   * cache uses, so that one rule decides for both kinds of answer. @default one of its own
   */
  revocations?: Revocations;
}

/** A cached answer. Frozen and shared: hits return it as is. */
export interface CachedSession extends SessionStatus {
  readonly appId: string;
  readonly userId: string;
  /** Until when (clock ms) it serves: see {@link isFresh}. */
  readonly expiresAt: number;
  /** The invalidation clock when it was asked for: an invalidation of its user since then revokes it. */
  readonly asOf: number;
  /** Its user's invalidation marks, taken when it was asked for (see {@link Revocations}). */
  readonly marks: UserMarks;
  /**
   * From this time on (clock ms), a hit starts a background refresh; an answer hit before it is refreshed then by
   * the schedule. `Infinity`: never refreshed.
   */
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
  /** Background refreshes: started by hits close to their expiry, or by the schedule of answers used earlier. */
  refreshes: number;
  /** Lookups answered by the shared store (not by this process's cache, nor by a call of this process). */
  storeHits: number;
}

/**
 * How many times one lookup asks when its answers keep being superseded by invalidations (an answer asked for
 * before an `invalidate` may predate a kick). Past it the lookup fails (503), on both paths (cache on and off): an
 * answer that an invalidation superseded is never returned.
 */
const MAX_ASKS = 3;

function superseded(): UpstreamError {
  return new UpstreamError('aborted', `check-session-status: answers superseded by invalidations ${MAX_ASKS} times in a row`);
}

/** Keeps host-free keys unambiguous: the length prefix means no two (appId, userId) pairs share a key. */
function keyOf(appId: string, userId: string): string {
  return prefixOf(appId) + userId;
}

let lastAppId: string | undefined;
let lastPrefix = '';

/** `<length>:<appId>:`, remembered for the last app id (a route's fixed id, every request): one concatenation per key. */
function prefixOf(appId: string): string {
  if (lastAppId === undefined || appId !== lastAppId) {
    lastPrefix = `${appId.length}:${appId}:`;
    lastAppId = appId;
  }
  return lastPrefix;
}

/** The longest delay `setTimeout` takes; a longer one fires after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** An answer served from the cache before its `refreshAt`: the schedule refreshes it then. */
interface ScheduledRefresh {
  readonly session: CachedSession;
  /** The credential expiry of the request that scheduled it: the refreshed answer is not kept past it. */
  readonly credentialExpiresAt: number | undefined;
}

function userIdOfKey(key: string): string {
  const colon = key.indexOf(':');
  const appLength = Number(key.slice(0, colon));
  return key.slice(colon + 1 + appLength + 1);
}

/**
 * Whether a cached answer may serve at `now`. The answer's own times decide, not lru-cache's TTL (lru-cache reads a
 * start time of 0 as "no TTL", and ages an entry by `now - start`, so a clock stepping back makes it younger).
 *
 * Rule: an answer serves while `checkedAt <= now < expiresAt`, and `expiresAt` is never more than the TTL after
 * `checkedAt`. A clock reading earlier than `checkedAt` (a wall clock stepped back, an injected clock moved back)
 * makes the answer expired: how much time really passed is unknown, so GenAuth is asked again rather than the
 * answer trusted past its TTL.
 */
export function isFresh(session: Pick<CachedSession, 'checkedAt' | 'expiresAt'>, now: number): boolean {
  return now >= session.checkedAt && now < session.expiresAt;
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
 *
 * Invariant (invalidation; docs/consistency.md): no answer asked for before an `invalidate` that covers it is served
 * after that `invalidate` returns, whether it was stored, being asked for, or asked for and not yet stored (lru-cache
 * stores a fetched value a few microtasks after the fetch function resolves). Every answer carries its user's marks
 * and the invalidation clock taken when its fetch began ({@link Revocations}); `invalidate` raises the marks before it
 * deletes anything; every read (hit, lookup result, stale answer, scheduled refresh) checks the answer against them.
 * Invalidating a user costs what that user holds here, never a walk over the cache (the marks list the user's keys).
 */
export class SessionCache {
  readonly counters: SessionCacheCounters = { hits: 0, misses: 0, coalesced: 0, stale: 0, errors: 0, upstreamCalls: 0, refreshes: 0, storeHits: 0 };
  readonly #config: SessionCacheConfig;
  readonly #revocations: Revocations;
  readonly #lru: LRUCache<string, CachedSession, FetchContext> | undefined;
  /**
   * Keys with a lookup under way: a user's key list keeps them when pruned, so that `invalidate(userId)` aborts them
   * early; the revocation marks, not this list, are what make it safe.
   */
  readonly #inFlight = new KeysInFlight();
  /** Without a cache: calls under way, shared by identical lookups. */
  readonly #flights = new Map<string, Promise<CachedSession>>();
  /**
   * Scheduled refresh: key → the answer served from the cache before its `refreshAt` (at most one entry per key;
   * a later answer of the key replaces it). Answers nobody used are never listed, so they expire as before.
   */
  readonly #scheduled = new Map<string, ScheduledRefresh>();
  /**
   * The keys of {@link #scheduled} by due time: bucket `t` (a multiple of #grain) holds the keys whose answer is due
   * in `(t - grain, t]`. A key may sit in an older bucket too (its answer replaced since): the sweep skips it there.
   */
  readonly #buckets = new Map<number, string[]>();
  /** Bucket width (ms): a refresh starts at most this late after `refreshAt`. */
  readonly #grain: number;
  /** The earliest bucket (no bucket is earlier), or Infinity when there is none: reads sweep once `now` reaches it. */
  #nextSweepAt = Infinity;
  /** Sweeps when no read comes (an unref'd timer: it never keeps the process alive). */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  constructor(config: SessionCacheConfig) {
    this.#config = config;
    this.#revocations = config.revocations ?? new Revocations();
    this.#grain = Math.max(1, Math.floor(config.refreshAheadMs / 4));
    if (!config.enabled) return;
    const keepStale = config.staleIfErrorMs > 0;
    this.#lru = new LRUCache<string, CachedSession, FetchContext>({
      max: config.max,
      // No lru-cache TTL: every read decides by the answer's own times (isFresh), so lru-cache's per-entry start and
      // TTL arrays (16 bytes per `max` slot) and its clock reads on each hit would only repeat that. An expired answer
      // stays until a lookup replaces it or `max` evicts it; it serves only as a bounded stale answer (#staleAnswer).
      // A failed lookup keeps the expired answer only when it may serve as such.
      noDeleteOnFetchRejection: keepStale,
      fetchMethod: (key, stale, { signal, context }) => this.#fetch(key, stale, signal, context),
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
    const now = this.#config.clock();
    if (now >= this.#nextSweepAt) this.#sweep(lru, now);
    if (this.revoked(cached)) {
      this.#dropIfHeld(lru, key, cached);
      return undefined;
    }
    // Expired by its own times (lookup asks again, with forceRefresh, whatever lru-cache thinks of the entry).
    if (!isFresh(cached, now)) return undefined;
    this.counters.hits++;
    this.#config.events.cache(appId, userId, 'hit');
    if (cached.refreshAt <= now) {
      if (!this.#inFlight.has(key)) this.#refresh(lru, key, { appId, userId, expiresAt });
    } else if (cached.refreshAt !== Infinity && this.#scheduled.get(key)?.session !== cached) {
      // Used before its refresh point: the schedule refreshes it then (once per answer: later hits find it listed).
      this.#schedule(key, cached, expiresAt);
    }
    return cached;
  }

  /** The answer for (appId, userId): from the cache, or from GenAuth. Rejects with an `UpstreamError`. */
  async lookup(appId: string, userId: string, expiresAt: number | undefined): Promise<LookupResult> {
    const lru = this.#lru;
    if (!lru) return this.#uncached(appId, userId);
    const cached = this.cached(appId, userId, expiresAt);
    if (cached !== undefined) return { session: cached, source: 'cache' };
    // A miss sweeps too (cached() swept already if it found an entry; a second sweep of the same `now` is a no-op).
    const now = this.#config.clock();
    if (now >= this.#nextSweepAt) this.#sweep(lru, now);
    const key = keyOf(appId, userId);
    const context: FetchContext = { appId, userId, expiresAt };
    for (let asks = 1; ; asks++) {
      const status: LRUCache.Status<string, CachedSession, FetchContext> = {};
      let fromStore = false;
      try {
        // forceRefresh: an entry that lru-cache still holds as fresh may be expired by its own times (isFresh).
        const session = await lru.fetch(key, { context, status, forceRefresh: true });
        if (session === undefined) throw new UpstreamError('aborted', 'check-session-status: lookup dropped');
        if (this.revoked(session)) {
          // Invalidated after GenAuth answered but before lru-cache stored the answer: it may predate a kick.
          this.#dropIfHeld(lru, key, session);
          if (asks < MAX_ASKS) continue;
          throw superseded();
        }
        fromStore = session.fromStore === true;
        // An answer from the shared store is a cached answer too (another replica, or this one before, asked).
        return { session, source: fromStore ? 'cache' : 'upstream' };
      } catch (error) {
        // The entry was invalidated while GenAuth was being asked: its answer may predate a kick, ask again.
        if (isCacheAbort(error) && asks < MAX_ASKS) continue;
        this.counters.errors++;
        const stale = this.#staleAnswer(key);
        if (stale) return { session: stale, source: 'stale' };
        throw isCacheAbort(error) ? superseded() : error;
      } finally {
        if (asks === 1) this.#countLookup(appId, userId, status.fetch, fromStore);
      }
    }
  }

  /**
   * Revokes the cached answers of `userId` (in `appId` only, when given) and drops them; lookups under way are asked
   * again. Costs what the user holds here, whatever the size of the cache.
   */
  invalidate(userId: string, appId?: string): number {
    // First: from here on no answer asked for before this call is served, wherever it is (see the class invariant).
    const marks = this.#revocations.invalidateSessions(userId, appId);
    // No marks: nothing about the user was asked for since they were last forgotten (any answer left is dead).
    if (marks === undefined) return 0;
    const lru = this.#lru;
    if (!lru) {
      this.#dropFlights(userId, appId);
      return 0;
    }
    const keys = marks.sessionKeys;
    if (keys === undefined) return 0;
    // Dropping frees the entries (and aborts lookups under way for them); the marks already revoked them. Scheduled
    // refreshes of the dropped answers go too (a sweep would skip them anyway: see #sweepKey).
    const target = appId === undefined ? undefined : keyOf(appId, userId);
    let dropped = 0;
    const kept: string[] = [];
    for (const key of keys) {
      if (target !== undefined && key !== target) {
        kept.push(key);
        continue;
      }
      this.#scheduled.delete(key);
      if (lru.delete(key)) dropped++;
    }
    marks.sessionKeys = kept.length > 0 ? kept : undefined;
    return dropped;
  }

  /** Drops everything and aborts lookups under way (without a cache: the lookups waiting on a shared call ask again). */
  clear(): void {
    this.#revocations.invalidateAllSessions();
    this.#lru?.clear();
    this.#flights.clear();
    this.#scheduled.clear();
    this.#buckets.clear();
    this.#nextSweepAt = Infinity;
    this.#disarm();
  }

  /** Scheduled refreshes waiting (at most one per key). */
  get scheduledRefreshes(): number {
    return this.#scheduled.size;
  }

  /** Lists `session` (just hit, due later) for a refresh at its `refreshAt`, replacing an older answer of the key. */
  #schedule(key: string, session: CachedSession, credentialExpiresAt: number | undefined): void {
    this.#scheduled.set(key, { session, credentialExpiresAt });
    const grain = this.#grain;
    const due = Math.ceil(session.refreshAt / grain) * grain;
    const bucket = this.#buckets.get(due);
    if (bucket) {
      bucket.push(key);
      return;
    }
    this.#buckets.set(due, [key]);
    // Earlier than every other bucket (the first one, an answer cut short by its credential, a clock moved back).
    if (due < this.#nextSweepAt) {
      this.#nextSweepAt = due;
      this.#arm(this.#config.clock());
    }
  }

  /**
   * Refreshes the scheduled answers due by `now` (buckets up to `now`), then finds the next bucket. Steps bucket by
   * bucket, or, when `now` is further ahead than there are buckets (a clock that jumped), goes through the buckets
   * once instead: never more steps than buckets. A clock moved back only finds nothing due yet.
   */
  #sweep(lru: LRUCache<string, CachedSession, FetchContext>, now: number): void {
    const buckets = this.#buckets;
    const grain = this.#grain;
    const from = this.#nextSweepAt;
    if ((now - from) / grain <= buckets.size) {
      for (let due = from; due <= now; due += grain) {
        const keys = buckets.get(due);
        if (keys === undefined) continue;
        buckets.delete(due);
        for (const key of keys) this.#sweepKey(lru, key, now);
      }
    } else {
      for (const [due, keys] of buckets) {
        if (due > now) continue;
        buckets.delete(due);
        for (const key of keys) this.#sweepKey(lru, key, now);
      }
    }
    this.#nextSweepAt = this.#firstBucketAfter(now);
    this.#arm(now);
  }

  /** The earliest bucket (all are later than `now`), stepping at most as many times as there are buckets. */
  #firstBucketAfter(now: number): number {
    const buckets = this.#buckets;
    if (buckets.size === 0) return Infinity;
    const grain = this.#grain;
    let due = (Math.floor(now / grain) + 1) * grain;
    for (let step = 0; step < buckets.size; step++, due += grain) if (buckets.has(due)) return due;
    let first = Infinity;
    for (const at of buckets.keys()) if (at < first) first = at;
    return first;
  }

  /**
   * Refreshes `key` if the cache still holds exactly the answer scheduled (not dropped, evicted or replaced), it is
   * active, fresh and not superseded by an invalidation, nothing is asking for the key already, and a refresh can
   * extend it (an answer cut short by its credential's exp would come back cut short at the same time).
   */
  #sweepKey(lru: LRUCache<string, CachedSession, FetchContext>, key: string, now: number): void {
    const entry = this.#scheduled.get(key);
    if (entry === undefined) return;
    const { session, credentialExpiresAt } = entry;
    // Listed again for a later answer (in a later bucket): that bucket refreshes it.
    if (Math.ceil(session.refreshAt / this.#grain) * this.#grain > now) return;
    this.#scheduled.delete(key);
    if (lru.peek(key, { allowStale: true }) !== session || !session.active || !isFresh(session, now)) return;
    if (this.revoked(session) || this.#inFlight.has(key)) return;
    if (credentialExpiresAt !== undefined && credentialExpiresAt <= session.expiresAt) return;
    this.#refresh(lru, key, { appId: session.appId, userId: session.userId, expiresAt: credentialExpiresAt });
  }

  /** Sets the timer for the earliest bucket (not before `now`), unless it is set for it already; none without buckets. */
  #arm(now: number): void {
    const at = this.#nextSweepAt;
    if (at === this.#timerAt) return;
    this.#disarm();
    if (at === Infinity) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(at - now)));
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      const lru = this.#lru;
      const time = this.#config.clock();
      if (lru && time >= this.#nextSweepAt) this.#sweep(lru, time);
      else this.#arm(time);
    }, delay);
    this.#timer.unref?.();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  /** Whether an invalidation since it was asked for revoked `session` (every read asks; so does a decision that waited). */
  revoked(session: CachedSession): boolean {
    return this.#revocations.sessionRevoked(session.marks, session.asOf, session.appId);
  }

  /** Deletes `session` from lru-cache if it is what the key holds (not a newer answer, not a lookup under way). */
  #dropIfHeld(lru: LRUCache<string, CachedSession, FetchContext>, key: string, session: CachedSession): void {
    if (lru.peek(key, { allowStale: true }) === session && !this.#inFlight.has(key)) lru.delete(key);
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

  /** A confirmed active answer at most `staleIfErrorMs` old (by the same clock rule as isFresh), not superseded. */
  #staleAnswer(key: string): CachedSession | undefined {
    const { staleIfErrorMs, clock, events } = this.#config;
    if (staleIfErrorMs <= 0) return undefined;
    const stale = this.#lru?.peek(key, { allowStale: true });
    if (!stale || !stale.active || this.revoked(stale)) return undefined;
    const age = clock() - stale.checkedAt;
    if (!(age >= 0 && age <= staleIfErrorMs)) return undefined;
    this.counters.stale++;
    events.cache(stale.appId, stale.userId, 'stale');
    return stale;
  }

  /** Until when an answer checked at `checkedAt` may serve: the own TTL, and never past the credential's expiry. */
  #expiryOf(active: boolean, checkedAt: number, credentialExpiresAt: number | undefined): number {
    const { ttlMs, inactiveTtlMs } = this.#config;
    if (!active) return checkedAt + inactiveTtlMs;
    return credentialExpiresAt === undefined ? checkedAt + ttlMs : Math.min(checkedAt + ttlMs, credentialExpiresAt);
  }

  async #fetch(
    key: string,
    stale: CachedSession | undefined,
    signal: AbortSignal,
    context: FetchContext,
  ): Promise<CachedSession> {
    const { appId, userId, expiresAt: credentialExpiresAt } = context;
    const { clock, ttlMs, inactiveTtlMs, load, shared } = this.#config;
    // Taken before anything is asked: an invalidate from now on revokes this answer.
    const revocations = this.#revocations;
    const marks = revocations.begin(userId);
    const asOf = revocations.now;
    marks.sessionKeys = withKey(marks.sessionKeys, key, this.#holds);
    this.#inFlight.start(key);
    try {
      const ask = async (): Promise<AskedAnswer> => {
        this.counters.upstreamCalls++;
        const active = await load(appId, userId, signal);
        const checkedAt = clock();
        return { active, checkedAt, expiresAt: this.#expiryOf(active, checkedAt, credentialExpiresAt) };
      };
      let answer: AskedAnswer;
      let fromStore = false;
      if (shared) {
        // A refresh (or an expired answer kept for stale serving) must not take back the answer it replaces.
        const resolved = await shared.resolve(appId, userId, signal, { newerThan: stale?.checkedAt, ttlMs, inactiveTtlMs }, ask);
        fromStore = resolved.origin === 'store';
        answer = readerAnswer(resolved, (active, checkedAt) => this.#expiryOf(active, checkedAt, credentialExpiresAt));
      } else {
        answer = await ask();
      }
      const { active, checkedAt, expiresAt } = answer;
      const now = clock();
      // An answer that lives no longer than the refresh window (cut short by the credential's exp) is not refreshed:
      // it would be due at once, and every hit would re-ask GenAuth until the exp.
      const { refreshAheadMs } = this.#config;
      const refreshAt = active && refreshAheadMs > 0 && expiresAt - now > refreshAheadMs ? expiresAt - refreshAheadMs : Infinity;
      const session: CachedSession = { appId, userId, active, checkedAt, expiresAt, asOf, marks, refreshAt };
      return Object.freeze(fromStore ? { ...session, fromStore } : session);
    } finally {
      revocations.end(marks);
      this.#inFlight.end(key);
    }
  }

  /**
   * Without a cache every lookup asks GenAuth, except that identical lookups under way at the same moment share
   * one call (an answer never predates the request by more than that call). An answer superseded by `invalidate`
   * is not returned: its waiters ask again (at most MAX_ASKS times in all, as with the cache).
   */
  async #uncached(appId: string, userId: string): Promise<LookupResult> {
    const key = keyOf(appId, userId);
    for (let asks = 1; ; asks++) {
      let flight = this.#flights.get(key);
      const joined = flight !== undefined;
      if (!flight) flight = this.#startFlight(key, appId, userId);
      if (asks === 1) {
        if (joined) this.counters.coalesced++;
        else this.counters.misses++;
        this.#config.events.cache(appId, userId, joined ? 'coalesced' : 'miss');
      }
      let session: CachedSession;
      try {
        session = await flight;
      } catch (error) {
        this.counters.errors++;
        throw error;
      }
      if (!this.revoked(session)) return { session, source: 'upstream' };
      if (asks >= MAX_ASKS) {
        this.counters.errors++;
        throw superseded();
      }
    }
  }

  #startFlight(key: string, appId: string, userId: string): Promise<CachedSession> {
    this.counters.upstreamCalls++;
    const marks = this.#revocations.begin(userId);
    const asOf = this.#revocations.now;
    const flight: Promise<CachedSession> = this.#config.load(appId, userId).then((active) => {
      const checkedAt = this.#config.clock();
      return Object.freeze({ appId, userId, active, checkedAt, expiresAt: checkedAt, asOf, marks, refreshAt: Infinity });
    }).finally(() => {
      this.#revocations.end(marks);
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    });
    this.#flights.set(key, flight);
    return flight;
  }

  /**
   * Without a cache: lookups that start from now on do not join the calls under way for `userId`. Walks the calls
   * under way (bounded by the client's concurrency limit and queue), not a cache.
   */
  #dropFlights(userId: string, appId: string | undefined): void {
    for (const key of this.#flights.keys()) {
      if (appId !== undefined ? key === keyOf(appId, userId) : userIdOfKey(key) === userId) this.#flights.delete(key);
    }
  }

  /** Whether the key has an answer held or a lookup under way (a user's key list keeps those when pruned). */
  readonly #holds = (key: string): boolean => this.#inFlight.has(key) || this.#lru?.peek(key, { allowStale: true }) !== undefined;
}
