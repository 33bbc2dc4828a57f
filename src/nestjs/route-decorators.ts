import { SetMetadata } from '@nestjs/common';
import { resolvePolicy, type PermissionRequirement, type RoleRequirement } from '../core/authorization-policy';
import { APP_ID_RULE, isAppIdOption, type NestAppId } from './module-options';
import { METADATA } from './tokens';

/** A decorator for a controller class or one of its route methods. */
export type RouteDecorator = ClassDecorator & MethodDecorator;

/** What the target itself carries, not its parent class (a subclass may restate a decorator of its parent). */
function own(key: string, target: object): unknown {
  return (Reflect as unknown as { getOwnMetadata(key: string, target: object): unknown }).getOwnMetadata(key, target);
}

/** The decorators that ask for authorization: with any of them, a route is not public. */
const AUTHORIZATION = [METADATA.roles, METADATA.permissions, METADATA.scopes] as const;

const NAMES: Record<string, string> = {
  [METADATA.roles]: '@Roles()',
  [METADATA.permissions]: '@Permissions()',
  [METADATA.scopes]: '@Scopes()',
  [METADATA.appId]: '@AppId()',
  [METADATA.public]: '@Public()',
};

function where(target: object, property: string | symbol | undefined): string {
  if (property === undefined) return (target as { name?: string }).name || 'a class';
  return `${(target as { constructor?: { name?: string } }).constructor?.name || 'a class'}.${String(property)}`;
}

/**
 * Sets `key` on the class or the method, refusing (TypeError) a second use of the same decorator on one target and
 * `@Public()` beside an authorization decorator on one target: either would silently drop one of them.
 */
function routeDecorator(key: string, value: unknown): RouteDecorator {
  const name = NAMES[key]!;
  return ((target: object, property?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (property !== undefined && typeof descriptor?.value !== 'function') {
      throw new TypeError(`genauth-session-guard: ${name} applies to a controller class or a route method, not to ${where(target, property)}.`);
    }
    const on: object = property === undefined ? target : descriptor!.value;
    if (own(key, on) !== undefined) {
      throw new TypeError(`genauth-session-guard: ${name} is on ${where(target, property)} twice; give it every value once.`);
    }
    const conflicting = key === METADATA.public
      ? AUTHORIZATION.find((other) => own(other, on) !== undefined)
      : (AUTHORIZATION as readonly string[]).includes(key) && own(METADATA.public, on) !== undefined
        ? METADATA.public
        : undefined;
    if (conflicting !== undefined) {
      throw new TypeError(`genauth-session-guard: ${name} and ${NAMES[conflicting]} on ${where(target, property)}: a public route checks nothing; remove one.`);
    }
    return SetMetadata(key, value)(target as never, property as never, descriptor as never);
  }) as RouteDecorator;
}

/**
 * The route passes only when the user holds **any** of these roles (a role code, or `{ code, namespace }`). On a
 * method it replaces the class's `@Roles`; other kinds (`@Permissions`, `@Scopes`) from the class still apply. A
 * `TypeError` here for an empty or malformed list (the same rules as the `roles` route option).
 * @example
 * ```ts
 * @Roles('admin', { code: 'auditor', namespace: 'finance' })
 * ```
 */
export function Roles(...roles: RoleRequirement[]): RouteDecorator {
  resolvePolicy({ roles });
  return routeDecorator(METADATA.roles, Object.freeze([...roles]));
}

/**
 * The route passes only when `action` is allowed on every one of `resources` in the permission group `namespace`.
 * On a method it replaces the class's `@Permissions`. A `TypeError` here for a malformed requirement.
 */
export function Permissions(permissions: PermissionRequirement): RouteDecorator {
  resolvePolicy({ permissions: permissions ?? (null as never) }); // undefined would mean "none asked" there
  return routeDecorator(METADATA.permissions, Object.freeze({ ...permissions, resources: Object.freeze([...permissions.resources]) }));
}

/**
 * The route passes only when every scope is in the verified token's `scope` claim (checked locally, no call). On a
 * method it replaces the class's `@Scopes`. A `TypeError` here for no scope, or one that is empty or has spaces.
 */
export function Scopes(...scopes: string[]): RouteDecorator {
  if (scopes.length === 0) throw new TypeError('genauth-session-guard: @Scopes() needs at least one scope.');
  resolvePolicy({ scopes });
  return routeDecorator(METADATA.scopes, Object.freeze([...scopes]));
}

/**
 * The GenAuth app id of these routes, instead of the module's `appId`: a string, or `(request) => string`. On a
 * method it replaces the class's. A `TypeError` here for an id that cannot be one.
 */
export function AppId(appId: NestAppId): RouteDecorator {
  if (!isAppIdOption(appId)) throw new TypeError(`genauth-session-guard: @AppId() needs ${APP_ID_RULE}.`);
  return routeDecorator(METADATA.appId, appId);
}

/**
 * `ActiveSessionGuard` lets these routes through untouched (no check, no `request.auth`): for routes left open
 * under a global guard. On a class, every route of it is public except those whose method carries `@Roles`,
 * `@Permissions` or `@Scopes`. On one target together with one of those, a `TypeError`.
 */
export function Public(): RouteDecorator {
  return routeDecorator(METADATA.public, true);
}
