import type { FastifyRequest } from 'fastify';
import type { AuthorizationOptions } from '../core/authorization-policy';
import { defaultGuard } from '../core/default-guard';
import { GUARD_OPTION_KEYS, type SessionGuardOptions } from '../core/guard-options';
import { resolveRoute, type RouteAuthenticate, type SharedGuardRouteOptions } from '../core/route-options';
import type { SessionGuard } from '../core/session-guard';
import type { IdentityExtractor } from '../core/types';
import './fastify-types';

/** Route options that use the guard of the `sessionGuard` plugin (`request.server.sessionGuard`). */
export interface PluginGuardRouteOptions<Reject> extends AuthorizationOptions {
  /**
   * Left out: the guard the `sessionGuard` plugin decorated in the route's context is used. An explicit
   * `guard: undefined` (a guard not built yet) is a `TypeError`, as it is for Express and Koa.
   */
  guard?: never;
  /** Another extractor for this route only. @default the guard's `identity` */
  identity?: IdentityExtractor;
  /** Replaces the default answer to a refusal. */
  onReject?: Reject;
}

type AnyRouteOptions<Reject> =
  | SharedGuardRouteOptions<Reject>
  | PluginGuardRouteOptions<Reject>
  | (SessionGuardOptions & AuthorizationOptions & { onReject?: Reject });

/** What the hook runs with: a fixed `authenticate`, or one found per request from the context's decorated guard. */
export interface FastifyRouteSetup<Reject> {
  /** Set when the guard is known at construction (`{ guard }` or guard options). */
  authenticate: RouteAuthenticate | undefined;
  /** The plugin's guard of the request's context (its authenticate built once per guard). */
  authenticateFor(request: FastifyRequest): RouteAuthenticate;
  onReject: Reject | undefined;
}

/** A guard that is never asked: it lets `resolveRoute` check the options of a route whose guard comes later. */
const CHECKED_LATER = {
  authenticate: () => Promise.reject(new Error('genauth-session-guard: unreachable')),
} as unknown as SessionGuard;

/** True when `options` hold a guard option (other than `identity`, which routes take too): they build a guard. */
function buildsOwnGuard(options: object): boolean {
  return Object.keys(options).some((key) => key !== 'identity' && Object.hasOwn(GUARD_OPTION_KEYS, key));
}

/**
 * Resolves the options of the Fastify `requireActiveSession`:
 * - `{ guard, ... }` shares that guard; guard options build a guard for the route (checked as Express checks them);
 * - nothing, or only `identity`, `roles`, `permissions`, `scopes`, `onReject`: the guard of the `sessionGuard`
 *   plugin, found on `request.server` at the first request of each context. The options are checked now (an
 *   unknown key is a `TypeError` here); a context without the plugin is an `Error` at its first request.
 */
export function resolveFastifyRoute<Reject>(appId: unknown, options: AnyRouteOptions<Reject> | undefined): FastifyRouteSetup<Reject> {
  if (options !== undefined && (typeof options !== 'object' || options === null || 'guard' in options || buildsOwnGuard(options))) {
    const { authenticate, onReject } = resolveRoute<Reject>(appId, options as SharedGuardRouteOptions<Reject>, defaultGuard);
    return { authenticate, authenticateFor: () => authenticate, onReject };
  }
  const routeOptions = (options ?? {}) as PluginGuardRouteOptions<Reject>;
  const { onReject } = resolveRoute<Reject>(appId, { ...routeOptions, guard: CHECKED_LATER }, defaultGuard);
  // One authenticate per guard (a hook shared by contexts with guards of their own); the last one is kept at hand.
  const byGuard = new WeakMap<SessionGuard, RouteAuthenticate>();
  let lastGuard: SessionGuard | undefined;
  let lastAuthenticate: RouteAuthenticate | undefined;
  return {
    authenticate: undefined,
    authenticateFor(request) {
      const guard = (request.server as { sessionGuard?: SessionGuard }).sessionGuard;
      if (guard === lastGuard && lastAuthenticate !== undefined) return lastAuthenticate;
      if (guard === undefined || guard === null) {
        throw new Error(
          'genauth-session-guard: requireActiveSession without `guard` uses the guard of the sessionGuard plugin, ' +
            'and none is registered in this Fastify context: `await app.register(sessionGuard, { guard })` first, or pass { guard }.',
        );
      }
      let authenticate = byGuard.get(guard);
      if (authenticate === undefined) {
        authenticate = resolveRoute<Reject>(appId, { ...routeOptions, guard }, defaultGuard).authenticate;
        byGuard.set(guard, authenticate);
      }
      lastGuard = guard;
      lastAuthenticate = authenticate;
      return authenticate;
    },
    onReject,
  };
}
