import { assertKnownKeys, type OptionKeys } from './known-options';
import type { SessionAuth } from './types';

/** The longest role code, namespace, action or resource accepted: each goes into cache (and Redis) keys. */
export const MAX_POLICY_PART_LENGTH = 256;
/** The most entries of `roles`, `permissions.resources` and `scopes`. */
export const MAX_POLICY_LIST_LENGTH = 100;

/**
 * A GenAuth role: its code, and the code of its permission group (namespace) when it is not the default one. Each
 * at most 256 characters; any other key is a `TypeError`.
 */
export interface RoleRef {
  code: string;
  namespace?: string;
}

const ROLE_REF_KEYS = { code: true, namespace: true } as const satisfies OptionKeys<RoleRef>;

/** A role a route asks for: a role code (default namespace), or `{ code, namespace }`. */
export type RoleRequirement = string | RoleRef;

/**
 * Permissions a route asks for: `action` allowed on **every** one of `resources` in the permission group
 * `namespace`. Any other key (`resource`) is a `TypeError`.
 */
export interface PermissionRequirement {
  /** The permission group (namespace) code, at most 256 characters. */
  namespace: string;
  /** The action, e.g. `read`, at most 256 characters. */
  action: string;
  /** The resources; every one must be allowed. Non-empty, at most 100, each at most 256 characters. */
  resources: string[];
}

const PERMISSION_KEYS = { namespace: true, action: true, resources: true } as const satisfies OptionKeys<PermissionRequirement>;

/**
 * The authorization options of a route (or of one `authenticate` call); combined with AND. Malformed ones, and
 * ones over the limits (a role code, namespace, action or resource over 256 characters; over 100 roles, resources
 * or scopes), are a `TypeError`.
 */
export interface AuthorizationOptions {
  /**
   * Passes when the user holds **any** of these roles (GenAuth `has-any-role`). Non-empty when given, at most 100
   * entries.
   */
  roles?: RoleRequirement[];
  /** Passes when `action` is allowed on every resource (GenAuth `check-permission`). */
  permissions?: PermissionRequirement;
  /**
   * Passes when every scope is in the verified token's `scope` claim (space-separated or an array). Local, no call.
   * At most 100 entries.
   */
  scopes?: string[];
}

/** The keys of {@link AuthorizationOptions}. */
export const AUTHORIZATION_OPTION_KEYS = { roles: true, permissions: true, scopes: true } as const satisfies OptionKeys<AuthorizationOptions>;

/** A checked, canonical policy: roles sorted, resources sorted and unique; `key`s tell policies apart in the cache. */
export interface ResolvedPolicy {
  roles?: { list: readonly RoleRef[]; key: string };
  permissions?: { namespace: string; action: string; resources: readonly string[]; key: string };
  scopes?: readonly string[];
}

/** Where the authorization answers of a passed request came from; `local`: scopes only, read from the token. */
export type AuthorizationSource = 'cache' | 'upstream' | 'local';

/** What was checked for a passed request, as `auth.authorization`. Present only when the route asked for some. */
export interface AuthorizationInfo {
  roles?: RoleRef[];
  permissions?: { namespace: string; action: string; resources: string[] };
  scopes?: string[];
  source: AuthorizationSource;
}

/** `SessionAuth` of a route with an authorization policy. */
export type AuthorizedSessionAuth = SessionAuth & { authorization: AuthorizationInfo };

const PREFIX = 'genauth-session-guard:';

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** A non-empty string of at most {@link MAX_POLICY_PART_LENGTH} characters. */
function policyPart(value: unknown): value is string {
  return nonEmptyString(value) && value.length <= MAX_POLICY_PART_LENGTH;
}

function assertListLength(list: readonly unknown[], name: string): void {
  if (list.length > MAX_POLICY_LIST_LENGTH) {
    throw new TypeError(`${PREFIX} \`${name}\` must have at most ${MAX_POLICY_LIST_LENGTH} entries.`);
  }
}

const PART_RULE = `a non-empty string of at most ${MAX_POLICY_PART_LENGTH} characters`;

/** JSON of strings: unambiguous whatever characters the codes hold. */
function keyOf(parts: readonly unknown[]): string {
  return JSON.stringify(parts);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function resolveRoles(roles: unknown): ResolvedPolicy['roles'] {
  if (!Array.isArray(roles) || roles.length === 0) {
    throw new TypeError(`${PREFIX} \`roles\` must be a non-empty array of role codes or { code, namespace? }.`);
  }
  assertListLength(roles, 'roles');
  const byKey = new Map<string, RoleRef>();
  (roles as unknown[]).forEach((role, index) => {
    const ref = roleRef(role, index);
    byKey.set(keyOf([ref.code, ref.namespace ?? null]), Object.freeze(ref));
  });
  const keys = [...byKey.keys()].sort(compare);
  return { list: Object.freeze(keys.map((key) => byKey.get(key) as RoleRef)), key: keyOf(['roles', ...keys]) };
}

/** One entry of `roles`, checked; messages name its index, never its code. */
function roleRef(role: unknown, index: number): RoleRef {
  if (typeof role === 'string') {
    if (!policyPart(role)) throw new TypeError(`${PREFIX} \`roles[${index}]\` must be a role code, ${PART_RULE}.`);
    return { code: role };
  }
  if (typeof role !== 'object' || role === null) {
    throw new TypeError(`${PREFIX} every entry of \`roles\` must be a non-empty role code or { code, namespace? }.`);
  }
  assertKnownKeys(role, ROLE_REF_KEYS, `\`roles[${index}]\``);
  const { code, namespace } = role as RoleRef;
  if (!policyPart(code)) throw new TypeError(`${PREFIX} \`roles[${index}].code\` must be ${PART_RULE}.`);
  if (namespace !== undefined && !policyPart(namespace)) {
    throw new TypeError(`${PREFIX} \`roles[${index}].namespace\` must be ${PART_RULE} when given.`);
  }
  return namespace === undefined ? { code } : { code, namespace };
}

function resolvePermissions(permissions: unknown): ResolvedPolicy['permissions'] {
  if (typeof permissions === 'object' && permissions !== null) assertKnownKeys(permissions, PERMISSION_KEYS, '`permissions`');
  const given = permissions as Partial<PermissionRequirement> | null;
  if (typeof given !== 'object' || given === null || !nonEmptyString(given.namespace) || !nonEmptyString(given.action)) {
    throw new TypeError(`${PREFIX} \`permissions\` must be { namespace, action, resources } with a non-empty namespace and action.`);
  }
  const { namespace, action, resources } = given;
  if (!policyPart(namespace)) throw new TypeError(`${PREFIX} \`permissions.namespace\` must be ${PART_RULE}.`);
  if (!policyPart(action)) throw new TypeError(`${PREFIX} \`permissions.action\` must be ${PART_RULE}.`);
  if (!Array.isArray(resources) || resources.length === 0) {
    throw new TypeError(`${PREFIX} \`permissions.resources\` must be a non-empty array of non-empty strings.`);
  }
  assertListLength(resources, 'permissions.resources');
  if (!resources.every(nonEmptyString)) {
    throw new TypeError(`${PREFIX} \`permissions.resources\` must be a non-empty array of non-empty strings.`);
  }
  if (!resources.every(policyPart)) {
    throw new TypeError(`${PREFIX} every entry of \`permissions.resources\` must be ${PART_RULE}.`);
  }
  const sorted = Object.freeze([...new Set(resources)].sort(compare));
  return { namespace, action, resources: sorted, key: keyOf(['permissions', namespace, action, ...sorted]) };
}

function resolveScopes(scopes: unknown): readonly string[] {
  if (Array.isArray(scopes)) assertListLength(scopes, 'scopes');
  if (!Array.isArray(scopes) || !scopes.every((scope) => nonEmptyString(scope) && !/\s/.test(scope))) {
    throw new TypeError(`${PREFIX} \`scopes\` must be an array of non-empty scope strings without spaces.`);
  }
  return Object.freeze([...new Set(scopes as string[])]);
}

/**
 * Checks the authorization options and puts them in canonical form; `undefined` when they ask for nothing.
 * Mistakes throw a `TypeError` (at construction, for routes).
 */
export function resolvePolicy(options: AuthorizationOptions | undefined): ResolvedPolicy | undefined {
  if (options === undefined) return undefined;
  const { roles, permissions, scopes } = options;
  const policy: ResolvedPolicy = {};
  if (roles !== undefined) policy.roles = resolveRoles(roles);
  if (permissions !== undefined) policy.permissions = resolvePermissions(permissions);
  if (scopes !== undefined) policy.scopes = resolveScopes(scopes);
  return policy.roles || policy.permissions || policy.scopes ? policy : undefined;
}

/** The scopes a verified token grants: its `scope` claim, space-separated or an array of strings. */
function grantedScopes(claims: Record<string, unknown> | undefined): Set<string> {
  const scope = claims?.scope;
  if (typeof scope === 'string') return new Set(scope.split(/\s+/).filter(Boolean));
  if (Array.isArray(scope)) return new Set(scope.filter((entry): entry is string => typeof entry === 'string'));
  return new Set();
}

/** Whether the token's claims carry every scope asked for (none asked: `true`). */
export function hasScopes(claims: Record<string, unknown> | undefined, scopes: readonly string[] | undefined): boolean {
  if (!scopes || scopes.length === 0) return true;
  const granted = grantedScopes(claims);
  return scopes.every((scope) => granted.has(scope));
}

/** What `auth.authorization` records for a policy (fresh arrays: the caller may keep or change them). */
export function describePolicy(policy: ResolvedPolicy, source: AuthorizationSource): AuthorizationInfo {
  const info: AuthorizationInfo = { source };
  if (policy.roles) info.roles = policy.roles.list.map((role) => ({ ...role }));
  if (policy.permissions) {
    const { namespace, action, resources } = policy.permissions;
    info.permissions = { namespace, action, resources: [...resources] };
  }
  if (policy.scopes) info.scopes = [...policy.scopes];
  return info;
}
