import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { asError } from '../core/as-error';
import { isSessionGuardError } from '../core/errors';
import { isThenable } from '../core/session-guard';
import type { SessionAuth } from '../core/types';
import type { NestRequest, SessionGuardModuleOptions } from './module-options';
import { resolveNestRoute, type NestRoute, type RouteTarget } from './route-setup';
import { SessionRefusedException, setRefusalHeaders } from './session-refused-exception';
import { SESSION_GUARD_OPTIONS } from './tokens';

const PUBLIC = Symbol('public');

/**
 * A Nest guard that lets a request through only when GenAuth confirms the caller's live session in the route's app
 * (`@AppId` or the module's `appId`), with the route's `@Roles`, `@Permissions` and `@Scopes`; sets `request.auth`
 * (Express `req` or Fastify `request`; also the `@SessionAuth()` parameter). `@Public()` routes pass untouched.
 * Needs `SessionGuardModule.forRoot` (or `forRootAsync`) in the app.
 *
 * Refusals throw a {@link SessionRefusedException} after putting the refusal's headers on the response: Nest answers
 * the status and `{ error, message }` of Express's `requireActiveSession`. Anything else thrown (by a function app
 * id, a guard of your own) reaches Nest's exception handling as an `Error`. HTTP routes only: in another context
 * (RPC, WebSocket) it throws.
 * @example
 * ```ts
 * @UseGuards(ActiveSessionGuard)  // or for the whole app: { provide: APP_GUARD, useClass: ActiveSessionGuard }
 * @Controller('admin')
 * export class AdminController {}
 * ```
 */
export class ActiveSessionGuard implements CanActivate {
  /** By controller, then by handler: the decorators are read and the policy checked once per route. */
  readonly #routes = new WeakMap<RouteTarget, WeakMap<RouteTarget, NestRoute | typeof PUBLIC>>();

  constructor(
    private readonly options: SessionGuardModuleOptions,
    private readonly reflector: Reflector,
  ) {
    if (typeof options?.guard?.authenticate !== 'function') {
      throw new TypeError('genauth-session-guard: ActiveSessionGuard needs SessionGuardModule.forRoot({ guard, appId }) in the app.');
    }
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') {
      throw new TypeError(`genauth-session-guard: ActiveSessionGuard guards HTTP routes, not a "${context.getType()}" context; mark the handler @Public().`);
    }
    const route = this.#route(context.getClass(), context.getHandler());
    if (route === PUBLIC) return true;
    // getArgByIndex, not switchToHttp(): that allocates three closures per call.
    const request = context.getArgByIndex<NestRequest>(0);
    let result: SessionAuth | PromiseLike<SessionAuth>;
    try {
      result = route.authenticate(request, typeof route.appId === 'string' ? route.appId : route.appId(request));
    } catch (error) {
      throw refusal(error, context);
    }
    if (isThenable(result)) return settleLater(result, request, context);
    return pass(result, request);
  }

  #route(controller: RouteTarget, handler: RouteTarget): NestRoute | typeof PUBLIC {
    let byHandler = this.#routes.get(controller);
    if (byHandler === undefined) this.#routes.set(controller, (byHandler = new WeakMap()));
    let route = byHandler.get(handler);
    if (route === undefined) {
      route = resolveNestRoute(this.options, this.reflector, controller, handler) ?? PUBLIC;
      byHandler.set(handler, route);
    }
    return route;
  }
}

Injectable()(ActiveSessionGuard);
Inject(SESSION_GUARD_OPTIONS)(ActiveSessionGuard, undefined, 0);
Inject(Reflector)(ActiveSessionGuard, undefined, 1);

function pass(auth: SessionAuth, request: NestRequest): true {
  try {
    request.auth = auth;
  } catch (error) {
    throw asError(error);
  }
  return true;
}

/** What to throw: a refusal becomes a SessionRefusedException (its headers set on the response), the rest an Error. */
function refusal(error: unknown, context: ExecutionContext): Error {
  if (!isSessionGuardError(error)) return asError(error);
  try {
    setRefusalHeaders(context.getArgByIndex(1), error.headers);
  } catch (thrown) {
    return asError(thrown);
  }
  return new SessionRefusedException(error);
}

/** The slow path (a miss, an asynchronous extractor): a promise only here. */
function settleLater(result: PromiseLike<SessionAuth>, request: NestRequest, context: ExecutionContext): Promise<boolean> {
  return Promise.resolve(result).then(
    (auth) => pass(auth, request),
    (error: unknown) => {
      throw refusal(error, context);
    },
  );
}
