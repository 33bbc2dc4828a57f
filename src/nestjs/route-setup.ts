import type { Reflector } from '@nestjs/core';
import type { PermissionRequirement, RoleRequirement } from '../core/authorization-policy';
import { setup, type RouteAuthenticate } from '../core/route-options';
import type { NestAppId, SessionGuardModuleOptions } from './module-options';
import { METADATA } from './tokens';

/** A controller class or a route handler: what Nest's `Reflector` reads metadata from. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type RouteTarget = Function;

/** How one route is guarded. */
export interface NestRoute {
  authenticate: RouteAuthenticate;
  appId: NestAppId;
}

/**
 * Reads the decorators of one route (`undefined`: a public route): per kind, the method's replaces the class's (`getAllAndOverride`); kinds
 * combine. Public when the method says `@Public()`, or the class does and the method asks for no authorization.
 */
export function resolveNestRoute(
  options: SessionGuardModuleOptions,
  reflector: Reflector,
  controller: RouteTarget,
  handler: RouteTarget,
): NestRoute | undefined {
  const targets = [handler, controller];
  const own = <T>(key: string) => reflector.get<T>(key, handler);
  const authorizes = own(METADATA.roles) ?? own(METADATA.permissions) ?? own(METADATA.scopes);
  if (own(METADATA.public) === true || (authorizes === undefined && reflector.get(METADATA.public, controller) === true)) {
    return undefined;
  }
  const roles = reflector.getAllAndOverride<RoleRequirement[] | undefined>(METADATA.roles, targets);
  const permissions = reflector.getAllAndOverride<PermissionRequirement | undefined>(METADATA.permissions, targets);
  const scopes = reflector.getAllAndOverride<string[] | undefined>(METADATA.scopes, targets);
  const appId = reflector.getAllAndOverride<NestAppId | undefined>(METADATA.appId, targets) ?? options.appId;
  // Checked when decorated: the guard canonicalises this policy once, for this route.
  const { authenticate } = setup(options.guard, undefined, undefined, { roles, permissions, scopes });
  return { authenticate, appId };
}
