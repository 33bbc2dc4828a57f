import type { StoreOperation } from './events';

/**
 * A shared second tier behind the in-process cache, for apps that run as several replicas: answers one replica got
 * from GenAuth serve the others, and an invalidation on one replica reaches all of them. `redisStore({ client })`
 * from `genauth-session-guard/redis` builds one for node-redis v5 and ioredis clients.
 *
 * The guard owns the policy: it bounds every call by `settings.timeoutMs`, goes on without the store when a call
 * fails (its in-process cache and GenAuth still answer, and a GenAuth failure is still refused), decides what is
 * written and for how long, and waits for another replica's answer while that replica holds the lock.
 */
export interface SharedStore {
  readonly settings: SharedStoreSettings;
  /** Opens the store for one guard; called once by `createSessionGuard`. Must not call `scope.listener` synchronously. */
  attach(scope: SharedStoreScope): SharedStoreSession;
}

export interface SharedStoreSettings {
  /** Longest wait for one store call, in ms; past it the lookup goes on without the store. */
  readonly timeoutMs: number;
  /** After a failed or timed-out call, how long (ms) the guard skips the store before one call tries it again. */
  readonly retryAfterMs: number;
  /** How long the lock of one lookup lives, in ms. @default derived from the guard's `timeoutMs` and `retries` */
  readonly lockMs?: number;
}

/** What the guard tells the store when it attaches. */
export interface SharedStoreScope {
  /** The GenAuth host and access key id: answers are kept apart per (host, user pool). */
  host: string;
  accessKeyId: string;
  listener: SharedStoreListener;
}

/** How the store reports back to the guard. */
export interface SharedStoreListener {
  /** Another replica invalidated the answers of `userId` (in `appId` only, when given). */
  invalidated(userId: string, appId: string | undefined): void;
  /** Another replica invalidated every answer (`invalidateAll`). */
  invalidatedAll(): void;
  /**
   * Another replica invalidated the authorization answers (not the session answers) of `userId`, or of every user
   * when `undefined` (`invalidateAuthorization`).
   */
  invalidatedAuthorization(userId: string | undefined): void;
  /** Whether calls can be sent now, and whether invalidations from other replicas are being received. */
  status(status: { commands: boolean; subscribed: boolean }): void;
  /** The invalidation channel came back after a loss: invalidations sent meanwhile may have been missed. */
  resubscribed(): void;
  /** The client reported an error outside a call (connection trouble). */
  error(error: unknown, operation: StoreOperation): void;
}

/** One answer as kept in the store: ids, a boolean and times, nothing else. */
export interface StoredAnswer {
  /** A session answer: whether the session is active; an authorization answer: whether the policy is allowed. */
  active: boolean;
  /** When GenAuth answered, ms since the epoch (the writing replica's clock). */
  checkedAt: number;
  /** When the answer stops serving, ms since the epoch (the writing replica's clock). */
  expiresAt: number;
}

/**
 * What a read found. `generation` counts the invalidations of the user (an answer asked for before one is not
 * written after it); `storeNow` is the store's own clock (ms) when it answered.
 */
export type StoreRead =
  /** A usable answer, and how long (ms, the store's clock) it still lives there. */
  | { kind: 'answer'; answer: StoredAnswer; remainingMs: number; generation: string; storeNow: number }
  /** No usable answer, and the caller now holds the lock: it asks GenAuth and writes the answer. */
  | { kind: 'locked'; generation: string; storeNow: number }
  /** No usable answer, and another caller holds the lock for `lockRemainingMs` more (negative: no expiry known). */
  | { kind: 'busy'; lockRemainingMs: number; generation: string; storeNow: number }
  /** A value was there but could not be decoded (not written by this package): the caller asks and writes over it. */
  | { kind: 'unusable'; generation: string; storeNow: number };

export interface ReadRequest {
  /** A random id of this lookup: the lock's value. */
  lockToken: string;
  lockMs: number;
  /** The reader's clock: an answer whose `expiresAt` is not past it, or whose `checkedAt` is after it, is not usable. */
  now: number;
  /** Only an answer checked after this (ms) is usable (a refresh must not take back the answer it replaces). */
  newerThan: number | undefined;
  /**
   * The reader's own TTLs (ms): an active (inactive) answer checked `ttlMs` (`inactiveTtlMs`) or longer before `now`
   * is not usable, whatever the writer's TTL was. The guard checks this again on what it reads.
   */
  ttlMs: number;
  inactiveTtlMs: number;
  /**
   * The canonical policy key of an authorization answer (has-any-role, check-permission) of (appId, userId); absent
   * for the session answer. `active` then means allowed, and `ttlMs` / `inactiveTtlMs` are the reader's TTLs of
   * allowed and denied answers.
   */
  policy?: string;
}

export interface WriteRequest {
  /** The `generation` of the read that preceded the call to GenAuth: no write if it changed since. */
  generation: string;
  /** When the answer must be gone, on the store's clock (ms): no write if that is past. */
  expireAtStoreMs: number;
  /** Released after the write when given and still held. */
  lockToken: string | undefined;
  /** As in {@link ReadRequest.policy}: the same as the read's. */
  policy?: string;
}

/** What {@link SharedStoreSession.invalidate} drops. */
export interface InvalidateRequest {
  /** How long the fence against writes of answers asked for before lives, ms. */
  generationTtlMs: number;
  /** Only the user's authorization answers (the session answers stay; `appId` is then ignored). @default false */
  authorizationOnly?: boolean;
}

/** One guard's use of a store. */
export interface SharedStoreSession {
  /** Whether calls can be sent now. */
  readonly ready: boolean;
  /**
   * `true` when the store keeps authorization answers apart from session answers (`policy` in reads, writes and
   * releases; `authorizationOnly` in invalidations). Without it the guard keeps role and permission answers in
   * process only (a store written before they existed would read `policy` as nothing), and an authorization-only
   * invalidation reaches the store as one of every answer of the user.
   */
  readonly authorization?: boolean;
  /** Resolves once calls can be sent (the first connection). */
  whenReady(): Promise<void>;
  /**
   * The part of the store that holds `userId`'s answers when the store is spread over servers (a Redis Cluster node),
   * `undefined` otherwise. A failed call about the user then keeps the guard off that part only (for `retryAfterMs`),
   * not off the whole store. A call may reject with an error whose own `shard` property (a string) names another
   * part as the one that failed (a key every lookup needs, kept elsewhere): that part is kept off instead. Optional:
   * without it, any failure keeps the guard off the whole store.
   */
  shardOf?(userId: string): string | undefined;
  /** The usable answer for (appId, userId), or the lock (taken now, or held by someone else). */
  read(appId: string, userId: string, request: ReadRequest): Promise<StoreRead>;
  /** Writes the answer unless the user was invalidated meanwhile; releases the lock. Resolves to whether it wrote. */
  write(appId: string, userId: string, answer: StoredAnswer, request: WriteRequest): Promise<boolean>;
  /** Releases the lock if still held with `lockToken` (of the authorization answer for `policy`, when given). */
  release(appId: string, userId: string, lockToken: string, policy?: string): Promise<void>;
  /**
   * Deletes the session answers of `userId` (in `appId` only, when given) and every authorization answer of
   * `userId` (every app: roles are not per app), or only the latter with `authorizationOnly`; fences out writes of
   * answers asked for before (for `generationTtlMs`), and tells the other replicas (`listener.invalidated`, or
   * `listener.invalidatedAuthorization` with `authorizationOnly`). Never calls the listener for its own.
   */
  invalidate(userId: string, appId: string | undefined, request: InvalidateRequest): Promise<void>;
  /**
   * Makes every answer kept in the store unusable, fences out writes of answers asked for before, and tells the other
   * replicas (`listener.invalidatedAll`; never for its own). Optional: without it, `invalidateAll` drops the
   * in-process answers only.
   */
  invalidateAll?(): Promise<void>;
  /**
   * Makes every authorization answer kept in the store unusable (session answers stay), fences out writes of those
   * asked for before, and tells the other replicas (`listener.invalidatedAuthorization(undefined)`; never for its
   * own). Optional: without it, `invalidateAuthorization()` drops every user's authorization answers in the store
   * through `invalidateAll`, session answers included.
   */
  invalidateAuthorization?(): Promise<void>;
  /** Closes what `attach` opened. */
  close(): Promise<void>;
}

/** Checks the shape of a `store` option. */
export function isSharedStore(value: unknown): value is SharedStore {
  if (typeof value !== 'object' || value === null) return false;
  const { attach, settings } = value as Partial<SharedStore>;
  return typeof attach === 'function' && typeof settings === 'object' && settings !== null &&
    Number.isInteger(settings.timeoutMs) && settings.timeoutMs > 0 &&
    Number.isInteger(settings.retryAfterMs) && settings.retryAfterMs > 0 &&
    (settings.lockMs === undefined || (Number.isInteger(settings.lockMs) && settings.lockMs > 0));
}
