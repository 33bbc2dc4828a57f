import { isAcceptableAppId, MAX_APP_ID_LENGTH } from './app-id';
import { AUTHORIZATION_OPTION_KEYS, resolvePolicy, type AuthorizationOptions } from './authorization-policy';
import { GUARD_OPTION_KEYS, type SessionGuardOptions } from './guard-options';
import { assertKnownKeys, suggestKey, type OptionKeys } from './known-options';
import { AUTHENTICATE_NOW, createSessionGuard, type AuthenticateOptions, type SessionGuard } from './session-guard';
import type { RequestLike, SessionAuth } from './types';
import type { IdentityExtractor } from './types';

/**
 * Route options that share a guard, with per-route overrides and the route's authorization (`roles`,
 * `permissions`, `scopes`, combined with AND; checked at construction). `Reject` is the framework's refusal hook.
 * Any other key (`role`, or a guard option such as `cache`, which belongs to `createSessionGuard`) is a `TypeError`
 * at construction.
 */
export interface SharedGuardRouteOptions<Reject> extends AuthorizationOptions {
  /** The guard to use (one per process is the intended set-up: one management token, one cache). */
  guard: SessionGuard;
  /** Another extractor for this route only. @default the guard's `identity` */
  identity?: IdentityExtractor;
  /** Replaces the default answer to a refusal (JSON `{ error, message }` with the error's status and headers). */
  onReject?: Reject;
}

/**
 * Beside `guard`, guard options do not type-check: they would not apply to that guard (set them on
 * `createSessionGuard`). At runtime they are a `TypeError`.
 */
export type WithoutGuardOptions = { [K in Exclude<keyof SessionGuardOptions, 'identity'>]?: never };

/** The keys of {@link SharedGuardRouteOptions}: any other is a `TypeError`. */
const SHARED_GUARD_ROUTE_KEYS = {
  guard: true,
  identity: true,
  onReject: true,
  ...AUTHORIZATION_OPTION_KEYS,
} as const satisfies OptionKeys<SharedGuardRouteOptions<unknown>>;

/** The keys of route options that build their own guard: the guard's, the authorization, `onReject`. */
const OWN_GUARD_ROUTE_KEYS = {
  ...GUARD_OPTION_KEYS,
  ...AUTHORIZATION_OPTION_KEYS,
  onReject: true,
} as const satisfies OptionKeys<SessionGuardOptions & AuthorizationOptions & { onReject?: unknown }>;

const WHERE = 'requireActiveSession options';

/** Said of a guard option (or one close to it) passed beside `guard`: it would not apply to that guard. */
function guardOptionNote(key: string): string | undefined {
  const meant = Object.hasOwn(GUARD_OPTION_KEYS, key) ? key : suggestKey(key, Object.keys(GUARD_OPTION_KEYS));
  return meant === undefined ? undefined : `("${meant}" is a guard option: with \`guard\`, set it on createSessionGuard).`;
}

/** Authenticates a request for a route: synchronously on the hot path when the guard can, else a promise. */
export type RouteAuthenticate = (req: RequestLike, appId: string) => SessionAuth | Promise<SessionAuth>;

/** What a route runs with. */
export interface RouteSetup<Reject> {
  guard: SessionGuard;
  authenticate: RouteAuthenticate;
  identity: IdentityExtractor | undefined;
  onReject: Reject | undefined;
}

function isSharedGuardOptions<Reject>(options: object): options is SharedGuardRouteOptions<Reject> {
  return 'guard' in options;
}

/**
 * Resolves the second argument of `requireActiveSession`: `{ guard, ... }` shares a guard; guard options build a
 * guard for this route; nothing uses the process-wide default guard built from the environment.
 */
export function resolveRoute<Reject>(
  appId: unknown,
  options: SharedGuardRouteOptions<Reject> | (SessionGuardOptions & AuthorizationOptions & { onReject?: Reject }) | undefined,
  defaultGuard: () => SessionGuard,
): RouteSetup<Reject> {
  if (typeof appId !== 'function' && !isAcceptableAppId(appId)) {
    throw new TypeError(
      `genauth-session-guard: requireActiveSession(appId) needs the GenAuth app id, a non-blank string of at most ${MAX_APP_ID_LENGTH} ` +
        'characters without control characters, or (req) => string.',
    );
  }
  if (options === undefined) return setup<Reject>(defaultGuard(), undefined, undefined, undefined);
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('genauth-session-guard: the options of requireActiveSession must be { guard } or guard options.');
  }
  const shared = isSharedGuardOptions<Reject>(options);
  if (shared) assertKnownKeys(options, SHARED_GUARD_ROUTE_KEYS, WHERE, { note: guardOptionNote });
  else assertKnownKeys(options, OWN_GUARD_ROUTE_KEYS, WHERE, { meant: ['guard'] });
  const { roles, permissions, scopes, onReject, ...guardOptions } = options;
  const authorization: AuthorizationOptions = { roles, permissions, scopes };
  resolvePolicy(authorization); // a TypeError now, not per request
  if (onReject !== undefined && typeof onReject !== 'function') {
    throw new TypeError('genauth-session-guard: `onReject` must be a function.');
  }
  if (shared) {
    const { guard, identity } = options;
    if (typeof guard?.authenticate !== 'function') {
      throw new TypeError('genauth-session-guard: `guard` must come from createSessionGuard().');
    }
    if (identity !== undefined && typeof identity !== 'function') {
      throw new TypeError('genauth-session-guard: `identity` must be an extractor function.');
    }
    return setup(guard, identity, onReject, authorization);
  }
  return setup(createSessionGuard(guardOptions as SessionGuardOptions), undefined, onReject, authorization);
}

export function setup<Reject>(
  guard: SessionGuard,
  identity: IdentityExtractor | undefined,
  onReject: Reject | undefined,
  authorization: AuthorizationOptions | undefined,
): RouteSetup<Reject> {
  const asked = authorization && (authorization.roles || authorization.permissions || authorization.scopes);
  // One object per route: the guard checks and canonicalises its policy once.
  const options: AuthenticateOptions | undefined = identity || asked ? { identity, ...authorization } : undefined;
  const now = (guard as Partial<Record<typeof AUTHENTICATE_NOW, SessionGuard['authenticate']>>)[AUTHENTICATE_NOW];
  const authenticate: RouteAuthenticate = typeof now === 'function'
    ? (req, appId) => now.call(guard, req, appId, options)
    : (req, appId) => Promise.resolve(guard.authenticate(req, appId, options));
  return { guard, authenticate, identity, onReject };
}
