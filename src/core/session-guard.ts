import { GenAuthClient, type BreakerEndpoint } from '../client/genauth-client';
import { UpstreamError } from '../client/upstream-error';
import { GuardEvents } from './events';
import {
  AUTHORIZATION_OPTION_KEYS,
  describePolicy,
  hasScopes,
  resolvePolicy,
  type AuthorizationOptions,
  type AuthorizationSource,
  type PermissionRequirement,
  type ResolvedPolicy,
  type RoleRequirement,
} from './authorization-policy';
import { Authorizer } from './authorizer';
import {
  InsufficientPermissionError,
  InvalidAppIdError,
  InvalidTokenError,
  isSessionGuardError,
  MissingCredentialsError,
  SessionCheckUnavailableError,
  SessionInactiveError,
  type SessionGuardError,
} from './errors';
import { isAcceptableAppId, MAX_APP_ID_LENGTH } from './app-id';
import { resolveGuardOptions, type ResolvedGuardOptions, type SessionGuardOptions } from './guard-options';
import { challengeHeaders } from './challenge';
import { assertKnownKeys, type OptionKeys } from './known-options';
import { DEFAULT_MAX_USER_ID_LENGTH, isAcceptableUserId } from './user-id';
import { Revocations } from './revocations';
import { RequestAnswers } from './request-answers';
import { SessionCache, type LookupResult } from './session-cache';
import { SharedTier } from './shared-tier';
import type { Identity, IdentityContext, IdentityExtractor, RequestLike, SessionAuth, SessionInfo, SessionSource } from './types';
import { warmUpOf } from '../extractors/warm-up';
import { failureReason } from './failure-reason';
import type { GuardNotReadyReason } from './not-ready-error';
import { Readiness, type ReadyOptions } from './readiness';
import { RecoveryProbe } from './recovery-probe';
import { UpstreamHealth, type HealthFailure } from './upstream-health';
import { planWebhookEvent, type GenAuthWebhookEvent } from '../webhook/webhook-event';
import type { WebhookOutcome } from '../webhook/webhook-outcome';
import { refusalWarning, rejectionOf, WEBHOOK_REFUSED_WARNING, type WebhookRefusalCause } from '../webhook/webhook-refusal';

/**
 * How the webhook handlers report a refused delivery to the guard (counted in `stats().webhookRejected`, published on
 * the webhook channel, a process warning once per cause). Internal.
 * @internal
 */
export const WEBHOOK_REJECTED = Symbol.for('genauth-session-guard.webhookRejected');

/**
 * The adapters' entry: like `authenticate`, but answers synchronously on the hot path (a synchronous extractor and
 * a cache hit). Internal; a `SessionGuard` without it is called through `authenticate`.
 * @internal
 */
export const AUTHENTICATE_NOW = Symbol.for('genauth-session-guard.authenticateNow');

/** Any thenable, not only a native promise. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** Figures of one guard since it was created. */
export interface SessionGuardStats {
  /** Lookups answered from the cache. */
  hits: number;
  /** Lookups that asked GenAuth (each made one upstream call, retries aside). */
  misses: number;
  /** Lookups that joined an identical lookup already under way instead of asking again. */
  coalesced: number;
  /** Upstream check-session-status calls started (retries of one call count once). */
  upstreamCalls: number;
  /** Lookups that failed because GenAuth could not answer. */
  errors: number;
  /** Requests let through on a bounded stale answer (`onUpstreamError: 'allow-stale'`). */
  stale: number;
  /** Management tokens fetched (`auth: 'token'`). */
  tokenFetches: number;
  /**
   * Background refreshes (`cache.refreshAheadMs`): of answers used during their life, at their refresh point, and of
   * answers hit within `refreshAheadMs` of their expiry.
   */
  refreshes: number;
  /** Answers held in the cache now, expired ones waiting to be replaced or evicted included (at most `cache.max`). */
  size: number;
  /** The circuit breaker: `closed` (calls go), `open` (failing fast), `half-open` (one probe under way), `off`. */
  circuit: 'closed' | 'open' | 'half-open' | 'off';
  /** Times the circuit opened. */
  circuitOpened: number;
  /**
   * Every endpoint's circuit breaker (`circuit` above is check-session-status's). Each counts its own endpoint's
   * outages, and every breaker counts a failure that shows the host itself down (see docs/failure-behaviour.md).
   */
  circuits: Record<BreakerEndpoint, SessionGuardStats['circuit']>;
  /** Check calls under way at GenAuth now, and waiting for a slot. */
  inFlight: number;
  queued: number;
  /**
   * The shared store (`store` option): `off` without one; `connecting` until its first connection; `up`; `partial`
   * on a Redis Cluster while calls to some of its nodes fail or time out (users whose keys live there go on with the
   * in-process cache and GenAuth, the others keep the store); `down` while its calls fail or time out, or its
   * connection or invalidation channel is lost or not confirmed (lookups then go on with the in-process cache and
   * GenAuth).
   */
  store: 'off' | 'connecting' | 'up' | 'partial' | 'down';
  /** Lookups answered by the shared store: another replica (or this one, before) asked GenAuth. */
  storeHits: number;
  /** Of those, lookups that waited for another replica's call to GenAuth rather than making their own. */
  storeWaits: number;
  /** Store calls that failed or timed out, and lookups or invalidations that skipped the store while it was down. */
  storeErrors: number;
  /** Invalidations received from other replicas through the store. */
  remoteInvalidations: number;
  /** Authenticated webhook events applied (those ignored, such as `test` or unknown events, included). */
  webhookEvents: number;
  /** Webhook deliveries refused: wrong or missing secret, malformed or too large a body. Nothing changed. */
  webhookRejected: number;
  /** Role and permission answers (`roles`, `permissions` options), cached apart from session answers. */
  authorization: {
    hits: number;
    misses: number;
    coalesced: number;
    /** has-any-role and check-permission calls started (retries of one call count once). */
    upstreamCalls: number;
    errors: number;
    /** Lookups answered by the shared store (`store` option): another replica, or this one before, asked GenAuth. */
    storeHits: number;
    size: number;
  };
}

/**
 * Per-call overrides of {@link SessionGuard.authenticate}, and the authorization the call requires (`roles`,
 * `permissions`, `scopes`, combined with AND; see docs/roles-and-permissions.md). Reuse one options object per
 * route: its keys and policy are checked, and the policy put in canonical form, once per object. Any other key is a
 * `TypeError` (a rejection).
 */
export interface AuthenticateOptions extends AuthorizationOptions {
  /** Another extractor for this route. @default the guard's `identity` */
  identity?: IdentityExtractor;
}

const AUTHENTICATE_OPTION_KEYS = { identity: true, ...AUTHORIZATION_OPTION_KEYS } as const satisfies OptionKeys<AuthenticateOptions>;

/** Options of {@link SessionGuard.checkRoles} and {@link SessionGuard.checkPermissions}. */
export interface AuthorizationCheckOptions {
  /**
   * The app whose cache entries the answer shares (GenAuth's roles and permissions are not per app; routes are). An
   * app id a route would not accept (blank, over 128 characters, control characters) rejects with an
   * `InvalidAppIdError`, as in {@link SessionGuard.checkSession}.
   * @default '' (entries of their own, apart from every route's)
   */
  appId?: string;
  /** The credential's expiry (ms since the epoch): the answer is not cached past it. */
  expiresAt?: number;
}

const AUTHORIZATION_CHECK_OPTION_KEYS = { appId: true, expiresAt: true } as const satisfies OptionKeys<AuthorizationCheckOptions>;

/**
 * One GenAuth client (one management token) and one cache, shared by every route that uses it. Create one per
 * process and pass it to each `requireActiveSession` call as `{ guard }`.
 */
export interface SessionGuard {
  /**
   * Finds the caller's identity and confirms a live session in `appId`. Resolves to what a passed request
   * carries as `req.auth`; rejects with a {@link SessionGuardError} (its `headers` filled for realm `appId`).
   * The framework adapters are thin wrappers around this; use it directly for other frameworks.
   *
   * Called again for the same request object (a prefix guard, then a route's `roles`), it reuses the session answer
   * it asked GenAuth for that request, when the identity found is the same user and `appId` the same app, no
   * invalidation revoked the answer since and it is within its TTL (with `cache: false`, within 1 s of being checked):
   * the second call asks only for the authorization (see docs/roles-and-permissions.md). Pass one object per request:
   * an object reused across requests is answered from that kept answer within those bounds.
   *
   * An `appId` that is not a string rejects with a `TypeError` (a programming error); an empty or blank one, one over
   * 128 characters or with control characters rejects with an `InvalidAppIdError` (400) before the extractor, the
   * cache or GenAuth is used. `options` with a key other than those of {@link AuthenticateOptions}, or a malformed
   * policy, reject with a `TypeError`.
   */
  authenticate(req: RequestLike, appId: string, options?: AuthenticateOptions): Promise<SessionAuth>;
  /**
   * Confirms that `userId` holds a live session in `appId`, through the cache. Rejects with a
   * `SessionInactiveError` or a `SessionCheckUnavailableError`; with a `TypeError` for a `userId` that is not a
   * non-blank string of at most 256 characters without control characters (as {@link checkRoles}), and with an
   * `InvalidAppIdError` for an unusable `appId` (as {@link authenticate}), before the cache or GenAuth is used.
   * @param expiresAt the credential's expiry in ms since the epoch: an active answer is not cached past it. Must be a
   * finite number or `undefined` (no expiry known); anything else (`NaN`, `Infinity`, `null`, a string) rejects with
   * a `TypeError`, as would `exp * 1000` of a token without `exp`.
   */
  checkSession(userId: string, appId: string, expiresAt?: number): Promise<SessionInfo>;
  /**
   * Whether `userId` holds any of `roles` (GenAuth `has-any-role`), through the authorization cache. Does not check
   * the session. Resolves `true` or `false`; rejects with a `SessionCheckUnavailableError` when GenAuth cannot
   * answer, and with a `TypeError` for an invalid `userId`, an empty or malformed `roles` (over 100 entries, a code or
   * namespace over 256 characters) or an unknown key in `options`, before GenAuth is asked.
   * @example `if (await guard.checkRoles(userId, ['admin', { code: 'auditor', namespace: 'finance' }])) ...`
   */
  checkRoles(userId: string, roles: RoleRequirement[], options?: AuthorizationCheckOptions): Promise<boolean>;
  /**
   * Whether `action` is allowed on every one of `permissions.resources` (GenAuth `check-permission`), through the
   * authorization cache. Does not check the session. Resolves `true` or `false`; rejects with a
   * `SessionCheckUnavailableError` when GenAuth cannot answer, and with a `TypeError` for an invalid `userId`,
   * malformed permissions (over 100 resources; a namespace, action or resource over 256 characters) or an unknown
   * key in `options`, before GenAuth is asked.
   */
  checkPermissions(userId: string, permissions: PermissionRequirement, options?: AuthorizationCheckOptions): Promise<boolean>;
  /**
   * Drops cached answers for `userId` (in `appId` only, when given) now, and every cached role and permission
   * answer of `userId` (in every app: GenAuth's roles are not per app); returns how many this process dropped.
   * With a `store`, also deletes them from the store and tells every replica, in the background: await
   * {@link invalidateEverywhere} instead to know when that is done.
   */
  invalidate(userId: string, appId?: string): number;
  /**
   * Like {@link invalidate}, and resolves once the store has dropped the answers and the other replicas were told
   * (`true`; they drop their copies as the message reaches them, within milliseconds), or to `false` when the store
   * could not be reached (the other replicas then keep theirs for at most `ttlMs`; the invalidation is sent again
   * when the store is back). Without a `store`, resolves to `true` at once. Never rejects for store trouble.
   */
  invalidateEverywhere(userId: string, appId?: string): Promise<boolean>;
  /**
   * Drops every cached answer now; returns how many this process dropped. Lookups under way are asked again. With a
   * `store`, also makes the answers kept there unusable and tells every replica, in the background.
   */
  invalidateAll(): number;
  /**
   * Applies one authenticated GenAuth webhook event (`{ eventName, data }`, as GenAuth posts it): drops the cached
   * answers it makes wrong (see docs/webhooks.md for the table). For frameworks other than Express and Koa, or a
   * receiver of your own: check the delivery's secret first (or use `createGenAuthWebhookHandler`, which does). Never
   * throws for an event's content; a `TypeError` when `eventName` is not a non-empty string.
   */
  applyWebhookEvent(event: GenAuthWebhookEvent): WebhookOutcome;
  /**
   * Drops cached role and permission answers (not session answers) of `userId`, or of every user when omitted;
   * returns how many this process dropped. Lookups under way are asked again. With a `store`, also drops them there
   * and tells every replica, in the background (session answers stay, here and there).
   */
  invalidateAuthorization(userId?: string): number;
  /** Counters since creation. */
  stats(): SessionGuardStats;
  /**
   * Aborts upstream calls under way and empties the cache; the guard refuses (503) afterwards. With a `store`,
   * waits for invalidations still being sent (bounded by the store's timeout) and closes its connections.
   */
  close(): Promise<void>;
  /**
   * Gets the guard ready before the first request, so that a misconfiguration fails at boot rather than as 503s:
   * fetches the management token (`auth: 'token'`) or makes one signed call (`auth: 'signature'`), then checks
   * `options.appIds` with GenAuth (one call each); at the same time loads the signing keys of the `identity`
   * extractor (a `bearerJwt` with remote keys: discovery, then the JWKS; see `WARM_UP` for your own extractors).
   *
   * Resolves when all is ready, at once when it already was (a token held, a call that succeeded last, app ids
   * confirmed before, keys loaded in the last 10 minutes). Rejects with a {@link GuardNotReadyError} whose `reason`
   * tells a boot script whether to retry (`unreachable`, `keys`, `clock`) or exit (`credentials`, `unknown_app`,
   * `closed`), and whose message names the cause and what to check (never a secret); an `appIds` that is not an array
   * of app ids rejects with a `TypeError`. Until a later `ready()` resolves, {@link health} is not ok; a failure
   * for retryable causes only is checked again in the background every `circuitBreaker.cooldownMs` (5 s).
   * Optional: routes work without it, loading what they need on the first request.
   * @example
   * ```ts
   * await guard.ready({ appIds: ['my-app-id'] }); // throws at boot on a wrong secret, an unknown app id, ...
   * app.listen(3000);
   * ```
   */
  ready(options?: ReadyOptions): Promise<void>;
  /**
   * The guard's state for a readiness endpoint: synchronous and cheap (no call is made). See
   * {@link SessionGuardHealth} for what `ok` means.
   */
  health(): SessionGuardHealth;
}

/** What {@link SessionGuard.health} answers. */
export interface SessionGuardHealth {
  /**
   * `true` when the guard can be expected to answer session checks: it is not closed, the check-session-status
   * circuit breaker is `closed` or `off` (not `open`, nor `half-open` while a probe has not closed it yet; a failing
   * role or permission endpoint does not count), the shared store (when configured) is not `down`, the last call
   * that reached GenAuth was not refused for its credentials (a wrong secret does not heal by itself), and the last
   * {@link SessionGuard.ready} did not fail (see `notReady`). Before any call it is `true`: await `ready()` at boot
   * to know the configuration works.
   *
   * It heals without traffic: an open circuit is probed by the guard itself at the end of its window (at most
   * `circuitBreaker.cooldownMs`), and a `ready()` that failed for retryable causes is retried every `cooldownMs`.
   */
  ok: boolean;
  /** The check-session-status circuit breaker, as in {@link SessionGuardStats.circuit}. */
  circuit: SessionGuardStats['circuit'];
  /** The `reason` of the last `ready()`, when it failed; absent once one resolves (or if none failed). */
  notReady?: GuardNotReadyReason;
  /** The shared store, as in {@link SessionGuardStats.store}. */
  store: SessionGuardStats['store'];
  /** When a call to GenAuth last succeeded (ms since the epoch, the guard's clock), or `null` before the first. */
  lastSuccessAt: number | null;
  /**
   * The last call to GenAuth that failed: its kind (`credentials`, `timeout`, `network`, `http`, `throttled`,
   * `server`, `malformed`, `rejected`) and when. Absent until one fails. Calls that never left (circuit open,
   * overloaded, aborted) are not counted.
   */
  lastFailure?: HealthFailure;
}

function validIdentity(identity: unknown): identity is Identity {
  if (typeof identity !== 'object' || identity === null) return false;
  const { userId, claims } = identity as Identity;
  return isAcceptableUserId(userId, DEFAULT_MAX_USER_ID_LENGTH) &&
    (claims === undefined || (typeof claims === 'object' && claims !== null));
}

/** The credential's `exp` in ms, or `undefined`: never NaN or Infinity (an `exp` of 1e306 overflows in ms). */
function expiryOf(identity: Identity): number | undefined {
  const exp = identity.claims?.exp;
  const expiresAt = typeof exp === 'number' ? exp * 1000 : Number.NaN;
  return Number.isFinite(expiresAt) ? expiresAt : undefined;
}

/** A NaN or infinite expiry would reach lru-cache as a TTL it never expires: refused, not cached forever. */
function assertExpiresAt(expiresAt: unknown): asserts expiresAt is number | undefined {
  if (expiresAt !== undefined && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt))) {
    throw new TypeError('genauth-session-guard: checkSession(userId, appId, expiresAt) needs `expiresAt` in ms since the epoch, a finite number, or undefined.');
  }
}

/** The user id of a direct call (`checkSession`, `checkRoles`, `checkPermissions`): the rule of the extractors. */
function assertDirectUserId(userId: unknown): asserts userId is string {
  if (!isAcceptableUserId(userId, DEFAULT_MAX_USER_ID_LENGTH)) {
    throw new TypeError(`genauth-session-guard: a valid user id is required: a non-blank string of at most ${DEFAULT_MAX_USER_ID_LENGTH} characters without control characters.`);
  }
}

function assertUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== 'string' || userId === '') throw new TypeError('genauth-session-guard: invalidate(userId) needs a non-empty user id.');
}

/**
 * A route's app id, checked before any cache or upstream work. Not a string: a programming error (`TypeError`). A
 * string that cannot be an app id (it may come from the request): the refusal `InvalidAppIdError` (400).
 */
function checkAppId(appId: unknown): InvalidAppIdError | undefined {
  if (typeof appId !== 'string') throw new TypeError('genauth-session-guard: the appId of a route must be a string.');
  if (isAcceptableAppId(appId)) return undefined;
  return new InvalidAppIdError(`The application id must be a non-blank string of at most ${MAX_APP_ID_LENGTH} characters without control characters.`);
}

/**
 * Creates a guard: one GenAuth client and one cache. Configuration mistakes throw a `TypeError` here, never per
 * request.
 * @example
 * ```ts
 * const guard = createSessionGuard({
 *   identity: bearerJwt({ issuer: 'https://my-app.genauth.ai/oidc', audience: 'my-app-id' }),
 *   // accessKeyId / accessKeySecret / host default to GENAUTH_ACCESS_KEY_ID / _SECRET / GENAUTH_HOST
 *   cache: { ttlMs: 5_000 },
 * });
 * app.use('/admin', requireActiveSession('my-app-id', { guard }));
 * ```
 */
export function createSessionGuard(options: SessionGuardOptions): SessionGuard {
  const resolved = resolveGuardOptions(options);
  warnIfTlsUnverified(resolved.host);
  return new DefaultSessionGuard(resolved);
}

/**
 * TLS is verified by Node's `https` (or `fetch`) and cannot be turned off through this package; a custom CA goes in
 * `NODE_EXTRA_CA_CERTS` (or a `fetch` of your own). Node's global switch `NODE_TLS_REJECT_UNAUTHORIZED=0` would
 * turn it off for the whole process: the guard says so, loudly, rather than run silently without it.
 */
function warnIfTlsUnverified(host: string): void {
  if (host.startsWith('https:') && process.env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
    process.emitWarning(
      'NODE_TLS_REJECT_UNAUTHORIZED=0: TLS certificates of GenAuth are NOT verified; anyone on the path can answer ' +
        'session checks. Give a custom CA with NODE_EXTRA_CA_CERTS instead.',
      { code: 'GENAUTH_SESSION_GUARD_TLS_UNVERIFIED' },
    );
  }
}

class DefaultSessionGuard implements SessionGuard {
  #closed = false;
  readonly #options: ResolvedGuardOptions;
  readonly #events: GuardEvents;
  readonly #client: GenAuthClient;
  readonly #cache: SessionCache;
  readonly #shared: SharedTier | undefined;
  readonly #health: UpstreamHealth;
  readonly #readiness: Readiness;
  readonly #recovery: RecoveryProbe;
  readonly #webhooks = { events: 0, rejected: 0 };
  /** Causes of refused deliveries already warned about: a webhook that never works is seen on its first delivery, once. */
  readonly #webhookWarned = new Set<WebhookRefusalCause>();
  readonly #authorizer: Authorizer;
  /** One rule for every answer about a user, session or authorization (docs/consistency.md). */
  readonly #revocations: Revocations;
  /** The answer that let a request through an earlier middleware of this guard (a prefix guard), for the later ones. */
  readonly #requestAnswers: RequestAnswers;
  /** Policies of the options objects seen, checked and in canonical form (routes pass one object per route). */
  readonly #policies = new WeakMap<AuthenticateOptions, ResolvedPolicy | undefined>();
  /** The extractor context of the last app id that passed `checkAppId` (a string: `!==` against it is exact). */
  #accepted: Readonly<IdentityContext> | undefined;

  constructor(options: ResolvedGuardOptions) {
    this.#options = options;
    this.#events = new GuardEvents(options.logger);
    // Room for the users of both caches and some churn: forgetting a user's marks costs that user one more call.
    this.#revocations = new Revocations(Math.max(10_000, 2 * options.cache.max));
    this.#requestAnswers = new RequestAnswers(this.#revocations, options.clock, options.cache.enabled);
    this.#health = new UpstreamHealth(options.clock, (code, message) => this.#events.warning(code, message));
    this.#client = new GenAuthClient({
      host: options.host,
      accessKeyId: options.accessKeyId,
      accessKeySecret: options.accessKeySecret,
      auth: options.auth,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      fetch: options.fetch,
      clock: options.clock,
      maxResponseBytes: options.maxResponseBytes,
      onAttempt: (attempt) => this.#events.upstream(attempt),
      circuitBreaker: options.circuitBreaker,
      onProbeDue: (endpoint, inMs) => {
        if (endpoint === 'check-session-status') this.#recovery.dueIn(inMs);
      },
      maxInFlight: options.maxInFlight,
      maxQueued: 1_000,
    });
    this.#recovery = new RecoveryProbe(this.#client, (call) => this.#health.observe(call));
    this.#readiness = new Readiness({
      client: this.#client,
      health: this.#health,
      auth: options.auth,
      warmUp: warmUpOf(options.identity),
      retryMs: options.circuitBreaker ? options.circuitBreaker.cooldownMs : 5_000,
    });
    this.#shared = options.store && new SharedTier({
      store: options.store,
      host: options.host,
      accessKeyId: options.accessKeyId,
      // Long enough for the holder's whole call (every attempt, backoffs, a slot wait), short enough that a holder
      // that died does not hold the other replicas long: past it they take the lock and ask GenAuth themselves.
      lockMs: options.store.settings.lockMs ?? (options.timeoutMs + 1_000) * options.retries + options.timeoutMs + 500,
      answerTtlMs: Math.max(options.cache.ttlMs, options.cache.inactiveTtlMs),
      clock: options.clock,
      events: this.#events,
      onInvalidated: (userId, appId) => {
        this.#cache.invalidate(userId, appId);
        this.#authorizer.invalidate(userId);
      },
      onInvalidatedAuthorization: (userId) => {
        this.#authorizer.invalidate(userId);
      },
      onMissed: () => {
        this.#cache.clear();
        this.#authorizer.clear();
      },
    });
    this.#cache = new SessionCache({
      ...options.cache,
      shared: this.#shared,
      staleIfErrorMs: options.staleIfErrorMs,
      clock: options.clock,
      load: (appId, userId, signal) => this.#health.observe(this.#client.checkSessionStatus(appId, userId, signal)),
      events: this.#events,
      revocations: this.#revocations,
    });
    this.#authorizer = new Authorizer(this.#client, {
      enabled: options.cache.enabled,
      ttlMs: options.cache.ttlMs,
      deniedTtlMs: options.cache.inactiveTtlMs,
      max: options.cache.max,
      clock: options.clock,
      shared: this.#shared,
      revocations: this.#revocations,
    });
  }

  async authenticate(req: RequestLike, appId: string, options?: AuthenticateOptions): Promise<SessionAuth> {
    return this[AUTHENTICATE_NOW](req, appId, options);
  }

  /**
   * `authenticate`, answering synchronously when it can (an extractor that answers synchronously and a cache hit:
   * the hot path, with no promise and no microtask), else with a promise. Throws or rejects with a refusal.
   */
  [AUTHENTICATE_NOW](req: RequestLike, appId: string, options?: AuthenticateOptions): SessionAuth | Promise<SessionAuth> {
    // The same string as the last accepted app id (a route's fixed id, every request) is not checked again, and its
    // extractor context (frozen: extractors may share it) is made once.
    let context = this.#accepted;
    // Not `appId !== context?.appId`: before any id was accepted, an undefined app id would match and skip the check.
    if (context === undefined || appId !== context.appId) {
      const invalidAppId = checkAppId(appId);
      if (invalidAppId) throw this.#refuse(invalidAppId, appId, undefined);
      context = Object.freeze({ appId });
      this.#accepted = context;
    }
    const policy = options === undefined ? undefined : this.#policyOf(options);
    let found: ReturnType<IdentityExtractor>;
    try {
      if (this.#closed) throw new SessionCheckUnavailableError('The session guard is closed.');
      found = (options?.identity ?? this.#options.identity)(req, context);
    } catch (error) {
      throw this.#refuse(error, appId, undefined);
    }
    if (isThenable(found)) {
      // Promise.resolve: a foreign thenable (Bluebird, another realm) becomes a native promise, which the adapters
      // tell apart from a synchronous answer.
      return Promise.resolve(found).then((identity) => this.#decide(req, identity, appId, policy), (error: unknown) => {
        throw this.#refuse(error, appId, undefined);
      });
    }
    return this.#decide(req, found, appId, policy);
  }

  /** The options' keys and policy, checked (a `TypeError` for a mistake) once per options object. */
  #policyOf(options: AuthenticateOptions): ResolvedPolicy | undefined {
    const known = this.#policies.get(options);
    if (known !== undefined || this.#policies.has(options)) return known;
    if (typeof options !== 'object' || options === null) throw new TypeError('genauth-session-guard: the options of authenticate must be an object.');
    assertKnownKeys(options, AUTHENTICATE_OPTION_KEYS, 'authenticate options');
    const policy = resolvePolicy(options);
    this.#policies.set(options, policy);
    return policy;
  }

  /**
   * From an identity to a decision: cache hits answer at once, misses ask through the caches. The answers, in this
   * order: session inactive (401), GenAuth unable to answer any call (503), a role, permission or scope missing
   * (403), else pass. On a session miss the session and authorization calls go out together.
   */
  #decide(req: RequestLike, found: Identity | undefined, appId: string, policy: ResolvedPolicy | undefined): SessionAuth | Promise<SessionAuth> {
    if (found === undefined || found === null) throw this.#refuse(new MissingCredentialsError(), appId, undefined);
    if (!validIdentity(found)) throw this.#refuse(new InvalidTokenError('The credential does not name a valid user id.'), appId, undefined);
    return this.#decideFor(req, found, appId, policy, 1);
  }

  /**
   * One decision. A decision that waits for an answer (a session or an authorization call) checks every answer it is
   * built from again once all are in, and passes only if no invalidation revoked one meanwhile; otherwise it is made
   * again from the caches (round + 1; docs/consistency.md, "A decision built from several answers").
   */
  #decideFor(req: RequestLike, identity: Identity, appId: string, policy: ResolvedPolicy | undefined, round: number): SessionAuth | Promise<SessionAuth> {
    const { userId } = identity;
    const expiresAt = expiryOf(identity);
    let known = this.#cache.cached(appId, userId, expiresAt);
    let knownSource: SessionSource = 'cache';
    if (known === undefined) {
      // Not cached: the answer an earlier middleware of this guard asked for this very request (a prefix guard), if
      // it is about this user and app and no invalidation revoked it (see RequestAnswers for the whole rule).
      const reused = this.#requestAnswers.reusable(req, appId, userId);
      if (reused !== undefined) ({ session: known, source: knownSource } = reused);
    }
    if (policy) return this.#decideWithPolicy(req, identity, appId, expiresAt, policy, known, knownSource, round);
    if (known !== undefined) {
      if (!known.active) throw this.#refuse(new SessionInactiveError(), appId, userId);
      return this.#pass(identity, appId, { active: true, source: knownSource, checkedAt: known.checkedAt });
    }
    return this.#lookupSession(userId, appId, expiresAt).then(
      (result) => {
        const { session, source } = result;
        if (this.#cache.revoked(session)) return this.#again(req, identity, appId, policy, round);
        if (!session.active) throw this.#refuse(new SessionInactiveError(), appId, userId);
        this.#requestAnswers.remember(req, result);
        return this.#pass(identity, appId, { active: true, source, checkedAt: session.checkedAt });
      },
      (error: unknown) => {
        throw this.#refuse(error, appId, userId);
      },
    );
  }

  #decideWithPolicy(
    req: RequestLike,
    identity: Identity,
    appId: string,
    expiresAt: number | undefined,
    policy: ResolvedPolicy,
    cached: ReturnType<SessionCache['cached']>,
    cachedSource: SessionSource,
    round: number,
  ): SessionAuth | Promise<SessionAuth> {
    const { userId } = identity;
    // Invariant: a cached inactive answer refuses before any cached authorization verdict is read (a kicked user who
    // holds the role never passes from the cache). Pinned by test/frameworks/authorization-refusals.test.ts.
    if (cached !== undefined && !cached.active) throw this.#refuse(new SessionInactiveError(), appId, userId);
    // Scopes are local: when one is missing no authorization call is made, but the session is still asked first.
    const scoped = hasScopes(identity.claims, policy.scopes);
    const remote = scoped && Authorizer.isRemote(policy);
    const verdict = remote ? this.#authorizer.cached(appId, userId, policy) : undefined;
    if (cached !== undefined) {
      const session: SessionInfo = { active: true, source: cachedSource, checkedAt: cached.checkedAt };
      if (!scoped || verdict === false) throw this.#refuse(insufficient(scoped), appId, userId);
      if (!remote || verdict === true) return this.#pass(identity, appId, session, policy, remote ? 'cache' : 'local');
      return this.#authorizer.check(appId, userId, policy, expiresAt).then(
        (checked) => {
          // The session answer (cached, or kept from an earlier middleware) was read before the call: a kick
          // invalidated during it revokes it.
          if (this.#cache.revoked(cached) || this.#authorizer.revoked(checked)) return this.#again(req, identity, appId, policy, round);
          if (!checked.allowed) throw this.#refuse(insufficient(true), appId, userId);
          return this.#pass(identity, appId, session, policy, checked.source);
        },
        (error: unknown) => {
          throw this.#refuse(unavailable(error), appId, userId);
        },
      );
    }
    // A session miss: both questions at once (one round trip). Neither promise rejects: the order of the answers
    // is decided below, once both are in.
    const asked = remote && verdict === undefined;
    return Promise.all([
      settle(this.#lookupSession(userId, appId, expiresAt)),
      asked ? settle(this.#authorizer.check(appId, userId, policy, expiresAt)) : undefined,
    ]).then(([session, authorization]) => {
      // Each answer was read or asked for before the other came in: an invalidation meanwhile may have revoked it (a
      // verdict read from the cache before the session call is looked up again: dropped or revoked, it is gone).
      if ((session.ok && this.#cache.revoked(session.value.session)) ||
        (authorization?.ok && this.#authorizer.revoked(authorization.value)) ||
        (verdict === true && !this.#authorizer.holds(appId, userId, policy))) {
        return this.#again(req, identity, appId, policy, round);
      }
      if (!session.ok) throw this.#refuse(session.error, appId, userId);
      if (!session.value.session.active) throw this.#refuse(new SessionInactiveError(), appId, userId); // 401 first
      if (authorization && !authorization.ok) throw this.#refuse(unavailable(authorization.error), appId, userId);
      const allowed = authorization ? authorization.value.allowed : verdict !== false;
      if (!scoped || !allowed) throw this.#refuse(insufficient(scoped), appId, userId);
      const source: AuthorizationSource = !remote ? 'local' : authorization ? authorization.value.source : 'cache';
      const { session: answer, source: sessionSource } = session.value;
      this.#requestAnswers.remember(req, session.value);
      return this.#pass(identity, appId, { active: true, source: sessionSource, checkedAt: answer.checkedAt }, policy, source);
    });
  }

  /** A decision again after an invalidation revoked one of its answers; past MAX_DECISIONS rounds, a 503. */
  #again(req: RequestLike, identity: Identity, appId: string, policy: ResolvedPolicy | undefined, round: number): SessionAuth | Promise<SessionAuth> {
    if (round >= MAX_DECISIONS) {
      const error = new UpstreamError('aborted', `answers revoked by invalidations while the request was decided, ${MAX_DECISIONS} times in a row`);
      throw this.#refuse(unavailable(error), appId, identity.userId);
    }
    return this.#decideFor(req, identity, appId, policy, round + 1);
  }

  #pass(identity: Identity, appId: string, session: SessionInfo, policy?: ResolvedPolicy, source?: AuthorizationSource): SessionAuth {
    const { userId, claims } = identity;
    if (this.#events.wantsDecisions) this.#events.decision({ appId, userId, outcome: 'pass', source: session.source });
    const auth: SessionAuth = claims === undefined ? { userId, appId, session } : { userId, appId, claims, session };
    if (policy) auth.authorization = describePolicy(policy, source ?? 'local');
    return auth;
  }

  /** Any failure as a refusal with its headers for the route's realm; published as a decision. */
  #refuse(error: unknown, appId: string, userId: string | undefined): SessionGuardError {
    const refusal = toRefusal(error);
    refusal.headers = challengeHeaders(refusal, appId);
    // An unusable app id is not published: it came from the request and may be 16 KB of anything.
    const published = refusal.code === 'invalid_app_id' ? '' : appId;
    if (this.#events.wantsDecisions) this.#events.decision({ appId: published, userId, outcome: 'refuse', code: refusal.code, ...reasonOf(refusal) });
    return refusal;
  }

  async checkSession(userId: string, appId: string, expiresAt?: number): Promise<SessionInfo> {
    assertDirectUserId(userId);
    const invalidAppId = checkAppId(appId);
    if (invalidAppId) throw invalidAppId;
    assertExpiresAt(expiresAt);
    const { session, source } = await this.#lookupSession(userId, appId, expiresAt);
    if (!session.active) throw new SessionInactiveError();
    return { active: true, source, checkedAt: session.checkedAt };
  }

  /** The session answer through the cache; rejects with a `SessionCheckUnavailableError`. */
  async #lookupSession(userId: string, appId: string, expiresAt: number | undefined): Promise<LookupResult> {
    try {
      return await this.#cache.lookup(appId, userId, expiresAt);
    } catch (error) {
      throw unavailable(error);
    }
  }

  async checkRoles(userId: string, roles: RoleRequirement[], options?: AuthorizationCheckOptions): Promise<boolean> {
    return this.#checkDirect(userId, { roles }, options);
  }

  async checkPermissions(userId: string, permissions: PermissionRequirement, options?: AuthorizationCheckOptions): Promise<boolean> {
    return this.#checkDirect(userId, { permissions }, options);
  }

  async #checkDirect(userId: string, asked: AuthorizationOptions, options: AuthorizationCheckOptions | undefined): Promise<boolean> {
    assertDirectUserId(userId);
    if (options !== undefined) {
      if (typeof options !== 'object' || options === null) throw new TypeError('genauth-session-guard: the options of checkRoles and checkPermissions must be an object.');
      assertKnownKeys(options, AUTHORIZATION_CHECK_OPTION_KEYS, 'checkRoles/checkPermissions options');
    }
    const appId = options?.appId ?? '';
    if (typeof appId !== 'string') throw new TypeError('genauth-session-guard: `appId` must be a string.');
    // The default '' or an app id a route would accept: it goes into cache keys (and Redis keys, with a store).
    if (appId !== '') {
      const invalidAppId = checkAppId(appId);
      if (invalidAppId) throw invalidAppId;
    }
    const expiresAt = options?.expiresAt;
    if (expiresAt !== undefined && !Number.isFinite(expiresAt)) throw new TypeError('genauth-session-guard: `expiresAt` must be a finite number of ms.');
    const policy = resolvePolicy(asked) as ResolvedPolicy;
    if (this.#closed) throw new SessionCheckUnavailableError('The session guard is closed.');
    try {
      return (await this.#authorizer.check(appId, userId, policy, expiresAt)).allowed;
    } catch (error) {
      throw unavailable(error);
    }
  }

  invalidateAuthorization(userId?: string): number {
    if (userId !== undefined) assertUserId(userId);
    return this.#dropAuthorization(userId).dropped;
  }

  /** Drops authorization answers here, and with a store there and on every replica (`everywhere` says when). */
  #dropAuthorization(userId: string | undefined): { dropped: number; everywhere: Promise<boolean> } {
    const dropped = this.#authorizer.invalidate(userId);
    const shared = this.#shared;
    if (!shared) return { dropped, everywhere: Promise.resolve(true) };
    return { dropped, everywhere: userId === undefined ? shared.invalidateAuthorization() : shared.invalidate(userId, undefined, true) };
  }

  invalidate(userId: string, appId?: string): number {
    assertUserId(userId);
    const dropped = this.#cache.invalidate(userId, appId) + this.#authorizer.invalidate(userId);
    void this.#shared?.invalidate(userId, appId);
    return dropped;
  }

  async invalidateEverywhere(userId: string, appId?: string): Promise<boolean> {
    assertUserId(userId);
    this.#cache.invalidate(userId, appId);
    this.#authorizer.invalidate(userId);
    return this.#shared ? this.#shared.invalidate(userId, appId) : true;
  }

  invalidateAll(): number {
    const dropped = this.#cache.size + this.#authorizer.size;
    this.#cache.clear();
    this.#authorizer.clear();
    void this.#shared?.invalidateAll();
    return dropped;
  }

  applyWebhookEvent(event: GenAuthWebhookEvent): WebhookOutcome {
    const eventName = (event as Partial<GenAuthWebhookEvent> | null)?.eventName;
    if (typeof eventName !== 'string' || eventName === '') {
      throw new TypeError('genauth-session-guard: applyWebhookEvent(event) needs { eventName: string, data }.');
    }
    this.#webhooks.events++;
    const plan = planWebhookEvent(event);
    let outcome: WebhookOutcome;
    switch (plan.action) {
      case 'invalidate': {
        const { users, appId } = plan;
        const shared = this.#shared;
        // Costs what the users named hold (docs/consistency.md): no walk of the caches, no promise per user without a store.
        const told: Array<Promise<boolean>> = [];
        for (const userId of users) {
          this.#cache.invalidate(userId, appId);
          this.#authorizer.invalidate(userId);
          if (shared) told.push(shared.invalidate(userId, appId));
        }
        const everywhere = shared ? allTrue(told) : Promise.resolve(true);
        outcome = { eventName, outcome: 'invalidated', users, ...(appId === undefined ? {} : { appId }), everywhere };
        break;
      }
      case 'invalidate-all':
        this.#cache.clear();
        this.#authorizer.clear();
        outcome = { eventName, outcome: 'invalidated-all', users: [], everywhere: this.#shared ? this.#shared.invalidateAll() : Promise.resolve(true) };
        break;
      case 'authorization':
        outcome = this.#invalidateAuthorization(eventName, plan.users);
        break;
      default:
        outcome = { eventName, outcome: 'ignored', users: [], everywhere: Promise.resolve(true) };
    }
    const { everywhere: _everywhere, ...published } = outcome;
    this.#events.webhook(published);
    return outcome;
  }

  /** Role and permission events: authorization answers (of `users`, or of everyone) here and on every replica. */
  #invalidateAuthorization(eventName: string, users: string[] | undefined): WebhookOutcome {
    const told = users === undefined ? [this.#dropAuthorization(undefined).everywhere] : users.map((userId) => this.#dropAuthorization(userId).everywhere);
    return { eventName, outcome: 'authorization', users: users ?? [], everywhere: this.#shared ? allTrue(told) : Promise.resolve(true) };
  }

  [WEBHOOK_REJECTED](cause: WebhookRefusalCause): void {
    this.#webhooks.rejected++;
    this.#events.webhook({ users: [], outcome: 'rejected', reason: rejectionOf(cause), cause });
    if (this.#webhookWarned.has(cause)) return;
    this.#webhookWarned.add(cause);
    this.#events.warning(WEBHOOK_REFUSED_WARNING, refusalWarning(cause));
  }

  stats(): SessionGuardStats {
    const { hits, misses, coalesced, upstreamCalls, errors, stale, refreshes, storeHits } = this.#cache.counters;
    const shared = this.#shared;
    const { state, opened } = this.#client.circuit;
    const { inFlight, queued } = this.#client.load;
    return {
      hits, misses, coalesced, upstreamCalls, errors, stale, refreshes,
      tokenFetches: this.#client.tokenFetches,
      size: this.#cache.size,
      circuit: state,
      circuitOpened: opened,
      circuits: {
        'check-session-status': state,
        'has-any-role': this.#client.circuitOf('has-any-role').state,
        'check-permission': this.#client.circuitOf('check-permission').state,
      },
      inFlight,
      queued,
      store: shared ? shared.state : 'off',
      storeHits,
      storeWaits: shared?.counters.waits ?? 0,
      storeErrors: shared?.counters.errors ?? 0,
      remoteInvalidations: shared?.counters.invalidations ?? 0,
      webhookEvents: this.#webhooks.events,
      webhookRejected: this.#webhooks.rejected,
      authorization: { ...this.#authorizer.counters, size: this.#authorizer.size },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#recovery.close();
    this.#readiness.close();
    this.#client.close();
    this.#cache.clear();
    this.#authorizer.clear();
    await this.#shared?.close();
  }

  ready(options?: ReadyOptions): Promise<void> {
    return this.#readiness.ready(options);
  }

  health(): SessionGuardHealth {
    const circuit = this.#client.circuit.state;
    const store = this.#shared ? this.#shared.state : 'off';
    const lastFailure = this.#health.lastFailure;
    const notReady = this.#readiness.failure?.reason;
    const ok = !this.#closed && (circuit === 'closed' || circuit === 'off') && store !== 'down' &&
      !this.#health.credentialsRefused && notReady === undefined;
    const health: SessionGuardHealth = { ok, circuit, store, lastSuccessAt: this.#health.lastSuccessAt };
    if (lastFailure) health.lastFailure = lastFailure;
    if (notReady) health.notReady = notReady;
    return health;
  }
}

/** The reason of a 503, for the decision event: why the session could not be checked. */
function reasonOf(refusal: SessionGuardError): { reason?: string } {
  if (refusal.code !== 'session_check_unavailable') return {};
  const reason = failureReason(refusal);
  return reason === undefined ? {} : { reason };
}

/** Resolves to whether every promise resolved to `true`; never rejects. */
function allTrue(promises: Array<Promise<boolean>>): Promise<boolean> {
  return Promise.all(promises).then((values) => values.every(Boolean), () => false);
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
}

function insufficient(scoped: boolean): InsufficientPermissionError {
  return new InsufficientPermissionError(scoped
    ? 'The user lacks a role or permission this route requires.'
    : 'The token lacks a scope this route requires.');
}

/**
 * How many times one request is decided when invalidations keep revoking answers it was being built from; past it, a
 * 503 (never a pass on a revoked answer).
 */
const MAX_DECISIONS = 3;

/** The longest `Retry-After` passed on to clients, whatever GenAuth asked for. */
const MAX_RETRY_AFTER_SEC = 60;

function unavailable(error: unknown): SessionCheckUnavailableError {
  if (error instanceof SessionCheckUnavailableError) return error;
  const asked = error instanceof UpstreamError ? error.retryAfterSec : undefined;
  const retryAfterSec = asked === undefined ? undefined : Math.min(asked, MAX_RETRY_AFTER_SEC);
  return new SessionCheckUnavailableError(undefined, { cause: error, retryAfterSec });
}

/** Every failure becomes a refusal: guard errors as they are, anything else thrown by an extractor as invalid_token. */
function toRefusal(error: unknown): SessionGuardError {
  if (isSessionGuardError(error)) return error; // the brand, not instanceof: it may come from another copy
  if (error instanceof UpstreamError) return unavailable(error);
  return new InvalidTokenError(undefined, { cause: error });
}
