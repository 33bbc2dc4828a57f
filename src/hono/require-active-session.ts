import type { Context, MiddlewareHandler } from 'hono';
import { asHonoError } from './as-hono-error';
import { defaultGuard } from '../core/default-guard';
import { isSessionGuardError, type SessionGuardError } from '../core/errors';
import type { AuthorizationOptions } from '../core/authorization-policy';
import type { SessionGuardOptions } from '../core/guard-options';
import { resolveRoute, type SharedGuardRouteOptions, type WithoutGuardOptions } from '../core/route-options';
import { isThenable } from '../core/session-guard';
import type { SessionAuth } from '../core/types';
import { refusalResponse } from '../web/refusal-response';
import { requestOf } from './request-of';
import { keepSessionAuth } from './session-auths';

/** What a passed request adds to Hono's variables: `new Hono<{ Variables: SessionVariables }>()`, then `c.var.auth`. */
export type SessionVariables = { auth: SessionAuth };

/**
 * Replaces the default answer to a refusal: return the `Response` to send (`c.json(...)`). `throw error` hands it
 * to the app's `onError` instead.
 */
export type HonoRejectHandler = (error: SessionGuardError, c: Context) => Response | Promise<Response>;

/**
 * The options of the Hono `requireActiveSession`: a shared guard (recommended) with the route's `roles`,
 * `permissions`, `scopes`, another `identity`, `onReject`; or guard options, to build a guard for this route. A key
 * that is none of these does not type-check in an object literal, and is a `TypeError` when the route is created.
 */
export type RequireActiveSessionOptions =
  | (SharedGuardRouteOptions<HonoRejectHandler> & WithoutGuardOptions)
  | (SessionGuardOptions & AuthorizationOptions & { onReject?: HonoRejectHandler; guard?: never });

/** The app id of a route: fixed, or read from the context. */
export type HonoAppId = string | ((c: Context) => string);

function answer(error: SessionGuardError): Response {
  return refusalResponse(error);
}

/**
 * Hono middleware that lets a request through only when GenAuth confirms the caller's live session in `appId`
 * (`{ guard }` shares a guard; guard options build one for this route; nothing uses the process-wide guard from the
 * environment, as the Express `requireActiveSession` describes): on
 * a pass it sets `c.var.auth` (see {@link SessionVariables}) and awaits `next()`; on a refusal it returns the
 * answer (the error's status, `WWW-Authenticate` or `Retry-After`, JSON `{ error, message }`, as the Express
 * adapter answers) or `onReject`'s `Response`, and the handler does not run. Hono 4 on Node (`@hono/node-server`),
 * Bun, Deno and `app.request()`.
 *
 * Anything thrown or rejected that is not a refusal (by a function `appId`, a guard or extractor of your own,
 * `onReject`) reaches the app's `onError` as an `Error`: a thrown non-Error is wrapped, its value kept as `cause`.
 * @example
 * ```ts
 * const app = new Hono<{ Variables: SessionVariables }>();
 * app.get('/admin', requireActiveSession('app-id', { guard }), (c) => c.json({ userId: c.var.auth.userId }));
 * ```
 */
export function requireActiveSession(
  appId: HonoAppId,
  options?: RequireActiveSessionOptions,
): MiddlewareHandler<{ Variables: SessionVariables }> {
  const { authenticate, onReject = answer } = resolveRoute<HonoRejectHandler>(appId, options, defaultGuard);
  const fixedAppId = typeof appId === 'function' ? undefined : appId;
  return async function requireActiveSessionMiddleware(c, next) {
    let auth: SessionAuth;
    try {
      const result = authenticate(requestOf(c), fixedAppId ?? (appId as (c: Context) => string)(c));
      auth = isThenable(result) ? await result : result; // a cache hit stays synchronous up to here
    } catch (error) {
      // Hono hands only an Error to onError (anything else escapes the app): only an Error leaves the guard.
      if (!isSessionGuardError(error)) throw asHonoError(error);
      return refuse(onReject, error, c);
    }
    try {
      c.set('auth', auth);
      keepSessionAuth(c, auth);
    } catch (error) {
      throw asHonoError(error);
    }
    await next();
  };
}

/** `onReject`'s answer, which must be a `Response`: without one Hono would run on as if nothing was answered. */
async function refuse(onReject: HonoRejectHandler, error: SessionGuardError, c: Context): Promise<Response> {
  let response: unknown;
  try {
    response = await onReject(error, c);
  } catch (thrown) {
    throw asHonoError(thrown);
  }
  if (!isResponse(response)) {
    throw new TypeError('genauth-session-guard: the Hono onReject must return a Response (e.g. `return c.json(body, 401)`), or throw.');
  }
  return response;
}

function isResponse(value: unknown): value is Response {
  return typeof value === 'object' && value !== null && typeof (value as Response).status === 'number' && typeof (value as Response).headers?.get === 'function';
}
