import { CIRCUIT_BREAKER_OPTION_KEYS, type CircuitBreakerOptions } from '../client/circuit-breaker';
import { normalizeHost } from '../client/host';
import { assertKnownKeys, type OptionKeys } from './known-options';
import { isSharedStore, type SharedStore } from './shared-store';
import type { Clock, FetchLike, IdentityExtractor, Logger } from './types';

/** Options of the session cache. */
export interface SessionCacheOptions {
  /**
   * How long a confirmed **active** answer is trusted, in ms. This is the revocation delay: a user kicked at
   * GenAuth keeps access for at most this long (unless `invalidate` is called). Also capped by the token's `exp`.
   * @default 5000
   */
  ttlMs?: number;
  /**
   * How long an **inactive** answer (signed out, kicked, unknown user) is kept, in ms. Shields GenAuth from a
   * refused client that keeps retrying; a user who signs in again waits at most this long.
   * @default 1000
   */
  inactiveTtlMs?: number;
  /**
   * Most (appId, userId) answers kept; the least recently used go first.
   * @default 10000
   */
  max?: number;
  /**
   * Refresh ahead: an active answer served from the cache at least once during its life is asked for again in the
   * background at `ttlMs - refreshAheadMs` (on a schedule, whether or not a request comes then), and keeps serving
   * meanwhile, so users who keep coming never wait on GenAuth at expiry. Answers nobody used are not refreshed:
   * they expire as usual. It never serves past its own `ttlMs`, so the revocation delay is unchanged; a user who
   * keeps using the route costs one call every `ttlMs - refreshAheadMs`, one who stops at most one more call.
   * `0` turns it off.
   * @default ttlMs / 10
   */
  refreshAheadMs?: number;
}

/** The keys of {@link SessionCacheOptions}: any other is a `TypeError`. */
export const SESSION_CACHE_OPTION_KEYS = { ttlMs: true, inactiveTtlMs: true, max: true, refreshAheadMs: true } as const satisfies OptionKeys<SessionCacheOptions>;

/** The options every guard takes, whatever it does when GenAuth cannot be reached. */
export interface CommonGuardOptions {
  /**
   * The GenAuth host: an origin without a path (`example.com/api/v3` is a `TypeError`). Without a scheme,
   * `https://` is added; plain `http://` is accepted for loopback only.
   * @default process.env.GENAUTH_HOST ?? 'https://api.genauth.ai'
   */
  host?: string;
  /**
   * The access key id (user pool id, or an admin's access key id). Required.
   * @default process.env.GENAUTH_ACCESS_KEY_ID
   */
  accessKeyId?: string;
  /**
   * The access key secret. Required. Never logged, never put in an error.
   * @default process.env.GENAUTH_ACCESS_KEY_SECRET
   */
  accessKeySecret?: string;
  /**
   * How management calls authenticate: `'token'`, a management token fetched once and shared (Python and Go
   * SDKs), or `'signature'`, an HMAC-SHA1 signature on every request (authing-node-sdk 4.x).
   * @default 'token'
   */
  auth?: 'token' | 'signature';
  /** Finds the caller's identity: `bearerJwt(...)`, `header(...)`, `cookie(...)`, `firstOf(...)` or your own function. Required. */
  identity: IdentityExtractor;
  /** The session cache, or `false` to ask GenAuth on every request. */
  cache?: SessionCacheOptions | false;
  /**
   * A shared second tier behind the in-process cache, for apps that run as several replicas:
   * `redisStore({ client })` from `genauth-session-guard/redis`. An answer one replica got from GenAuth serves the
   * others (same TTL rules, never errors, never past the token's `exp`), replicas that miss at once share one call,
   * and `invalidate` reaches every replica. When the store is down or slow the guard goes on with its in-process
   * cache and GenAuth (see `stats().store`), and uses the store again once it is back. Needs the cache.
   */
  store?: SharedStore;
  /**
   * Time allowed to each upstream attempt, in ms.
   * @default 2000
   */
  timeoutMs?: number;
  /**
   * Extra attempts after a network error, a timeout, a 429 or a 5xx (with a short backoff, at most 1 s). At most 10.
   * @default 1
   */
  retries?: number;
  /**
   * Largest upstream answer read, in bytes; a larger one counts as malformed.
   * @default 65536
   */
  maxResponseBytes?: number;
  /**
   * Fail fast (503 with `Retry-After`) after `failureThreshold` consecutive outage failures (timeouts, network
   * errors, 5xx, 429, malformed answers; not GenAuth refusing one request), for a short window, then let one probe
   * through: a good probe closes it; while probes fail, the window grows to a quarter of the outage so far, up to
   * `cooldownMs`. Windows are jittered. When no request comes to probe, the guard probes by itself at the end of
   * the window (an unref'd timer). One breaker per endpoint (check-session-status, has-any-role,
   * check-permission): an answer the host gave counts for its endpoint only, no answer (network, timeout) or a
   * failed management token call for every endpoint (docs/failure-behaviour.md).
   * `false` turns it off.
   * @default { failureThreshold: 5, initialCooldownMs: 250, cooldownMs: 5000 }
   */
  circuitBreaker?: CircuitBreakerOptions | false;
  /**
   * Most check-session-status calls under way at once; further ones wait up to `timeoutMs` for a slot (at most
   * 1000 wait), then are refused with 503.
   * @default 64
   */
  maxInFlight?: number;
  /** Receives every event at debug level (`console`, pino, winston fit). Nothing secret is passed. */
  logger?: Logger;
  /**
   * A `fetch` to make the GenAuth calls with (a proxy, a test double). Without it the guard uses Node's `http` and
   * `https` with a keep-alive agent of its own, about a third of the CPU per call of the global `fetch`; TLS is
   * verified either way (`NODE_EXTRA_CA_CERTS` for a private CA). Redirects are never followed.
   * @default Node's `http`/`https`
   */
  fetch?: FetchLike;
  /** Milliseconds since the epoch (tests). @default Date.now */
  clock?: Clock;
  /** Where the `GENAUTH_*` defaults are read. @default process.env */
  env?: Record<string, string | undefined>;
}

/** Refuse when GenAuth cannot answer (the default). */
export interface DenyOnUpstreamError {
  /** @default 'deny' */
  onUpstreamError?: 'deny';
  staleIfErrorMs?: never;
}

/** Let a request through on a recent confirmed active answer when GenAuth cannot answer; marked `source: 'stale'`. */
export interface AllowStaleOnUpstreamError {
  onUpstreamError: 'allow-stale';
  /**
   * The oldest confirmed active answer that may still serve, in ms since GenAuth confirmed it.
   * @default 30000
   */
  staleIfErrorMs?: number;
}

/**
 * Options of {@link createSessionGuard}. A key that is none of these (`timeout` for `timeoutMs`, `cache: { ttl }`)
 * is a `TypeError` naming it, and the key probably meant.
 */
export type SessionGuardOptions = CommonGuardOptions & (DenyOnUpstreamError | AllowStaleOnUpstreamError);

/** The keys of {@link SessionGuardOptions}: any other is a `TypeError`. */
export const GUARD_OPTION_KEYS = {
  host: true,
  accessKeyId: true,
  accessKeySecret: true,
  auth: true,
  identity: true,
  cache: true,
  store: true,
  timeoutMs: true,
  retries: true,
  maxResponseBytes: true,
  circuitBreaker: true,
  maxInFlight: true,
  logger: true,
  fetch: true,
  clock: true,
  env: true,
  onUpstreamError: true,
  staleIfErrorMs: true,
} as const satisfies OptionKeys<CommonGuardOptions & DenyOnUpstreamError & AllowStaleOnUpstreamError>;

/** Everything resolved and checked. */
export interface ResolvedGuardOptions {
  host: string;
  accessKeyId: string;
  accessKeySecret: string;
  auth: 'token' | 'signature';
  identity: IdentityExtractor;
  cache: { enabled: boolean; ttlMs: number; inactiveTtlMs: number; max: number; refreshAheadMs: number };
  store: SharedStore | undefined;
  timeoutMs: number;
  retries: number;
  maxResponseBytes: number;
  staleIfErrorMs: number;
  circuitBreaker: Required<CircuitBreakerOptions> | false;
  maxInFlight: number;
  logger: Logger | undefined;
  fetch: FetchLike | undefined;
  clock: Clock;
}

const PREFIX = 'genauth-session-guard:';

function positiveInteger(value: unknown, name: string, fallback: number, { allowZero = false, max = Number.MAX_SAFE_INTEGER } = {}): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TypeError(`${PREFIX} \`${name}\` must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${String(value)}.`);
  }
  if (value > max) throw new TypeError(`${PREFIX} \`${name}\` must be at most ${max}, got ${value}.`);
  return value;
}

/** The longest delay `setTimeout` (and `AbortSignal.timeout`) takes; a longer one fires after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;
/** Retries of one call are meant to ride out a blip, not to wait out an outage inside a request. */
const MAX_RETRIES = 10;

function requiredString(value: unknown, name: string, envName: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`${PREFIX} \`${name}\` is required: pass it or set ${envName}.`);
  }
  return value;
}

function cacheSettings(options: SessionCacheOptions | undefined): ResolvedGuardOptions['cache'] {
  if (options !== undefined) assertKnownKeys(options, SESSION_CACHE_OPTION_KEYS, 'createSessionGuard `cache`');
  const ttlMs = positiveInteger(options?.ttlMs, 'cache.ttlMs', 5_000);
  const refreshAheadMs = positiveInteger(options?.refreshAheadMs, 'cache.refreshAheadMs', Math.floor(ttlMs / 10), { allowZero: true });
  if (refreshAheadMs >= ttlMs) {
    throw new TypeError(`${PREFIX} \`cache.refreshAheadMs\` must be smaller than \`cache.ttlMs\`.`);
  }
  return {
    enabled: true,
    ttlMs,
    inactiveTtlMs: positiveInteger(options?.inactiveTtlMs, 'cache.inactiveTtlMs', 1_000),
    max: positiveInteger(options?.max, 'cache.max', 10_000),
    refreshAheadMs,
  };
}

/** Checks the options and fills in the defaults; every mistake throws a `TypeError` saying what to set. */
export function resolveGuardOptions(options: SessionGuardOptions): ResolvedGuardOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${PREFIX} options are required: createSessionGuard({ identity, accessKeyId, accessKeySecret, ... }).`);
  }
  assertKnownKeys(options, GUARD_OPTION_KEYS, 'createSessionGuard options');
  const env = options.env ?? process.env;
  if (typeof options.identity !== 'function') {
    throw new TypeError(`${PREFIX} \`identity\` is required: pass an extractor such as bearerJwt({ issuer, audience }), header('x-user-id') or your own (req) => ({ userId }).`);
  }
  const auth = options.auth ?? 'token';
  if (auth !== 'token' && auth !== 'signature') {
    throw new TypeError(`${PREFIX} \`auth\` must be 'token' or 'signature', got ${String(auth)}.`);
  }
  const policy = options.onUpstreamError ?? 'deny';
  if (policy !== 'deny' && policy !== 'allow-stale') {
    throw new TypeError(`${PREFIX} \`onUpstreamError\` must be 'deny' or 'allow-stale', got ${String(policy)}.`);
  }
  if (policy === 'deny' && options.staleIfErrorMs !== undefined) {
    throw new TypeError(`${PREFIX} \`staleIfErrorMs\` only applies with onUpstreamError: 'allow-stale'.`);
  }
  const cacheOptions = options.cache;
  if (cacheOptions !== undefined && cacheOptions !== false && (typeof cacheOptions !== 'object' || cacheOptions === null)) {
    throw new TypeError(`${PREFIX} \`cache\` must be an object ({ ttlMs, inactiveTtlMs, max }) or false.`);
  }
  const cache = cacheOptions === false
    ? { enabled: false, ttlMs: 0, inactiveTtlMs: 0, max: 0, refreshAheadMs: 0 }
    : cacheSettings(cacheOptions);
  if (options.store !== undefined && !isSharedStore(options.store)) {
    throw new TypeError(`${PREFIX} \`store\` must be a shared store such as redisStore({ client }) from genauth-session-guard/redis.`);
  }
  if (options.store !== undefined && !cache.enabled) {
    throw new TypeError(`${PREFIX} \`store\` is a second tier behind the cache; do not set cache: false with it.`);
  }
  if (policy === 'allow-stale' && !cache.enabled) {
    throw new TypeError(`${PREFIX} onUpstreamError: 'allow-stale' needs the cache (it serves cached answers); do not set cache: false.`);
  }
  const fetchImpl = options.fetch;
  if (fetchImpl !== undefined && typeof fetchImpl !== 'function') throw new TypeError(`${PREFIX} \`fetch\` must be a function.`);
  if (options.clock !== undefined && typeof options.clock !== 'function') throw new TypeError(`${PREFIX} \`clock\` must be a function returning ms.`);
  if (options.logger !== undefined && typeof options.logger?.debug !== 'function') {
    throw new TypeError(`${PREFIX} \`logger\` must have a debug(message, details) method.`);
  }
  const breaker = options.circuitBreaker;
  if (breaker !== undefined && breaker !== false && (typeof breaker !== 'object' || breaker === null)) {
    throw new TypeError(`${PREFIX} \`circuitBreaker\` must be { failureThreshold, initialCooldownMs, cooldownMs } or false.`);
  }
  if (breaker) assertKnownKeys(breaker, CIRCUIT_BREAKER_OPTION_KEYS, 'createSessionGuard `circuitBreaker`');
  const circuitBreaker = breaker === false ? false : {
    failureThreshold: positiveInteger(breaker?.failureThreshold, 'circuitBreaker.failureThreshold', 5),
    cooldownMs: positiveInteger(breaker?.cooldownMs, 'circuitBreaker.cooldownMs', 5_000),
    initialCooldownMs: positiveInteger(breaker?.initialCooldownMs, 'circuitBreaker.initialCooldownMs', 250),
  };
  if (circuitBreaker && circuitBreaker.cooldownMs > 30_000) {
    throw new TypeError(`${PREFIX} \`circuitBreaker.cooldownMs\` must be at most 30000 (a few seconds is usual).`);
  }
  if (circuitBreaker && breaker && breaker.initialCooldownMs !== undefined && circuitBreaker.initialCooldownMs > circuitBreaker.cooldownMs) {
    throw new TypeError(`${PREFIX} \`circuitBreaker.initialCooldownMs\` must be at most \`circuitBreaker.cooldownMs\` (the cap).`);
  }
  return {
    circuitBreaker,
    maxInFlight: positiveInteger(options.maxInFlight, 'maxInFlight', 64),
    host: normalizeHost(options.host ?? env.GENAUTH_HOST ?? 'https://api.genauth.ai'),
    accessKeyId: requiredString(options.accessKeyId ?? env.GENAUTH_ACCESS_KEY_ID, 'accessKeyId', 'GENAUTH_ACCESS_KEY_ID'),
    accessKeySecret: requiredString(options.accessKeySecret ?? env.GENAUTH_ACCESS_KEY_SECRET, 'accessKeySecret', 'GENAUTH_ACCESS_KEY_SECRET'),
    auth,
    identity: options.identity,
    cache,
    store: options.store,
    timeoutMs: positiveInteger(options.timeoutMs, 'timeoutMs', 2_000, { max: MAX_TIMER_MS }),
    retries: positiveInteger(options.retries, 'retries', 1, { allowZero: true, max: MAX_RETRIES }),
    maxResponseBytes: positiveInteger(options.maxResponseBytes, 'maxResponseBytes', 65_536),
    staleIfErrorMs: policy === 'allow-stale' ? positiveInteger(options.staleIfErrorMs, 'staleIfErrorMs', 30_000) : 0,
    logger: options.logger,
    fetch: fetchImpl,
    clock: options.clock ?? Date.now,
  };
}
