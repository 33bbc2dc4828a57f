export { createSessionGuard } from './core/session-guard';
export type { SessionGuard, SessionGuardStats, AuthenticateOptions, AuthorizationCheckOptions } from './core/session-guard';
export type {
  AuthorizationOptions,
  AuthorizationInfo,
  AuthorizationSource,
  RoleRequirement,
  RoleRef,
  PermissionRequirement,
} from './core/authorization-policy';
export type {
  SessionGuardOptions,
  SessionCacheOptions,
  DenyOnUpstreamError,
  AllowStaleOnUpstreamError,
} from './core/guard-options';
export {
  SessionGuardError,
  MissingCredentialsError,
  InvalidTokenError,
  SessionInactiveError,
  InsufficientPermissionError,
  SessionCheckUnavailableError,
  isSessionGuardError,
} from './core/errors';
export type { SessionGuardErrorCode } from './core/errors';
export type {
  RequestLike,
  Identity,
  IdentityExtractor,
  IdentityContext,
  SessionAuth,
  SessionInfo,
  SessionSource,
  Clock,
  FetchLike,
  Logger,
} from './core/types';
export { channels } from './core/events';
export type { DecisionEvent, CacheEvent, UpstreamEvent } from './core/events';
export { closeDefaultGuard } from './core/default-guard';
export type { SharedGuardRouteOptions } from './core/route-options';
export { bearerJwt, header, cookie, firstOf } from './extractors/index';
export type { BearerJwtOptions, HeaderOptions, CookieOptions, ExtractContext, ContextualIdentityExtractor, JwtVerifierOptions } from './extractors/index';
export { requireActiveSession, getSessionAuth } from './express/require-active-session';
export type { RequireActiveSessionOptions, ExpressRejectHandler, ExpressAppId } from './express/require-active-session';
