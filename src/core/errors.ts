/** The stable codes of {@link SessionGuardError}; also the `error` field of the JSON answer. */
export type SessionGuardErrorCode =
  | 'missing_credentials'
  | 'invalid_token'
  | 'session_inactive'
  | 'insufficient_permission'
  | 'session_check_unavailable'
  | 'invalid_app_id';

/**
 * The brand every refusal carries, shared by every copy of this package loaded in one process (the ES module and
 * the CommonJS builds side by side, two versions in `node_modules`): `instanceof` tells only one copy's classes
 * apart, the brand tells them all.
 */
export const REFUSAL_BRAND: unique symbol = Symbol.for('genauth-session-guard.refusal');

/**
 * Base class of every refusal. Carries what Express's and Koa's default error handlers read (`status`,
 * `statusCode`, `headers`, `expose`), so either can answer without custom code. `switch (err.code)` narrows.
 * Messages never contain a token or a secret.
 */
export abstract class SessionGuardError extends Error {
  abstract readonly code: SessionGuardErrorCode;
  /** The HTTP status of the answer. */
  abstract readonly status: 400 | 401 | 403 | 503;
  /** Headers of the answer (`WWW-Authenticate` or `Retry-After`); filled for the route's realm by the guard. */
  headers: Record<string, string> = {};
  /** The message is safe to show to the client. */
  readonly expose = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    Object.defineProperty(this, REFUSAL_BRAND, { value: true });
  }

  /** The same as {@link status}, for handlers that read `statusCode`. */
  get statusCode(): number {
    return this.status;
  }

  /** The JSON body of the default answer. */
  toJSON(): { error: SessionGuardErrorCode; message: string } {
    return { error: this.code, message: this.message };
  }
}

/** No credential in the request: 401 with `WWW-Authenticate: Bearer realm="<appId>"`. */
export class MissingCredentialsError extends SessionGuardError {
  readonly code = 'missing_credentials' as const;
  readonly status = 401 as const;
  constructor(message = 'No credentials were sent.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A credential is present but not valid (signature, expiry, issuer, audience, shape): 401, `error="invalid_token"`. */
export class InvalidTokenError extends SessionGuardError {
  readonly code = 'invalid_token' as const;
  readonly status = 401 as const;
  constructor(message = 'The credential is not valid.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** GenAuth says the user holds no live session in the application (or does not exist): 401, `error="invalid_token"`. */
export class SessionInactiveError extends SessionGuardError {
  readonly code = 'session_inactive' as const;
  readonly status = 401 as const;
  constructor(message = 'The session is no longer active.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The session is live but the user lacks a role, permission or scope the route requires: 403 with
 * `WWW-Authenticate: Bearer realm="<appId>", error="insufficient_scope"` (RFC 6750).
 */
export class InsufficientPermissionError extends SessionGuardError {
  readonly code = 'insufficient_permission' as const;
  readonly status = 403 as const;
  constructor(message = 'A role, permission or scope this route requires is missing.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** GenAuth could not answer and the policy denies: 503 with `Retry-After`. */
export class SessionCheckUnavailableError extends SessionGuardError {
  readonly code = 'session_check_unavailable' as const;
  readonly status = 503 as const;
  /** Seconds the client should wait before retrying. */
  readonly retryAfterSec: number;
  constructor(
    message = 'The session could not be checked; try again shortly.',
    options?: { cause?: unknown; retryAfterSec?: number },
  ) {
    super(message, options);
    this.retryAfterSec = Math.max(1, Math.ceil(options?.retryAfterSec ?? 1));
  }
}

/**
 * The route's app id cannot be used: empty or blank, longer than 128 characters, or with control characters. A
 * function `appId` that reads it from the request gets this 400 (no `WWW-Authenticate`: the realm would be the
 * unusable id); nothing is cached and GenAuth is not asked. A fixed `appId` like that throws a `TypeError` when the
 * middleware is built.
 */
export class InvalidAppIdError extends SessionGuardError {
  readonly code = 'invalid_app_id' as const;
  readonly status = 400 as const;
  constructor(message = 'The application id of this route is not valid.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * `true` for a refusal of this package, from this copy or any other loaded in the process (ESM and CommonJS builds,
 * another version): checks the brand and a usable `code` and `status`, never `instanceof`. Anything else thrown
 * (an `Error` that merely has a string `code`, such as Node's `ERR_INVALID_URL`) is not a refusal.
 */
export function isSessionGuardError(value: unknown): value is SessionGuardError {
  if (typeof value !== 'object' || value === null) return false;
  try {
    const candidate = value as Partial<Record<PropertyKey, unknown>>;
    if (candidate[REFUSAL_BRAND] !== true) return false;
    const { code, status, headers, toJSON } = candidate;
    return typeof code === 'string' && code !== '' &&
      typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 &&
      typeof headers === 'object' && headers !== null && typeof toJSON === 'function';
  } catch {
    return false; // a revoked Proxy or a throwing getter is not a refusal
  }
}
