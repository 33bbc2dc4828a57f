import { randomUUID } from 'node:crypto';
import { UpstreamError } from '../client/upstream-error';
import type { GuardEvents, StoreOperation } from './events';
import type { SharedStore, SharedStoreSession, StoredAnswer, StoreRead } from './shared-store';
import { sleep } from './sleep';
import type { Clock } from './types';

/** An answer from GenAuth, with until when it may serve (clock ms). */
export interface AskedAnswer {
  active: boolean;
  checkedAt: number;
  expiresAt: number;
}

/**
 * The answer of {@link SharedTier.resolve} and where it came from. From the store, `expiresAt` is on this replica's
 * clock: the earliest of the store's own expiry and the answer's `expiresAt`, never past `checkedAt` + the reader's
 * own TTL (active or inactive).
 */
export interface SharedAnswer extends AskedAnswer {
  origin: 'store' | 'upstream';
}

/**
 * The answer a reader may keep: one from the store capped by the reader's own rule for an answer checked then
 * (`expiryOf`: its own TTL and its caller's credential `exp`, whatever TTL the writing replica had); one it asked
 * for itself as it is.
 */
export function readerAnswer(answer: SharedAnswer, expiryOf: (active: boolean, checkedAt: number) => number): AskedAnswer {
  if (answer.origin !== 'store') return answer;
  return { ...answer, expiresAt: Math.min(answer.expiresAt, expiryOf(answer.active, answer.checkedAt)) };
}

/** What a lookup accepts from the store. */
export interface ReadLimits {
  /** Only an answer checked after this is usable (a refresh must not take back the answer it replaces). */
  newerThan: number | undefined;
  /** The reader's own TTLs: an answer checked longer ago than these is not usable, whoever wrote it. */
  ttlMs: number;
  inactiveTtlMs: number;
}

/**
 * Whether an answer read from the store can serve at `now` under the reader's limits. Store values are input: a
 * wrong shape, a non-finite time, a `checkedAt` in the future (on this replica's clock) or past the limits is a
 * miss for that key (GenAuth is asked and the answer written over it), never an error of the store.
 */
export function usableStoredAnswer(answer: unknown, now: number, limits: ReadLimits): answer is StoredAnswer {
  if (typeof answer !== 'object' || answer === null) return false;
  const { active, checkedAt, expiresAt } = answer as Partial<StoredAnswer>;
  if (typeof active !== 'boolean' || typeof checkedAt !== 'number' || typeof expiresAt !== 'number') return false;
  if (!Number.isFinite(checkedAt) || !Number.isFinite(expiresAt)) return false;
  if (checkedAt > now || expiresAt <= now) return false;
  if (limits.newerThan !== undefined && !(checkedAt > limits.newerThan)) return false;
  return now - checkedAt < (active ? limits.ttlMs : limits.inactiveTtlMs);
}

export interface SharedTierConfig {
  store: SharedStore;
  host: string;
  accessKeyId: string;
  /** How long the lock of one lookup lives (ms). */
  lockMs: number;
  /** The longest life of this guard's answers (active or inactive), ms: sizes the invalidation fence. */
  answerTtlMs: number;
  clock: Clock;
  events: GuardEvents;
  /** Another replica invalidated: drop the in-process copies (and abort lookups under way). */
  onInvalidated(userId: string, appId: string | undefined): void;
  /** Another replica invalidated authorization answers (of `userId`, or of everyone): drop the in-process copies. */
  onInvalidatedAuthorization(userId: string | undefined): void;
  /** Invalidations may have been missed: drop every in-process copy. */
  onMissed(): void;
}

export interface SharedTierCounters {
  /** Lookups (fetches) answered by the store. */
  hits: number;
  /** Of those, the ones that waited for another replica's call to GenAuth. */
  waits: number;
  /** Store calls that failed or timed out, and lookups or invalidations that skipped the store while it was down. */
  errors: number;
  /** Invalidations received from other replicas. */
  invalidations: number;
}

/** `partial`: up, but calls to some shards (Redis Cluster nodes, `SharedStoreSession.shardOf`) failed last time. */
export type SharedTierState = 'connecting' | 'up' | 'partial' | 'down';

/** What `invalidateAll` (`all`) and `invalidateAuthorization()` (`authz`) cover: every answer, or authorization answers. */
type EveryoneKind = 'all' | 'authz';

/** One answer's place: the session answer of (appId, userId), or with `policy` an authorization answer. */
interface Slot {
  appId: string;
  userId: string;
  policy: string | undefined;
}

/** Most invalidations kept for a replay while the store is down. */
const MAX_MISSED_INVALIDATIONS = 10_000;
/** First and longest pause between two reads while another replica holds the lock, ms. */
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 50;

class StoreTimeoutError extends Error {
  constructor(operation: StoreOperation, timeoutMs: number) {
    super(`store ${operation}: no answer within ${timeoutMs} ms`);
    this.name = 'StoreTimeoutError';
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.length > 200 ? `${message.slice(0, 200)}...` : message;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new UpstreamError('aborted', 'check-session-status: lookup dropped');
}

/**
 * The guard's side of a shared store: lookups read it after an in-process miss, take its lock to ask GenAuth (or
 * wait a bounded time for the replica that holds it), and write what they got; invalidations go through it to
 * every replica. Every call is bounded by the store's timeout; a failure or a timeout makes the guard go on with
 * its in-process cache and GenAuth, skip the store for `retryAfterMs`, then try it again with one call.
 */
export class SharedTier {
  readonly counters: SharedTierCounters = { hits: 0, waits: 0, errors: 0, invalidations: 0 };
  readonly #config: SharedTierConfig;
  readonly #session: SharedStoreSession;
  readonly #timeoutMs: number;
  readonly #retryAfterMs: number;
  /** Background calls (invalidations, lock releases) that `close` waits for. */
  readonly #pending = new Set<Promise<unknown>>();
  /** This replica's invalidations under way, per user: a lookup of that user waits for them before reading. */
  readonly #invalidating = new Map<string, Promise<boolean>>();
  /**
   * Invalidations that could not reach the store, per user (an undefined app: all apps), replayed when it is back.
   * Until then the store may still hold the user's old answers: lookups of that user do not read it.
   */
  readonly #missed = new Map<string, { userId: string; appIds: Set<string> | undefined }>();
  /**
   * This replica's `invalidateAll` (`all`) or `invalidateAuthorization()` (`authz`) under way: every lookup (of an
   * authorization answer, for `authz`) waits for it before reading the store.
   */
  readonly #invalidatingEveryone: Partial<Record<EveryoneKind, Promise<boolean>>> = {};
  /** Such an invalidation could not reach the store: the lookups it covers leave it out until it is sent again. */
  readonly #missedEveryone: Record<EveryoneKind, boolean> = { all: false, authz: false };
  #commands = false;
  #subscribed = false;
  #everReady = false;
  #connectWaitOver = false;
  /** A call failed or timed out; no call until `#retryAt`, then one probe. */
  #failing = false;
  #retryAt = 0;
  #probing = false;
  /**
   * Shards whose last call failed or timed out: no call about their users until `retryAt`, then one probe. Invariant:
   * a failure of a call about one user (a shard known) never keeps the guard off the other shards.
   */
  readonly #failingShards = new Map<string, { retryAt: number; probing: boolean }>();
  /** A replay of missed invalidations armed after a shard failed (nothing else would start one while others are up). */
  #replayTimer: NodeJS.Timeout | undefined;
  #closing = false;
  #state: SharedTierState = 'connecting';

  constructor(config: SharedTierConfig) {
    this.#config = config;
    this.#timeoutMs = config.store.settings.timeoutMs;
    this.#retryAfterMs = config.store.settings.retryAfterMs;
    this.#session = config.store.attach({
      host: config.host,
      accessKeyId: config.accessKeyId,
      listener: {
        invalidated: (userId, appId) => this.#received(userId, appId),
        invalidatedAll: () => this.#receivedAll(),
        invalidatedAuthorization: (userId) => this.#receivedAuthorization(userId),
        status: ({ commands, subscribed }) => {
          if (this.#closing) return;
          // A new connection is a fresh start: calls may go again without waiting for the retry delay.
          if (commands && !this.#commands) this.#failing = false;
          this.#commands = commands;
          this.#subscribed = subscribed;
          if (commands) this.#everReady = true;
          this.#update();
        },
        resubscribed: () => {
          if (this.#closing) return;
          this.#config.events.store({ event: 'resubscribed' });
          this.#config.onMissed();
        },
        error: (error, operation) => this.#config.events.store({ event: 'error', operation, message: describe(error) }),
      },
    });
  }

  get state(): SharedTierState {
    return this.#state;
  }

  /** Whether authorization answers may go through the store (see `SharedStoreSession.authorization`). */
  get sharesAuthorization(): boolean {
    return this.#session.authorization === true;
  }

  /**
   * The answer for (appId, userId): from the store, from GenAuth through `ask` while holding the store's lock
   * (then written to the store), or from `ask` alone when the store cannot be used. Rejects as `ask` does, or
   * with the signal's reason once aborted. With `policy` (a canonical policy key), the authorization answer of
   * (appId, userId, policy) under the same rules: `active` is then "allowed", `limits` the allowed and denied TTLs.
   */
  async resolve(
    appId: string,
    userId: string,
    signal: AbortSignal,
    limits: ReadLimits,
    ask: () => Promise<AskedAnswer>,
    policy?: string,
  ): Promise<SharedAnswer> {
    // The store must not hand back an answer this replica has just invalidated: wait for that invalidation to be
    // done there (bounded by the store's timeout), and leave the store out while it could not be done.
    const invalidating = this.#invalidating.get(userId);
    if (invalidating) await invalidating;
    const kinds: EveryoneKind[] = policy === undefined ? ['all'] : ['all', 'authz'];
    for (const kind of kinds) {
      const everyone = this.#invalidatingEveryone[kind];
      if (everyone) await everyone;
    }
    if (this.#missed.has(userId) || kinds.some((kind) => this.#missedEveryone[kind])) {
      this.counters.errors++;
      return this.#direct(ask);
    }
    const shard = this.#session.shardOf?.(userId);
    if (!(await this.#admit(shard))) return this.#direct(ask);
    const lockToken = randomUUID();
    const { lockMs, clock } = this.#config;
    const started = performance.now();
    let pause = FIRST_POLL_MS;
    let waited = false;
    for (;;) {
      if (signal.aborted) throw abortReason(signal);
      let read: StoreRead;
      let reading: Promise<StoreRead> | undefined;
      try {
        const { newerThan, ttlMs, inactiveTtlMs } = limits;
        const request = { lockToken, lockMs, now: clock(), newerThan, ttlMs, inactiveTtlMs, ...(policy === undefined ? {} : { policy }) };
        read = await this.#call('read', () => (reading = this.#session.read(appId, userId, request)), shard);
      } catch {
        if (reading) this.#releaseAbandoned(reading, { appId, userId, policy }, lockToken);
        return this.#direct(ask);
      }
      const readAt = performance.now();
      if (read.kind === 'answer') {
        const now = clock();
        const { answer, remainingMs } = read;
        // The store checks these limits too; a store of another make (or another version) may not.
        if (usableStoredAnswer(answer, now, limits) && typeof remainingMs === 'number' && remainingMs > 0) {
          this.counters.hits++;
          if (waited) this.counters.waits++;
          const { active, checkedAt } = answer;
          // Never longer than the store keeps it, nor past its own expiry, nor past checkedAt + the reader's own TTL.
          const expiresAt = Math.min(now + remainingMs, answer.expiresAt, checkedAt + (active ? limits.ttlMs : limits.inactiveTtlMs));
          return { active, checkedAt, expiresAt, origin: 'store' };
        }
      }
      // A value this reader cannot use (malformed, or beyond its limits), without the lock: ask, and write over it.
      const slot = { appId, userId, policy };
      if (read.kind === 'answer' || read.kind === 'unusable') return this.#askAndWrite(slot, read, readAt, undefined, signal, ask);
      if (read.kind === 'locked') return this.#askAndWrite(slot, read, readAt, lockToken, signal, ask);
      waited = true;
      // The holder did not answer within two lock lifetimes (it died, and so did the next one): ask directly.
      if (readAt - started >= 2 * lockMs) return this.#askAndWrite(slot, read, readAt, undefined, signal, ask);
      const lockLeft = read.lockRemainingMs > 0 ? read.lockRemainingMs : pause;
      await sleep(Math.max(1, Math.min(pause, lockLeft)), signal);
      pause = Math.min(pause * 2, MAX_POLL_MS);
    }
  }

  /**
   * Deletes the answers of `userId` from the store (session answers in `appId` only, when given, and every
   * authorization answer of the user; only the latter with `authorizationOnly`) and tells the other replicas. Resolves
   * to `true` once done, `false` when the store could not be reached (the invalidation is then replayed when the
   * store is back; an authorization-only one is replayed as one of every answer of the user: more, never less).
   */
  invalidate(userId: string, appId: string | undefined, authorizationOnly = false): Promise<boolean> {
    const before = this.#invalidating.get(userId);
    // One after the other per user, so that a lookup waiting for the last one waits for them all.
    // A store that does not keep authorization answers apart gets an invalidation of every answer of the user.
    const only = authorizationOnly && this.sharesAuthorization;
    const done = this.#track((before ?? Promise.resolve(true)).then(() => this.#invalidate(userId, only ? undefined : appId, only)));
    this.#invalidating.set(userId, done);
    void done.finally(() => {
      if (this.#invalidating.get(userId) === done) this.#invalidating.delete(userId);
    });
    return done;
  }

  /**
   * Makes every answer in the store unusable and tells the other replicas (`invalidateAll`). Resolves like
   * {@link invalidate}; until it is done, lookups wait for it before reading the store, and while it could not be done
   * they leave the store out (it is sent again when the store is back).
   */
  invalidateAll(): Promise<boolean> {
    return this.#invalidateEveryone('all');
  }

  /**
   * Makes every authorization answer in the store unusable and tells the other replicas (`invalidateAuthorization()`),
   * like {@link invalidateAll} for authorization answers only. A store without `invalidateAuthorization` gets an
   * `invalidateAll` instead (session answers go too: more, never less).
   */
  invalidateAuthorization(): Promise<boolean> {
    return this.#invalidateEveryone(this.#session.invalidateAuthorization ? 'authz' : 'all');
  }

  #invalidateEveryone(kind: EveryoneKind): Promise<boolean> {
    const send = kind === 'all' ? this.#session.invalidateAll?.bind(this.#session) : this.#session.invalidateAuthorization?.bind(this.#session);
    const done = this.#track((this.#invalidatingEveryone[kind] ?? Promise.resolve(true)).then(async () => {
      if (!send) return false;
      if (!(await this.#admit())) {
        if (!this.#closing) this.#missEveryone(kind);
        return false;
      }
      try {
        await this.#call('invalidate', send);
        this.#missedEveryone[kind] = false;
        return true;
      } catch {
        this.#missEveryone(kind);
        return false;
      }
    }));
    this.#invalidatingEveryone[kind] = done;
    void done.finally(() => {
      if (this.#invalidatingEveryone[kind] === done) delete this.#invalidatingEveryone[kind];
    });
    return done;
  }

  /** Waits for background calls (bounded by the store's timeout), then closes the store's connections. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearTimeout(this.#replayTimer);
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    await this.#session.close().catch(() => undefined);
  }

  async #invalidate(userId: string, appId: string | undefined, authorizationOnly: boolean): Promise<boolean> {
    // Remembered as an invalidation of every answer of the user when authorization-only (more, never less).
    const remembered = authorizationOnly ? undefined : appId;
    const shard = this.#session.shardOf?.(userId);
    if (!(await this.#admit(shard))) {
      if (!this.#closing) this.#remember(userId, remembered);
      return false;
    }
    try {
      const generationTtlMs = this.#config.answerTtlMs + this.#config.lockMs + 15 * 60_000;
      const request = authorizationOnly ? { generationTtlMs, authorizationOnly } : { generationTtlMs };
      await this.#call('invalidate', () => this.#session.invalidate(userId, appId, request), shard);
      return true;
    } catch {
      this.#remember(userId, remembered);
      return false;
    }
  }

  async #askAndWrite(
    slot: Slot,
    read: StoreRead,
    readAt: number,
    lockToken: string | undefined,
    signal: AbortSignal,
    ask: () => Promise<AskedAnswer>,
  ): Promise<SharedAnswer> {
    let answer: AskedAnswer;
    try {
      answer = await ask();
    } catch (error) {
      // Errors are never written; the replicas waiting for this lock take it and ask themselves.
      if (lockToken) this.#release(slot, lockToken);
      throw error;
    }
    if (signal.aborted) {
      // Invalidated while GenAuth was asked: this answer may predate the kick, so it is not written.
      if (lockToken) this.#release(slot, lockToken);
      return { ...answer, origin: 'upstream' };
    }
    const shard = this.#session.shardOf?.(slot.userId);
    if (this.#usable(false, shard)) {
      // The store's clock when the answer must be gone: the read's store time plus the time elapsed here since
      // (the read's reply travelled after that time was taken, so this errs on the early side), plus its life left.
      const expireAtStoreMs = Math.floor(read.storeNow + (performance.now() - readAt) + (answer.expiresAt - this.#config.clock()));
      const stored = { active: answer.active, checkedAt: answer.checkedAt, expiresAt: answer.expiresAt };
      const { appId, userId, policy } = slot;
      const request = { generation: read.generation, expireAtStoreMs, lockToken, ...(policy === undefined ? {} : { policy }) };
      let writing: Promise<boolean> | undefined;
      await this.#call('write', () => (writing = this.#session.write(appId, userId, stored, request)), shard).catch(() => {
        // Given up on: the write may still run (it releases the lock) or not; the lock goes once it is done either way.
        if (lockToken && writing) void writing.catch(() => undefined).then(() => this.#releaseAnyway(slot, lockToken));
      });
    } else if (lockToken) {
      // Not written (the store failed meanwhile): the lock goes all the same.
      this.#release(slot, lockToken);
    }
    return { ...answer, origin: 'upstream' };
  }

  async #direct(ask: () => Promise<AskedAnswer>): Promise<SharedAnswer> {
    return { ...(await ask()), origin: 'upstream' };
  }

  /**
   * Releases a lock this replica holds. Invariant: a lock taken is always released or written over (WRITE releases
   * it), also while the store is failing (then sent anyway, uncounted): a lock left behind holds every replica's
   * lookups of the user for up to `lockMs`.
   */
  #release({ appId, userId, policy }: Slot, lockToken: string): void {
    const shard = this.#session.shardOf?.(userId);
    if (!this.#usable(false, shard)) {
      this.#releaseAnyway({ appId, userId, policy }, lockToken);
      return;
    }
    const release = () => (policy === undefined ? this.#session.release(appId, userId, lockToken) : this.#session.release(appId, userId, lockToken, policy));
    this.#track(this.#call('release', release, shard).catch(() => undefined));
  }

  /**
   * Releases the lock that a read given up on (failed or timed out here) takes once it completes after all: the store
   * may still run it (a client that holds calls, as node-redis does through a Sentinel failover; a slow reply; tokens
   * read first), and its lock, with no holder left to write or release it, would keep every replica's lookups of the
   * user waiting for up to `lockMs`. Invariant: a read given up on that took the lock (or whose outcome is unknown: it
   * failed) is followed by a release of its token, whatever the store's state (not counted, not a probe); releasing a
   * lock the token does not hold does nothing.
   */
  #releaseAbandoned(reading: Promise<StoreRead>, slot: Slot, lockToken: string): void {
    void reading.then((late) => late.kind === 'locked', () => true).then((took) => {
      if (took) this.#releaseAnyway(slot, lockToken);
    });
  }

  /** Sends a release whatever the store's state, bounded by the timeout, its outcome neither counted nor reported. */
  #releaseAnyway({ appId, userId, policy }: Slot, lockToken: string): void {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#timeoutMs);
    });
    const release = Promise.resolve().then(() => (policy === undefined
      ? this.#session.release(appId, userId, lockToken)
      : this.#session.release(appId, userId, lockToken, policy)));
    this.#track(Promise.race([release, timeout]).catch(() => undefined).finally(() => clearTimeout(timer)));
  }

  /**
   * Whether to use the store for this lookup (about a user in `shard`, when known); waits (bounded) for the first
   * connection. Counts a skip as an error.
   */
  async #admit(shard?: string): Promise<boolean> {
    if (this.#closing) return false;
    if (!this.#everReady && !this.#connectWaitOver) await this.#waitForConnection();
    if (this.#usable(true, shard)) return true;
    if (!this.#closing) this.counters.errors++;
    return false;
  }

  /** `probe`: may this call be the one that tries a failing store (or a failing shard) again. */
  #usable(probe: boolean, shard?: string): boolean {
    if (this.#closing || !this.#session.ready) return false;
    const now = performance.now();
    const failingShard = shard === undefined ? undefined : this.#failingShards.get(shard);
    if (failingShard && (!probe || failingShard.probing || now < failingShard.retryAt)) return false;
    if (this.#failing && (!probe || this.#probing || now < this.#retryAt)) return false;
    if (this.#failing) this.#probing = true;
    if (failingShard) failingShard.probing = true;
    return true;
  }

  async #waitForConnection(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.#session.whenReady().then(() => false, () => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.#timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut && !this.#everReady && !this.#connectWaitOver) {
      this.#connectWaitOver = true;
      this.#config.events.store({ event: 'error', operation: 'connect', message: `no connection within ${this.#timeoutMs} ms` });
      this.#update();
    }
  }

  /** Runs one store call (about a user in `shard`, when known) bounded by the timeout; records the outcome. */
  async #call<T>(operation: StoreOperation, run: () => Promise<T>, shard?: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new StoreTimeoutError(operation, this.#timeoutMs)), this.#timeoutMs);
    });
    try {
      const result = await Promise.race([Promise.resolve().then(run), timeout]);
      this.#succeeded(shard);
      return result;
    } catch (error) {
      this.#failed(operation, error, shard);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  #succeeded(shard: string | undefined): void {
    this.#probing = false;
    const shardWasFailing = shard !== undefined && this.#failingShards.delete(shard);
    if (!this.#failing && !shardWasFailing) return;
    this.#failing = false;
    this.#update();
  }

  #failed(operation: StoreOperation, error: unknown, userShard: string | undefined): void {
    this.#probing = false;
    this.counters.errors++;
    const retryAt = performance.now() + this.#retryAfterMs;
    const named = typeof error === 'object' && error !== null ? (error as { shard?: unknown }).shard : undefined;
    const shard = userShard !== undefined && typeof named === 'string' ? named : userShard;
    // The user's own shard was probed and is not to blame: another may be tried again.
    if (userShard !== undefined && shard !== userShard) {
      const own = this.#failingShards.get(userShard);
      if (own) own.probing = false;
    }
    if (shard === undefined) {
      this.#failing = true;
      this.#retryAt = retryAt;
    } else {
      this.#failingShards.set(shard, { retryAt, probing: false });
      this.#armReplay();
    }
    this.#config.events.store({ event: 'error', operation, message: describe(error) });
    this.#update();
  }

  /**
   * Replays missed invalidations once a shard (or the whole store) that failed may be tried again (a little after, so
   * that its retry time has passed), with no lookup needed to probe it. Invariant: while an invalidation is missed and
   * a shard, or the store with its connection up, is failing, a replay is armed; one that finds it still failing is
   * remembered again, which arms the next. A store that failed as a whole is probed with one missed invalidation; once
   * it answers, the store is up and the others follow (without this, a replica with no traffic never replayed them).
   */
  #armReplay(): void {
    if (this.#replayTimer || this.#closing) return;
    this.#replayTimer = setTimeout(() => {
      this.#replayTimer = undefined;
      if (this.#state === 'up' || this.#state === 'partial') this.#replayMissed();
      else if (this.#failing && this.#commands && !this.#closing) this.#probeWithMissed();
    }, this.#retryAfterMs + 10);
    this.#replayTimer.unref();
  }

  #received(userId: string, appId: string | undefined): void {
    if (this.#closing) return;
    this.counters.invalidations++;
    this.#config.events.store({ event: 'invalidation', userId, ...(appId === undefined ? {} : { appId }) });
    this.#config.onInvalidated(userId, appId);
  }

  /** Another replica dropped every answer: so does this one (as after a lost subscription). */
  #receivedAll(): void {
    if (this.#closing) return;
    this.counters.invalidations++;
    this.#config.events.store({ event: 'invalidation' });
    this.#config.onMissed();
  }

  /** Another replica dropped authorization answers (of one user, or everyone's): so does this one. */
  #receivedAuthorization(userId: string | undefined): void {
    if (this.#closing) return;
    this.counters.invalidations++;
    this.#config.events.store(userId === undefined ? { event: 'invalidation' } : { event: 'invalidation', userId });
    this.#config.onInvalidatedAuthorization(userId);
  }

  #update(): void {
    const state: SharedTierState = !this.#everReady && !this.#connectWaitOver
      ? 'connecting'
      : !(this.#commands && this.#subscribed && !this.#failing) ? 'down' : this.#failingShards.size > 0 ? 'partial' : 'up';
    if (state === this.#state) return;
    const before = this.#state;
    this.#state = state;
    // `partial` is up for every user but those of the failing shards: reported as `up` when it comes from `down`.
    if (state === 'down') this.#config.events.store({ event: 'down' });
    else if (state === 'up' || before === 'down' || before === 'connecting') this.#config.events.store({ event: 'up' });
    if (state === 'up' || state === 'partial') this.#replayMissed();
  }

  #remember(userId: string, appId: string | undefined): void {
    const known = this.#missed.get(userId);
    this.#missed.delete(userId);
    const appIds = appId === undefined || (known && known.appIds === undefined) ? undefined : new Set(known?.appIds).add(appId);
    this.#missed.set(userId, { userId, appIds });
    if (this.#missed.size > MAX_MISSED_INVALIDATIONS) this.#missed.delete(this.#missed.keys().next().value!);
    if (this.#failingShards.size > 0 || (this.#failing && this.#commands)) this.#armReplay();
  }

  #missEveryone(kind: EveryoneKind): void {
    this.#missedEveryone[kind] = true;
    if (this.#failing && this.#commands) this.#armReplay();
  }

  /** Sends the oldest missed invalidation alone: the call that tries a failing store again. */
  #probeWithMissed(): void {
    if (this.#missedEveryone.all) {
      void this.invalidateAll();
      return;
    }
    if (this.#missedEveryone.authz) {
      void this.#invalidateEveryone('authz');
      return;
    }
    const first = this.#missed.values().next();
    if (first.done) return;
    const { userId, appIds } = first.value;
    this.#missed.delete(userId);
    if (appIds === undefined) void this.invalidate(userId, undefined);
    else for (const appId of appIds) void this.invalidate(userId, appId);
  }

  /**
   * Replays the invalidations the store missed while down, however old: other guards sharing the store may keep
   * answers longer than this guard's own TTLs, so this guard cannot tell which have expired everywhere. Bounded by
   * MAX_MISSED_INVALIDATIONS; a replay that is no longer needed costs at most one extra call to GenAuth.
   */
  #replayMissed(): void {
    if (this.#missedEveryone.all && !this.#closing) void this.invalidateAll();
    if (this.#missedEveryone.authz && !this.#closing) void this.#invalidateEveryone('authz');
    if (this.#missed.size === 0 || this.#closing) return;
    const missed = [...this.#missed.values()];
    this.#missed.clear();
    for (const { userId, appIds } of missed) {
      if (appIds === undefined) void this.invalidate(userId, undefined);
      else for (const appId of appIds) void this.invalidate(userId, appId);
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise);
    void promise.finally(() => this.#pending.delete(promise)).catch(() => undefined);
    return promise;
  }
}
