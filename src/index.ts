export { createSessionGuard } from './core/session-guard.js';
export type { SessionGuard, SessionGuardStats, AuthenticateOptions } from './core/session-guard.js';
export type {
  SessionGuardOptions,
  SessionCacheOptions,
  DenyOnUpstreamError,
  AllowStaleOnUpstreamError,
} from './core/guard-options.js';
export {
  SessionGuardError,
  MissingCredentialsError,
  InvalidTokenError,
  SessionInactiveError,
  SessionCheckUnavailableError,
  isSessionGuardError,
} from './core/errors.js';
export type { SessionGuardErrorCode } from './core/errors.js';
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
} from './core/types.js';
export { channels } from './core/events.js';
export type { DecisionEvent, CacheEvent, UpstreamEvent } from './core/events.js';
export { closeDefaultGuard } from './core/default-guard.js';
export type { SharedGuardRouteOptions } from './core/route-options.js';
export { bearerJwt, header, cookie, firstOf } from './extractors/index.js';
export type { BearerJwtOptions, HeaderOptions, CookieOptions, ExtractContext, ContextualIdentityExtractor, JwtVerifierOptions } from './extractors/index.js';
export { requireActiveSession, getSessionAuth } from './express/require-active-session.js';
export type { RequireActiveSessionOptions, ExpressRejectHandler, ExpressAppId } from './express/require-active-session.js';
