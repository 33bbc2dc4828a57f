/** What went wrong when GenAuth was asked. Internal: the guard turns it into a `SessionCheckUnavailableError`. */
export type UpstreamFailureKind =
  | 'timeout' // an attempt ran past timeoutMs
  | 'network' // refused, reset, DNS, TLS
  | 'http' // a non-2xx HTTP status with no usable envelope
  | 'throttled' // HTTP 429 or body statusCode 429
  | 'server' // body statusCode 5xx / 6xx
  | 'malformed' // a body that is not the documented envelope
  | 'credentials' // the management credentials were refused (401/403 after one refresh, signature errors)
  | 'rejected' // any other non-200 body statusCode (400, 404 application not found, ...)
  | 'aborted' // the caller gave up (guard closed, entry invalidated)
  | 'circuit_open' // failing fast: the circuit breaker is open after repeated failures
  | 'overloaded'; // too many calls under way and the wait for a slot ran out

/** An upstream failure. Its message names the endpoint and the kind, never a token or a secret. */
export class UpstreamError extends Error {
  readonly kind: UpstreamFailureKind;
  /** The HTTP status, when one was received. */
  readonly httpStatus?: number;
  /** The body's `statusCode` and `apiCode`, when an envelope was received. */
  readonly statusCode?: number;
  readonly apiCode?: number;
  /** A `Retry-After` the upstream asked for, in seconds. */
  readonly retryAfterSec?: number;

  constructor(
    kind: UpstreamFailureKind,
    message: string,
    details: { httpStatus?: number; statusCode?: number; apiCode?: number; retryAfterSec?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'UpstreamError';
    this.kind = kind;
    this.httpStatus = details.httpStatus;
    this.statusCode = details.statusCode;
    this.apiCode = details.apiCode;
    this.retryAfterSec = details.retryAfterSec;
  }

  /**
   * An outage of GenAuth, which counts toward the circuit breaker: timeouts, network errors, 5xx (HTTP or body
   * `statusCode`), 429 and malformed answers. GenAuth refusing one request does not: a 4xx answer (`rejected`,
   * e.g. apiCode 2011 application not found for an `appId` a client chose) must not let anyone open the circuit
   * for every user. Neither do refused management credentials (`credentials`): a wrong secret is not an outage
   * (every call still fails closed, quickly), and a body 401/403 can answer one request's arguments.
   */
  get outage(): boolean {
    return this.kind === 'timeout' || this.kind === 'network' || this.kind === 'throttled' || this.kind === 'server' ||
      this.kind === 'malformed' || (this.kind === 'http' && (this.httpStatus ?? 0) >= 500);
  }

  /** Worth another attempt: network trouble, timeouts, 429 and 5xx. */
  get retryable(): boolean {
    return this.kind === 'timeout' || this.kind === 'network' || this.kind === 'throttled' || this.kind === 'server' ||
      (this.kind === 'http' && (this.httpStatus ?? 0) >= 500);
  }
}
