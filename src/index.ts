export { createSessionGuard } from './core/session-guard';
export type { SessionGuard, SessionGuardStats, AuthenticateOptions } from './core/session-guard';
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
export type { DecisionEvent, CacheEvent, UpstreamEvent, WebhookEvent } from './core/events';
export { closeDefaultGuard } from './core/default-guard';
export type { SharedGuardRouteOptions } from './core/route-options';
export { bearerJwt, header, cookie, firstOf } from './extractors/index';
export type { BearerJwtOptions, HeaderOptions, CookieOptions, ExtractContext, ContextualIdentityExtractor, JwtVerifierOptions } from './extractors/index';
export { requireActiveSession, getSessionAuth } from './express/require-active-session';
export type { RequireActiveSessionOptions, ExpressRejectHandler, ExpressAppId } from './express/require-active-session';
export { genauthWebhook } from './express/genauth-webhook';
export { createGenAuthWebhookHandler } from './webhook/webhook-handler';
export type { GenAuthWebhookOptions, WebhookRequest, WebhookAnswer } from './webhook/webhook-handler';
export type { GenAuthWebhookEvent } from './webhook/webhook-event';
export type { WebhookOutcome, WebhookOutcomeKind, WebhookRejection } from './webhook/webhook-outcome';
export { WEBHOOK_SECRET_HEADERS } from './webhook/webhook-secret';
