import type { AuthorizationInfo } from './authorization-policy';

/**
 * The minimal request shape the core and the extractors read. Express's `req`, Koa's `ctx.req` and Node's
 * `IncomingMessage` all fit. Header names are lower-case, as Node delivers them. One object per request: a guard
 * keeps the session answer it asked for a request by this object, for that request's later guards.
 */
export interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  method?: string;
  url?: string;
}

/** Who the caller is, as an extractor found it. */
export interface Identity {
  /** The GenAuth user id (the `sub` claim of GenAuth's tokens). */
  userId: string;
  /** Verified claims of the credential, when it was a JWT. `exp` (seconds) caps how long an answer is cached. */
  claims?: Record<string, unknown>;
}

/**
 * Finds the caller's identity in a request. Returns `undefined` when the request carries no credential of its
 * kind (the next extractor of a `firstOf` chain is then tried); throws an `InvalidTokenError` when a credential is
 * present but not valid. May be async.
 */
export type IdentityExtractor = (
  req: RequestLike,
  context?: IdentityContext,
) => Identity | undefined | PromiseLike<Identity | undefined>;

/**
 * What the guard tells an extractor about the route: its GenAuth app id (e.g. the expected JWT audience). Frozen, and
 * shared by the requests of one app id: read it, do not keep state in it.
 */
export interface IdentityContext {
  appId: string;
}

/** Where the answer that let a request through came from. */
export type SessionSource = 'cache' | 'upstream' | 'stale';

/** The session part of {@link SessionAuth}. */
export interface SessionInfo {
  active: true;
  /** `cache`: a cached answer; `upstream`: GenAuth was asked for this request; `stale`: GenAuth could not answer and a bounded stale answer was used (`onUpstreamError: 'allow-stale'`). */
  source: SessionSource;
  /** When GenAuth confirmed the session (milliseconds since the epoch, from the guard's clock). */
  checkedAt: number;
}

/** What a passed request carries as `req.auth` (Express) or `ctx.state.auth` (Koa). */
export interface SessionAuth {
  userId: string;
  appId: string;
  claims?: Record<string, unknown>;
  session: SessionInfo;
  /** What the route's `roles`, `permissions` and `scopes` checked, and where the answers came from; absent without them. */
  authorization?: AuthorizationInfo;
}

/** The answer GenAuth gave about one user in one application. */
export interface SessionStatus {
  active: boolean;
  /** When it was obtained (milliseconds since the epoch, from the guard's clock). */
  checkedAt: number;
}

/** A clock in milliseconds since the epoch. Injected in tests. */
export type Clock = () => number;

/** A function with the shape of the global `fetch`. Injected in tests. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * Receives the guard's events at debug level: `console`, a winston logger and a pino logger, each as it is. The
 * guard calls `debug(message, details)`, or `debug(details, message)` for pino (told apart by pino's registered
 * `Symbol.for('pino.serializers')`), so the details arrive as fields either way. Nothing secret is ever passed.
 */
export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
}
