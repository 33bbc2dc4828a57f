import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { asError } from '../core/as-error';
import type { AuthorizationOptions } from '../core/authorization-policy';
import { isSessionGuardError, type SessionGuardError } from '../core/errors';
import type { SessionGuardOptions } from '../core/guard-options';
import type { SharedGuardRouteOptions, WithoutGuardOptions } from '../core/route-options';
import { isThenable } from '../core/session-guard';
import type { SessionAuth } from '../core/types';
import { resolveFastifyRoute, type PluginGuardRouteOptions } from './route-guard';
import './fastify-types';

/**
 * Replaces the default answer to a refusal: answer with `reply.send(...)` and return `reply` (or resolve to it),
 * as Fastify's own hooks ask: `(error, request, reply) => reply.code(401).send({ ... })`. Throw (or reject) to hand
 * the refusal to Fastify's error handler instead. If it returns something else and the reply has not been sent,
 * the default answer is sent. Either way a refusal never reaches the handler.
 * (Sending without returning `reply` works too, unless an async onSend hook holds the answer back: then the reply
 * is not yet sent when `onReject` returns, and a second answer is attempted.)
 */
export type FastifyRejectHandler = (error: SessionGuardError, request: FastifyRequest, reply: FastifyReply) => unknown;

/** The app id of a route: fixed, or read from the request (`(request) => request.params.appId`). */
export type FastifyAppId = string | ((request: FastifyRequest) => string);

/**
 * The options of the Fastify `requireActiveSession`: nothing, or `roles`, `permissions`, `scopes`, `identity`,
 * `onReject` with the plugin's guard; `{ guard, ... }` with a guard of your own; or guard options (a guard for this
 * route). Any other key is a `TypeError` when the hook is made.
 */
export type RequireActiveSessionOptions =
  | (SharedGuardRouteOptions<FastifyRejectHandler> & WithoutGuardOptions)
  | (PluginGuardRouteOptions<FastifyRejectHandler> & WithoutGuardOptions)
  | (SessionGuardOptions & AuthorizationOptions & { onReject?: FastifyRejectHandler; guard?: never });

/** The hook: a callback-style Fastify hook, for `onRequest`, `preValidation` or `preHandler`. */
export type SessionGuardHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

/** The default answer: the error's status and headers, JSON `{ error, message }` (what Express answers). */
function answer(error: SessionGuardError, _request: FastifyRequest, reply: FastifyReply): void {
  reply.code(error.status).headers(error.headers).send(error.toJSON());
}

/**
 * Fastify hook (Fastify 5) that lets a request through only when GenAuth confirms the caller's live session in
 * `appId`; sets `request.auth`. Use it as a route's `onRequest` (before the body is read: the usual place) or
 * `preHandler` option, or with `addHook` in an encapsulated context (it then guards that context only).
 *
 * - `requireActiveSession(appId)` / `requireActiveSession(appId, { roles })`: the guard of the `sessionGuard`
 *   plugin registered in the route's context. Without the plugin there, the first request is an `Error` for
 *   Fastify's error handler (500) saying so: the hook is made before Fastify knows its route, so not earlier.
 * - `requireActiveSession(appId, { guard })`: that guard. `requireActiveSession(appId, guardOptions)`: a guard for
 *   this route.
 *
 * Answers as the Express `requireActiveSession` does: 401 / 403 / 503 / 400 with the error's headers and JSON
 * `{ error, message }`, or `onReject`. Anything thrown or rejected that is not a refusal (by a function `appId`, a
 * guard of your own, `onReject`) goes to Fastify's error handler as an `Error` (a non-Error is wrapped, kept as
 * `cause`). The hook is callback-style: on a cache hit it calls `done()` synchronously and allocates nothing.
 * @example
 * ```ts
 * app.get('/admin', { onRequest: requireActiveSession('app-id', { roles: ['admin'] }) }, async (request) => request.auth);
 * ```
 */
export function requireActiveSession(appId: FastifyAppId, options?: RequireActiveSessionOptions): SessionGuardHook {
  const route = resolveFastifyRoute<FastifyRejectHandler>(appId, options);
  const onReject = route.onReject;
  const fixedAppId = typeof appId === 'function' ? undefined : appId;
  const fixedAuthenticate = route.authenticate;

  const refuse = (error: unknown, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    // Not a refusal: a TypeError from a bad appId, a programming error for Fastify's error handler.
    if (!isSessionGuardError(error)) return done(asError(error));
    // `done()` is never called after a refusal: the chain stops here, so the handler cannot run, even while the
    // answer is still in async onSend hooks (`reply.sent` is false until it is written).
    if (onReject === undefined) return answer(error, request, reply);
    let handled: unknown;
    try {
      handled = onReject(error, request, reply);
    } catch (thrown) {
      return done(asError(thrown));
    }
    if (handled !== reply && isThenable(handled)) {
      Promise.resolve(handled).then((value) => answerIfUnanswered(value, error, request, reply), (thrown: unknown) => done(asError(thrown)));
    } else answerIfUnanswered(handled, error, request, reply);
  };

  // Nothing is allocated here per request on the hot path (a synchronous answer): no closure, no promise.
  return function requireActiveSessionHook(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    let result: SessionAuth | PromiseLike<SessionAuth>;
    try {
      const authenticate = fixedAuthenticate ?? route.authenticateFor(request);
      result = authenticate(request.raw, fixedAppId ?? (appId as (request: FastifyRequest) => string)(request));
    } catch (error) {
      return refuse(error, request, reply, done);
    }
    if (isThenable(result)) settleLater(result, request, reply, done, refuse);
    else pass(result, request, done);
  };
}

/**
 * After `onReject`: returning `reply` means "answered" (Fastify's convention: the answer may still be in async onSend
 * hooks); otherwise, a reply not sent gets the default answer, so that the request is not left hanging.
 */
function answerIfUnanswered(handled: unknown, error: SessionGuardError, request: FastifyRequest, reply: FastifyReply): void {
  if (handled !== reply && !reply.sent) answer(error, request, reply);
}

function pass(auth: SessionAuth, request: FastifyRequest, done: HookHandlerDoneFunction): void {
  try {
    request.auth = auth;
  } catch (error) {
    return done(asError(error));
  }
  done();
}

/**
 * The slow path (a miss, an asynchronous extractor): the closures are made here only. No `.catch` after: `pass`
 * and `refuse` catch what they call, and calling `done` a second time would run the rest of the route twice.
 */
function settleLater(
  result: PromiseLike<SessionAuth>,
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
  refuse: (error: unknown, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void,
): void {
  Promise.resolve(result).then((auth) => pass(auth, request, done), (error: unknown) => refuse(error, request, reply, done));
}

/**
 * What the guard set as `request.auth`, typed; `null` on a request no guard hook let through (or a value that is
 * not a request).
 */
export function getSessionAuth(request: FastifyRequest): SessionAuth | null {
  return (request as { auth?: SessionAuth | null } | null | undefined)?.auth ?? null;
}
