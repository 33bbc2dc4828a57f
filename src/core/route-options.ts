import { isAcceptableAppId, MAX_APP_ID_LENGTH } from './app-id';
import type { SessionGuardOptions } from './guard-options';
import { AUTHENTICATE_NOW, createSessionGuard, type AuthenticateOptions, type SessionGuard } from './session-guard';
import type { RequestLike, SessionAuth } from './types';
import type { IdentityExtractor } from './types';

/** Route options that share a guard, with per-route overrides. `Reject` is the framework's refusal hook. */
export interface SharedGuardRouteOptions<Reject> {
  /** The guard to use (one per process is the intended set-up: one management token, one cache). */
  guard: SessionGuard;
  /** Another extractor for this route only. @default the guard's `identity` */
  identity?: IdentityExtractor;
  /** Replaces the default answer to a refusal (JSON `{ error, message }` with the error's status and headers). */
  onReject?: Reject;
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
  options: SharedGuardRouteOptions<Reject> | (SessionGuardOptions & { onReject?: Reject }) | undefined,
  defaultGuard: () => SessionGuard,
): RouteSetup<Reject> {
  if (typeof appId !== 'function' && !isAcceptableAppId(appId)) {
    throw new TypeError(
      `genauth-session-guard: requireActiveSession(appId) needs the GenAuth app id, a non-blank string of at most ${MAX_APP_ID_LENGTH} ` +
        'characters without control characters, or (req) => string.',
    );
  }
  if (options === undefined) return setup<Reject>(defaultGuard(), undefined, undefined);
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('genauth-session-guard: the options of requireActiveSession must be { guard } or guard options.');
  }
  const onReject = options.onReject;
  if (onReject !== undefined && typeof onReject !== 'function') {
    throw new TypeError('genauth-session-guard: `onReject` must be a function.');
  }
  if (isSharedGuardOptions<Reject>(options)) {
    const { guard, identity } = options;
    if (typeof guard?.authenticate !== 'function') {
      throw new TypeError('genauth-session-guard: `guard` must come from createSessionGuard().');
    }
    if (identity !== undefined && typeof identity !== 'function') {
      throw new TypeError('genauth-session-guard: `identity` must be an extractor function.');
    }
    return setup(guard, identity, onReject);
  }
  return setup(createSessionGuard(options), undefined, onReject);
}

function setup<Reject>(guard: SessionGuard, identity: IdentityExtractor | undefined, onReject: Reject | undefined): RouteSetup<Reject> {
  const options: AuthenticateOptions | undefined = identity ? { identity } : undefined;
  const now = (guard as Partial<Record<typeof AUTHENTICATE_NOW, SessionGuard['authenticate']>>)[AUTHENTICATE_NOW];
  const authenticate: RouteAuthenticate = typeof now === 'function'
    ? (req, appId) => now.call(guard, req, appId, options)
    : (req, appId) => Promise.resolve(guard.authenticate(req, appId, options));
  return { guard, authenticate, identity, onReject };
}
