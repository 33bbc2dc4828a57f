import { setMaxListeners } from 'node:events';
import type { RoleRef } from '../core/authorization-policy';
import type { Clock, FetchLike } from '../core/types';
import { sleep } from '../core/sleep';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker';
import { ConcurrencyLimit } from './concurrency-limit';
import { envelopeError, parseRetryAfter, readEnvelope, type Envelope } from './envelope';
import { fetchTransport, nodeTransport, type Transport } from './transport';
import { ManagementTokenProvider, type ManagementToken } from './management-token';
import { signRequest } from './request-signature';
import { UpstreamError, type UpstreamFailureKind } from './upstream-error';
import { attemptTracing, type UpstreamAttemptTrace } from './attempt-tracing';

/** This package's version (the one in package.json). */
export const PACKAGE_VERSION = '0.2.0';

/** The value of `x-authing-sdk-version` this client sends. */
export const SDK_VERSION_HEADER = `genauth-session-guard:${PACKAGE_VERSION}`;

/** One HTTP attempt against GenAuth, as reported to observers. Nothing secret. */
export interface UpstreamAttempt {
  endpoint: 'check-session-status' | 'get-management-token' | 'has-any-role' | 'check-permission' | 'create-webhook';
  /** 1 for the first attempt of a call. */
  attempt: number;
  durationMs: number;
  outcome: 'ok' | UpstreamFailureKind;
  httpStatus?: number;
  statusCode?: number;
  apiCode?: number;
}

export interface GenAuthClientOptions {
  host: string;
  accessKeyId: string;
  accessKeySecret: string;
  auth: 'token' | 'signature';
  timeoutMs: number;
  /** Extra attempts after a retryable failure (network, timeout, 429, 5xx). */
  retries: number;
  /** The caller's own `fetch`; without it, Node's `http`/`https` ({@link nodeTransport}). */
  fetch?: FetchLike;
  clock: Clock;
  maxResponseBytes: number;
  /** Longest `Retry-After` (seconds) still worth waiting for inside one call; longer ones fail the call at once. */
  maxRetryAfterSec?: number;
  lang?: 'en-US' | 'zh-CN';
  onAttempt?: (attempt: UpstreamAttempt) => void;
  /** `false` turns the breakers off. */
  circuitBreaker: Required<CircuitBreakerOptions> | false;
  /** Told when the circuit of `endpoint` will let a probe through with no call under way to make it (in ms). */
  onProbeDue?: (endpoint: BreakerEndpoint, inMs: number) => void;
  /** Most check calls under way at once; more wait (at most `maxQueued` of them, each at most `timeoutMs`). */
  maxInFlight: number;
  maxQueued: number;
}

/** What `data` of a successful answer must look like, per endpoint. */
const SUCCESS_SHAPES: Record<UpstreamAttempt['endpoint'], (data: unknown) => boolean> = {
  'check-session-status': (data) => typeof data === 'object' && data !== null && typeof (data as { active?: unknown }).active === 'boolean',
  'get-management-token': (data) => {
    const { access_token: token, expires_in: expiresIn } = (data ?? {}) as { access_token?: unknown; expires_in?: unknown };
    return typeof token === 'string' && token !== '' && typeof expiresIn === 'number' && expiresIn > 0;
  },
  'has-any-role': (data) => typeof data === 'object' && data !== null && typeof (data as { hasAnyRole?: unknown }).hasAnyRole === 'boolean',
  'check-permission': (data) => {
    const list = (data as { checkResultList?: unknown } | null | undefined)?.checkResultList;
    return Array.isArray(list) && list.every((entry: unknown) => typeof entry === 'object' && entry !== null &&
      typeof (entry as { resource?: unknown }).resource === 'string' && typeof (entry as { enabled?: unknown }).enabled === 'boolean');
  },
  'create-webhook': (data) => {
    const id = (data as { webhookId?: unknown } | null | undefined)?.webhookId;
    return typeof id === 'string' && id.trim() !== '' && id.length <= 200;
  },
};

/** The endpoints with a circuit breaker of their own. */
export type BreakerEndpoint = 'check-session-status' | 'has-any-role' | 'check-permission';
const BREAKER_ENDPOINTS: readonly BreakerEndpoint[] = ['check-session-status', 'has-any-role', 'check-permission'];

/** The state of one endpoint's circuit breaker, and how many times it opened. */
export interface CircuitInfo {
  state: 'closed' | 'open' | 'half-open' | 'off';
  opened: number;
}

const CHECK_PATH = '/api/v3/check-session-status';
/** Longest pause between two attempts of one call. */
const MAX_BACKOFF_MS = 1_000;
const TOKEN_PATH = '/api/v3/get-management-token';
const HAS_ANY_ROLE_PATH = '/api/v3/has-any-role';
const CHECK_PERMISSION_PATH = '/api/v3/check-permission';
const CREATE_WEBHOOK_PATH = '/api/v3/create-webhook';

/** What {@link GenAuthClient.createWebhook} registers (the fields of `create-webhook`). */
export interface WebhookRegistration {
  name: string;
  url: string;
  events: readonly string[];
  contentType: 'application/json' | 'application/x-www-form-urlencoded';
  enabled: boolean;
  /** Sent back by GenAuth in a header of every delivery. Never logged, never returned. */
  secret: string;
}

/** What `checkPermission` asks: `action` on every one of `resources` in the permission group `namespace`. */
export interface PermissionQuery {
  namespace: string;
  action: string;
  resources: readonly string[];
}

/**
 * The GenAuth Management API client of one guard: check-session-status with the management-token scheme or the
 * HMAC-SHA1 request signature, each attempt bounded by a timeout, a bounded retry with backoff for network
 * errors, timeouts, 429 and 5xx, and one token refresh on a body `statusCode` 401.
 *
 * One circuit breaker per endpoint (check-session-status, has-any-role, check-permission). An outage failure
 * (`UpstreamError.outage`) counts toward the breaker of the endpoint called, and toward every breaker when it shows
 * that the host itself does not answer: no answer at all (`network`: refused, reset, DNS, TLS; `timeout`), or a
 * failed management token call, which every endpoint needs. An answer the host gave (HTTP or body 5xx, 429,
 * malformed) counts for its endpoint only: a failing `has-any-role` cannot refuse session-only routes, while a host
 * that is down opens every circuit as fast as one shared breaker did.
 */
export class GenAuthClient {
  readonly #options: GenAuthClientOptions;
  readonly #tokens: ManagementTokenProvider;
  readonly #closed = new AbortController();
  readonly #transport: Transport;
  readonly #baseHeaders: Record<string, string>;
  /** GenAuth's host name and port, for the tracing channel. */
  readonly #server: { address: string; port: number };
  readonly #breakers = new Map<BreakerEndpoint, CircuitBreaker>();
  readonly #limit: ConcurrencyLimit;
  /** Failures already counted by the breakers (weakly held). */
  readonly #counted = new WeakSet<object>();
  /** Failures of the management token call (weakly held): they count toward every breaker. */
  readonly #tokenFailures = new WeakSet<object>();

  constructor(options: GenAuthClientOptions) {
    this.#options = options;
    this.#transport = options.fetch ? fetchTransport(options.fetch) : nodeTransport();
    const url = new URL(options.host);
    this.#server = { address: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
    // Every call under way listens on it (see #call): as many as there are calls in flight, by design.
    setMaxListeners(0, this.#closed.signal);
    const breaker = options.circuitBreaker;
    if (breaker) {
      for (const endpoint of BREAKER_ENDPOINTS) {
        this.#breakers.set(endpoint, new CircuitBreaker(breaker, options.clock, Math.random, (inMs) => options.onProbeDue?.(endpoint, inMs)));
      }
    }
    this.#limit = new ConcurrencyLimit(options.maxInFlight, options.maxQueued, options.timeoutMs);
    this.#baseHeaders = {
      accept: 'application/json',
      'content-type': 'application/json',
      'x-authing-lang': options.lang ?? 'en-US',
      'x-authing-sdk-version': SDK_VERSION_HEADER,
    };
    this.#tokens = new ManagementTokenProvider(() => this.#fetchManagementToken(), options.clock);
  }

  /** How many management tokens were fetched. */
  get tokenFetches(): number {
    return this.#tokens.fetches;
  }

  /**
   * Whether `userId` holds a live session in `appId`. `apiCode` 2004 (user not found) answers `false`.
   * Throws an `UpstreamError` when GenAuth cannot answer.
   */
  async checkSessionStatus(appId: string, userId: string, signal?: AbortSignal): Promise<boolean> {
    return this.#admitted('check-session-status', () => this.#checkSessionStatus(appId, userId, signal));
  }


  /** The check-session-status circuit breaker's state, and how many times it opened. */
  get circuit(): CircuitInfo {
    return this.circuitOf('check-session-status');
  }

  /** The circuit breaker of `endpoint`: its state, and how many times it opened. */
  circuitOf(endpoint: BreakerEndpoint): CircuitInfo {
    const breaker = this.#breakers.get(endpoint);
    return breaker ? { state: breaker.state, opened: breaker.opened } : { state: 'off', opened: 0 };
  }

  /** Ms before the check-session-status circuit lets a probe through; `undefined` when closed, probing or off. */
  get sessionProbeDueInMs(): number | undefined {
    return this.#breakers.get('check-session-status')?.probeDueInMs;
  }

  /** Check calls under way and waiting for a slot. */
  get load(): { inFlight: number; queued: number } {
    return { inFlight: this.#limit.active, queued: this.#limit.waiting };
  }

  async #checkSessionStatus(appId: string, userId: string, signal?: AbortSignal): Promise<boolean> {
    const envelope = await this.#call('check-session-status', CHECK_PATH, { appId, userId }, true, signal);
    if (envelope.statusCode !== 200) {
      if (envelope.apiCode === 2004) return false;
      throw envelopeError('check-session-status', envelope);
    }
    const data = envelope.data as { active?: unknown } | null | undefined;
    if (typeof data !== 'object' || data === null || typeof data.active !== 'boolean') {
      throw new UpstreamError('malformed', 'check-session-status: data.active is missing or not a boolean', { statusCode: 200 });
    }
    return data.active;
  }

  /**
   * Whether `userId` holds any of `roles` (`POST /api/v3/has-any-role`). `apiCode` 2004 (user not found) answers
   * `false`. Same auth, timeouts, retries, breaker and slot limit as the session check. Throws an `UpstreamError`
   * when GenAuth cannot answer (a `data.hasAnyRole` that is not a boolean is `malformed`).
   */
  hasAnyRole(userId: string, roles: readonly RoleRef[], signal?: AbortSignal): Promise<boolean> {
    return this.#admitted('has-any-role', async () => {
      const body = { roles: roles.map(({ code, namespace }) => (namespace === undefined ? { code } : { code, namespace })), userId, options: { userIdType: 'user_id' } };
      const envelope = await this.#call('has-any-role', HAS_ANY_ROLE_PATH, body, true, signal);
      if (envelope.statusCode !== 200) {
        if (envelope.apiCode === 2004) return false;
        throw envelopeError('has-any-role', envelope);
      }
      return (envelope.data as { hasAnyRole: boolean }).hasAnyRole;
    });
  }

  /**
   * Whether `action` is allowed on every resource of `query` (`POST /api/v3/check-permission`): each resource
   * asked needs an entry with `enabled: true`; a missing entry, or any entry for it with `enabled: false`, denies.
   * `apiCode` 2004 (user not found) answers `false`. Throws an `UpstreamError` when GenAuth cannot answer.
   */
  checkPermission(userId: string, query: PermissionQuery, signal?: AbortSignal): Promise<boolean> {
    return this.#admitted('check-permission', async () => {
      const body = { resources: [...query.resources], action: query.action, userId, namespaceCode: query.namespace };
      const envelope = await this.#call('check-permission', CHECK_PERMISSION_PATH, body, true, signal);
      if (envelope.statusCode !== 200) {
        if (envelope.apiCode === 2004) return false;
        throw envelopeError('check-permission', envelope);
      }
      const list = (envelope.data as { checkResultList: Array<{ resource: string; enabled: boolean }> }).checkResultList;
      const verdicts = new Map<string, boolean>();
      for (const { resource, enabled } of list) verdicts.set(resource, enabled && verdicts.get(resource) !== false);
      // A resource GenAuth did not answer for is not granted (test/frameworks/authorization-refusals.test.ts).
      return query.resources.every((resource) => verdicts.get(resource) === true);
    });
  }

  /**
   * The breaker and the slot limit around one authorization call, as `checkSessionStatus` does for its own.
   * (Kept apart from `checkSessionStatus` so that changes to its failure counting merge cleanly; the two should
   * share one helper.)
   */
  async #admitted<T>(endpoint: BreakerEndpoint, run: () => Promise<T>): Promise<T> {
    const breaker = this.#breakers.get(endpoint);
    const waitSec = breaker?.admit();
    if (waitSec !== undefined) {
      throw new UpstreamError('circuit_open', `${endpoint}: failing fast after repeated failures`, { retryAfterSec: waitSec });
    }
    const slot = this.#limit.acquire();
    const release = typeof slot === 'function' ? slot : await slot;
    if (!release) {
      breaker?.release();
      throw new UpstreamError('overloaded', `${endpoint}: too many calls under way`);
    }
    try {
      const answer = await run();
      breaker?.success();
      return answer;
    } catch (error) {
      // Only outages count (UpstreamError.outage): a refusal of this one request (unknown app, bad argument,
      // refused credentials) or an abort frees the probe slot and leaves the count alone, so that no client can open
      // the circuit for every user. One failed request counts once: a failed shared token refresh rejects every
      // waiting call with the same error object, and must not open the circuit on its own.
      if (!isOutage(error) || this.#counted.has(error as object)) {
        breaker?.release();
      } else {
        this.#counted.add(error as object);
        breaker?.failure();
        if (this.#hostWide(error as UpstreamError)) {
          for (const other of this.#breakers.values()) if (other !== breaker) other.hostFailure();
        }
      }
      throw error;
    } finally {
      release();
    }
  }

  /** The host itself did not answer, or the management token every endpoint needs could not be had. */
  #hostWide(error: UpstreamError): boolean {
    return error.kind === 'network' || error.kind === 'timeout' || this.#tokenFailures.has(error);
  }

  /** Aborts every call under way; later calls fail at once. */
  close(): void {
    this.#closed.abort();
    this.#transport.close();
  }

  async #fetchManagementToken(): Promise<{ accessToken: string; expiresInSec: number }> {
    try {
      return await this.#requestManagementToken();
    } catch (error) {
      if (typeof error === 'object' && error !== null) this.#tokenFailures.add(error);
      throw error;
    }
  }

  async #requestManagementToken(): Promise<{ accessToken: string; expiresInSec: number }> {
    const { accessKeyId, accessKeySecret } = this.#options;
    const envelope = await this.#call('get-management-token', TOKEN_PATH, { accessKeyId, accessKeySecret }, false);
    if (envelope.statusCode !== 200) throw envelopeError('get-management-token', envelope);
    const data = envelope.data as { access_token?: unknown; expires_in?: unknown } | null | undefined;
    const accessToken = data?.access_token;
    const expiresInSec = data?.expires_in;
    if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresInSec !== 'number' || !(expiresInSec > 0)) {
      throw new UpstreamError('malformed', 'get-management-token: the answer has no access_token or expires_in', { statusCode: 200 });
    }
    return { accessToken, expiresInSec };
  }

  /** One logical call: retries retryable failures, refreshes the management token once on a 401. */
  async #call(
    endpoint: UpstreamAttempt['endpoint'],
    path: string,
    body: Record<string, unknown>,
    authenticated: boolean,
    signal?: AbortSignal,
  ): Promise<Envelope> {
    // One signal per call, fed by the caller's signal and by close(). Not AbortSignal.any([signal, closed]): on
    // Node 20 a composite signal stays registered on each source for the source's lifetime, so composing the
    // guard-lifetime close signal once per call grows the heap without bound.
    const call = new AbortController();
    const sources = signal ? [signal, this.#closed.signal] : [this.#closed.signal];
    const abort = () => call.abort();
    for (const source of sources) {
      if (source.aborted) call.abort();
      else source.addEventListener('abort', abort, { once: true });
    }
    try {
      return await this.#attempts(endpoint, path, body, authenticated, call.signal);
    } finally {
      for (const source of sources) source.removeEventListener('abort', abort);
    }
  }

  async #attempts(
    endpoint: UpstreamAttempt['endpoint'],
    path: string,
    body: Record<string, unknown>,
    authenticated: boolean,
    callSignal: AbortSignal,
  ): Promise<Envelope> {
    const useToken = authenticated && this.#options.auth === 'token';
    let refreshedToken = false;
    for (let attempt = 1; ; attempt++) {
      if (callSignal.aborted) throw new UpstreamError('aborted', `${endpoint}: aborted`);
      const token = useToken ? await this.#tokens.get() : undefined;
      try {
        const envelope = await this.#attempt(endpoint, attempt, path, body, authenticated, token, callSignal);
        if (token && envelope.statusCode === 401 && !refreshedToken) {
          refreshedToken = true;
          this.#tokens.discard(token);
          attempt -= 1; // a token refresh is not a retry
          continue;
        }
        return envelope;
      } catch (error) {
        if (!(error instanceof UpstreamError) || !error.retryable || attempt > this.#options.retries || callSignal.aborted) throw error;
        const retryAfterMs = (error.retryAfterSec ?? 0) * 1000;
        if (retryAfterMs > (this.#options.maxRetryAfterSec ?? 1) * 1000) throw error;
        // Capped: uncapped, 2 ** attempt overflows setTimeout's 32-bit delay after ~26 attempts and fires at once.
        const backoffMs = Math.min(MAX_BACKOFF_MS, 50 * 2 ** (attempt - 1)) + Math.random() * 50;
        await sleep(Math.max(backoffMs, retryAfterMs), callSignal);
      }
    }
  }

  /** One attempt; traced on the tracing channel when it has subscribers (nothing is built otherwise). */
  #attempt(
    endpoint: UpstreamAttempt['endpoint'],
    attempt: number,
    path: string,
    body: Record<string, unknown>,
    authenticated: boolean,
    token: ManagementToken | undefined,
    callSignal: AbortSignal,
  ): Promise<Envelope> {
    if (!attemptTracing.hasSubscribers) return this.#attemptOnce(endpoint, attempt, path, body, authenticated, token, callSignal, undefined);
    const trace: UpstreamAttemptTrace = { endpoint, attempt, method: 'POST', serverAddress: this.#server.address, serverPort: this.#server.port };
    return attemptTracing.tracePromise(() => this.#attemptOnce(endpoint, attempt, path, body, authenticated, token, callSignal, trace), trace);
  }

  async #attemptOnce(
    endpoint: UpstreamAttempt['endpoint'],
    attempt: number,
    path: string,
    body: Record<string, unknown>,
    authenticated: boolean,
    token: ManagementToken | undefined,
    callSignal: AbortSignal,
    trace: UpstreamAttemptTrace | undefined,
  ): Promise<Envelope> {
    const { host, timeoutMs, maxResponseBytes } = this.#options;
    // Not AbortSignal.timeout: its timer and signal live on for timeoutMs after the attempt ends (thousands of them
    // under a steady miss load); this one is cleared as soon as the attempt settles. Not unref'd: the attempt is
    // part of a call under way, which holds the process until it settles.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    const signal = AbortSignal.any([callSignal, timeout.signal]);
    const started = performance.now();
    let httpStatus: number | undefined;
    try {
      const response = await this.#transport.post(host + path, {
        headers: this.#headers(path, body, authenticated, token),
        body: JSON.stringify(body),
        signal,
      });
      httpStatus = response.status;
      const envelope = await readEnvelope(response, endpoint, maxResponseBytes);
      // A body 429/5xx may come with a Retry-After header too (HTTP 200 + statusCode 429): honour it as for HTTP 429.
      const failure = envelope.statusCode === 200
        ? undefined
        : envelopeError(endpoint, envelope, httpStatus, parseRetryAfter(response.header('retry-after')));
      // A retryable body error (5xx, 429) is thrown so that the retry loop sees it; others are returned.
      if (failure?.retryable) throw failure;
      // A success whose data is not of the documented shape is reported (and fails) as malformed here.
      if (!failure && !SUCCESS_SHAPES[endpoint](envelope.data)) {
        throw new UpstreamError('malformed', `${endpoint}: the answer's data is not of the documented shape`, { httpStatus, statusCode: 200 });
      }
      this.#report(trace, { endpoint, attempt, durationMs: performance.now() - started, outcome: failure ? failure.kind : 'ok', httpStatus, statusCode: envelope.statusCode, apiCode: envelope.apiCode });
      return envelope;
    } catch (caught) {
      const error = toUpstreamError(caught, endpoint, timeout.signal, callSignal, timeoutMs, httpStatus);
      this.#report(trace, { endpoint, attempt, durationMs: performance.now() - started, outcome: error.kind, httpStatus: error.httpStatus ?? httpStatus, statusCode: error.statusCode, apiCode: error.apiCode });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  #report(trace: UpstreamAttemptTrace | undefined, report: UpstreamAttempt): void {
    if (trace) trace.report = report;
    this.#options.onAttempt?.(report);
  }

  #headers(path: string, body: Record<string, unknown>, authenticated: boolean, token: ManagementToken | undefined): Record<string, string> {
    if (!authenticated) return this.#baseHeaders;
    if (token) {
      return { ...this.#baseHeaders, authorization: `Bearer ${token.accessToken}`, 'x-authing-userpool-id': token.userPoolId };
    }
    const { accessKeyId, accessKeySecret, clock } = this.#options;
    return signRequest({ method: 'POST', path, params: body, accessKeyId, accessKeySecret, baseHeaders: this.#baseHeaders, now: new Date(clock()) });
  }

  /**
   * Confirms that GenAuth accepts the credentials, with one cheap call (retried as any call, bounded by the
   * timeout, not counted by the circuit breaker). The token scheme fetches the management token (or reuses the one
   * held, with no call). The signature scheme makes one signed check-session-status call for `probe`: any answer
   * but a refusal of the credentials shows the signature was accepted (GenAuth authenticates a call before it looks
   * at its parameters; a placeholder user gets "user not found", apiCode 2004). Throws an `UpstreamError`.
   */
  async verifyCredentials(probe: { appId: string; userId: string } = CREDENTIALS_PROBE, signal?: AbortSignal): Promise<void> {
    if (this.#options.auth === 'token') {
      await this.#tokens.get();
      return;
    }
    await this.#placeholderCheck(probe, signal);
  }

  /**
   * Whether GenAuth knows `appId`: one check-session-status call for a placeholder user, which GenAuth answers
   * "application not found" (apiCode 2011) for an unknown app and "user not found" (2004) otherwise. Not counted by
   * the circuit breaker. Throws an `UpstreamError` when GenAuth cannot answer or refuses the credentials.
   */
  async knowsApp(appId: string, signal?: AbortSignal): Promise<boolean> {
    const refusal = await this.#placeholderCheck({ appId, userId: CREDENTIALS_PROBE.userId }, signal);
    return refusal?.apiCode !== 2011;
  }

  /**
   * The probe of an open check-session-status circuit, made when no request comes to make it: one call for a
   * placeholder user, through the breaker (it goes only when a probe may). Any answer but an outage closes the
   * circuit (a placeholder app or user is "not found": GenAuth answered). Throws an `UpstreamError` otherwise.
   */
  probeSession(signal?: AbortSignal): Promise<void> {
    return this.#admitted('check-session-status', async () => {
      await this.#placeholderCheck(CREDENTIALS_PROBE, signal);
    });
  }

  /**
   * One check-session-status call for `probe`. Resolves to GenAuth's refusal of the call (`rejected`: e.g. app or
   * user not found), or `undefined` on a 200; throws for an outage and for refused credentials.
   */
  async #placeholderCheck(probe: { appId: string; userId: string }, signal?: AbortSignal): Promise<UpstreamError | undefined> {
    const envelope = await this.#call('check-session-status', CHECK_PATH, { ...probe }, true, signal);
    if (envelope.statusCode === 200) return undefined;
    const error = envelopeError('check-session-status', envelope);
    if (error.kind !== 'rejected') throw error;
    return error;
  }

  /**
   * Registers a webhook (`POST /api/v3/create-webhook`) under the client's auth scheme and resolves to its
   * `webhookId`. Same timeout and answer checks as every call; not counted by the circuit breaker. Retried per
   * `retries` like any call: a create retried after a timeout may register twice, so the CLI builds its client with
   * `retries: 0`. Throws an `UpstreamError` (an answer without a `data.webhookId` string is `malformed`).
   */
  async createWebhook(webhook: WebhookRegistration, signal?: AbortSignal): Promise<string> {
    const body = { ...webhook, events: [...webhook.events] };
    const envelope = await this.#call('create-webhook', CREATE_WEBHOOK_PATH, body, true, signal);
    if (envelope.statusCode !== 200) throw envelopeError('create-webhook', envelope);
    return (envelope.data as { webhookId: string }).webhookId;
  }
}

/** Counts toward the breaker. Anything thrown that is not an `UpstreamError` is a bug of ours, not an outage. */
function isOutage(error: unknown): boolean {
  return error instanceof UpstreamError && error.outage;
}

/** The placeholder of {@link GenAuthClient.verifyCredentials} under the signature scheme. */
const CREDENTIALS_PROBE = { appId: 'genauth-session-guard-ready', userId: 'genauth-session-guard-ready' };

function toUpstreamError(
  caught: unknown,
  endpoint: string,
  timeout: AbortSignal,
  callSignal: AbortSignal,
  timeoutMs: number,
  httpStatus: number | undefined,
): UpstreamError {
  if (caught instanceof UpstreamError) return caught;
  if (callSignal.aborted) return new UpstreamError('aborted', `${endpoint}: aborted`, { httpStatus, cause: caught });
  if (timeout.aborted) return new UpstreamError('timeout', `${endpoint}: no answer within ${timeoutMs} ms`, { httpStatus, cause: caught });
  // Node's http reports the code on the error, fetch on its cause.
  const code = (caught as { code?: unknown })?.code ?? (caught as { cause?: { code?: unknown } })?.cause?.code;
  return new UpstreamError('network', `${endpoint}: network error${typeof code === 'string' ? ` (${code})` : ''}`, { httpStatus, cause: caught });
}
