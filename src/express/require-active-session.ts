import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isSessionGuardError, type SessionGuardError } from '../core/errors';
import { asError } from '../core/as-error';
import type { AuthorizationOptions } from '../core/authorization-policy';
import type { SessionGuardOptions } from '../core/guard-options';
import { isThenable } from '../core/session-guard';
import { resolveRoute, type SharedGuardRouteOptions, type WithoutGuardOptions } from '../core/route-options';
import { defaultGuard } from '../core/default-guard';
import type { SessionAuth } from '../core/types';

/**
 * Where the auth is kept besides `req.auth`, out of reach of other libraries that set `req.auth` after us: a WeakMap
 * by request, not a second property on `req`. Adding a property to Express's `req` costs V8 a new hidden class on
 * every request (about 12,000 instructions, 2 % of the whole request, under callgrind); a WeakMap entry costs nothing
 * measurable (BENCHMARKS.md, issue 12). One map per process, found through a registered symbol, so that an ESM and a
 * CJS copy of the package (or two versions) read what either set.
 */
const SESSION_AUTHS: WeakMap<object, SessionAuth> = sharedSessionAuths();

function sharedSessionAuths(): WeakMap<object, SessionAuth> {
  const key = Symbol.for('genauth-session-guard.sessionAuths');
  const registry = globalThis as unknown as Record<symbol, unknown>;
  const existing = registry[key];
  if (existing instanceof WeakMap) return existing as WeakMap<object, SessionAuth>;
  const created = new WeakMap<object, SessionAuth>();
  try {
    Object.defineProperty(globalThis, key, { value: created, configurable: false, enumerable: false, writable: false });
  } catch {
    // Something else holds the key (a frozen global, a foreign value): this copy keeps its own map.
  }
  return created;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * Set by genauth-session-guard's `requireActiveSession` when the caller holds a live GenAuth session.
       * (express-oauth2-jwt-bearer declares `req.auth` too; if both are installed, read it with `getSessionAuth(req)`.)
       */
      auth?: SessionAuth;
    }
  }
}

/** Replaces the default answer to a refusal. Call `next(error)` to hand it to your Express error handler instead. */
export type ExpressRejectHandler = (error: SessionGuardError, req: Request, res: Response, next: NextFunction) => void;

/**
 * The options of the Express `requireActiveSession`: a shared guard (recommended) or guard options. A key that is
 * none of these (`role` for `roles`, a guard option beside `guard`) does not type-check in an object literal, and is
 * a `TypeError` when the route is created.
 */
export type RequireActiveSessionOptions =
  | (SharedGuardRouteOptions<ExpressRejectHandler> & WithoutGuardOptions)
  | (SessionGuardOptions & AuthorizationOptions & { onReject?: ExpressRejectHandler; guard?: never });

/** The app id of a route: fixed, or read from the request. */
export type ExpressAppId = string | ((req: Request) => string);

/** The default answer: the error's status and headers, JSON `{ error, message }`. */
function answer(error: SessionGuardError, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(error);
  res.status(error.status).set(error.headers).json(error.toJSON());
}

/**
 * Express middleware that lets a request through only when GenAuth confirms the caller's live session in
 * `appId`; sets `req.auth` and calls `next()`. Works with Express 4 and 5.
 *
 * - `requireActiveSession(appId, { guard })`: shares a guard (one cache, one management token). Recommended.
 * - `requireActiveSession(appId, guardOptions)`: builds a guard for this route.
 * - `requireActiveSession(appId)`: the process-wide guard from the environment (`GENAUTH_ACCESS_KEY_ID`,
 *   `GENAUTH_ACCESS_KEY_SECRET`, `GENAUTH_ISSUER`, optional `GENAUTH_HOST`), identity a bearer JWT from that issuer
 *   with the route's app id as audience. A missing variable throws here, naming it.
 *
 * Route options `roles`, `permissions` and `scopes` (AND) add authorization: see docs/roles-and-permissions.md.
 *
 * Refusals: 401 `missing_credentials` / `invalid_token` / `session_inactive`, 403 `insufficient_permission`,
 * 503 `session_check_unavailable`, 400 `invalid_app_id` for an unusable id from a function `appId` (see the
 * README's answers table). Anything else thrown or rejected (by a function `appId`, a guard of your own,
 * `onReject`) is a programming error and goes to `next(err)` as an `Error`: a thrown non-Error (`undefined`,
 * `'route'`) is wrapped, its value kept as `cause`.
 * @example
 * ```ts
 * const guard = createSessionGuard({ identity: bearerJwt({ issuer, audience: 'app-id' }) });
 * app.get('/admin', requireActiveSession('app-id', { guard }), (req, res) => res.json(req.auth));
 * ```
 */
export function requireActiveSession(appId: ExpressAppId, options?: RequireActiveSessionOptions): RequestHandler {
  const { authenticate, onReject = answer } = resolveRoute<ExpressRejectHandler>(appId, options, defaultGuard);
  const fixedAppId = typeof appId === 'function' ? undefined : appId;
  const refuse = (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    // Not a refusal: a TypeError from a bad appId, a programming error for the app's error handler.
    if (!isSessionGuardError(error)) return fail(error, next);
    try {
      const handled: unknown = onReject(error, req, res, next);
      if (isThenable(handled)) Promise.resolve(handled).catch((thrown: unknown) => fail(thrown, next)); // an async onReject that rejects
    } catch (thrown) {
      fail(thrown, next);
    }
  };
  // Nothing is allocated here per request on the hot path (a synchronous answer): no closure, no promise.
  return function requireActiveSessionMiddleware(req: Request, res: Response, next: NextFunction): void {
    let result: SessionAuth | PromiseLike<SessionAuth>;
    try {
      result = authenticate(req, fixedAppId ?? (appId as (req: Request) => string)(req));
    } catch (error) {
      return refuse(error, req, res, next);
    }
    if (isThenable(result)) settleLater(result, req, res, next, refuse);
    else pass(result, req, next);
  };
}

/** Never next() with a falsy value or 'route': Express would run the protected handler or skip the guard. */
function fail(error: unknown, next: NextFunction): void {
  next(asError(error));
}

function pass(auth: SessionAuth, req: Request, next: NextFunction): void {
  try {
    req.auth = auth;
    SESSION_AUTHS.set(req, auth);
  } catch (error) {
    return fail(error, next);
  }
  next();
}

/** The slow path (a miss, an asynchronous extractor): the closures are made here only. */
function settleLater(
  result: PromiseLike<SessionAuth>,
  req: Request,
  res: Response,
  next: NextFunction,
  refuse: (error: unknown, req: Request, res: Response, next: NextFunction) => void,
): void {
  Promise.resolve(result)
    .then((auth) => pass(auth, req, next), (error: unknown) => refuse(error, req, res, next))
    .catch((error: unknown) => fail(error, next));
}

/**
 * What this package set as `req.auth`, typed, even if another library (express-oauth2-jwt-bearer, express-jwt)
 * declares or overwrites `req.auth` after it.
 */
export function getSessionAuth(req: Request): SessionAuth | undefined {
  // WeakMap#get answers undefined for any value that is not an object: no check of its own needed.
  return SESSION_AUTHS.get(req);
}
