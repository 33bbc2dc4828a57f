import type { DefaultState, Middleware, Next, ParameterizedContext } from 'koa';
import { isSessionGuardError, type SessionGuardError } from '../core/errors';
import { asError } from '../core/as-error';
import type { AuthorizationOptions } from '../core/authorization-policy';
import type { SessionGuardOptions } from '../core/guard-options';
import { isThenable } from '../core/session-guard';
import { resolveRoute, type SharedGuardRouteOptions, type WithoutGuardOptions } from '../core/route-options';
import { defaultGuard } from '../core/default-guard';
import type { SessionAuth } from '../core/types';

/** What a passed request adds to `ctx.state`. */
export interface SessionState {
  auth: SessionAuth;
}

/** Replaces the default answer to a refusal. `throw error` hands it to Koa's error handling instead. */
export type KoaRejectHandler = (error: SessionGuardError, ctx: ParameterizedContext, next: Next) => unknown;

/**
 * The options of the Koa `requireActiveSession`: a shared guard (recommended) or guard options. A key that is none
 * of these does not type-check in an object literal, and is a `TypeError` when the route is created.
 */
export type RequireActiveSessionOptions =
  | (SharedGuardRouteOptions<KoaRejectHandler> & WithoutGuardOptions)
  | (SessionGuardOptions & AuthorizationOptions & { onReject?: KoaRejectHandler; guard?: never });

/** The app id of a route: fixed, or read from the context. */
export type KoaAppId = string | ((ctx: ParameterizedContext) => string);

function answer(error: SessionGuardError, ctx: ParameterizedContext): void {
  ctx.status = error.status;
  ctx.set(error.headers);
  ctx.body = error.toJSON();
}

/**
 * Koa middleware that lets a request through only when GenAuth confirms the caller's live session in `appId`;
 * sets `ctx.state.auth` (typed through the returned middleware's state) and awaits `next()`. Koa 2 and 3.
 * Options and answers are those of the Express `requireActiveSession`. Anything thrown or rejected that is not a
 * refusal (by a function `appId`, a guard of your own, `onReject`) is re-thrown to Koa's error handling as an
 * `Error`: a thrown non-Error (`undefined`, a string) is wrapped, its value kept as `cause`.
 * @example
 * ```ts
 * router.get('/admin', requireActiveSession('app-id', { guard }), (ctx) => { ctx.body = ctx.state.auth.userId; });
 * ```
 */
export function requireActiveSession<StateT = DefaultState>(
  appId: KoaAppId,
  options?: RequireActiveSessionOptions,
): Middleware<StateT & SessionState> {
  const { authenticate, onReject = answer } = resolveRoute<KoaRejectHandler>(appId, options, defaultGuard);
  return async function requireActiveSessionMiddleware(ctx, next) {
    let auth: SessionAuth;
    try {
      const result = authenticate(ctx.req, typeof appId === 'function' ? appId(ctx as ParameterizedContext) : appId);
      auth = isThenable(result) ? await result : result; // the hot path stays synchronous
    } catch (error) {
      // Koa ignores a thrown null or undefined (the response would hang): only an Error leaves the guard.
      if (!isSessionGuardError(error)) throw asError(error);
      try {
        return await onReject(error, ctx as ParameterizedContext, next);
      } catch (thrown) {
        throw asError(thrown);
      }
    }
    try {
      ctx.state.auth = auth;
    } catch (error) {
      throw asError(error);
    }
    return next();
  };
}
