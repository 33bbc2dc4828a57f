/**
 * `genauth-session-guard`: Express middleware (`requireActiveSession`) and the framework-free guard
 * (`createSessionGuard`) that refuse a request unless GenAuth confirms the caller still holds a live session in
 * the application; the identity extractors; the errors; the diagnostics channels.
 * @packageDocumentation
 * @module genauth-session-guard
 */
export { createSessionGuard } from './core/session-guard';
export type { SessionGuard, SessionGuardStats, SessionGuardHealth, AuthenticateOptions, AuthorizationCheckOptions } from './core/session-guard';
export { GuardNotReadyError } from './core/not-ready-error';
export type { GuardNotReadyReason } from './core/not-ready-error';
export type { ReadyOptions } from './core/readiness';
export type { HealthFailure, HealthFailureKind } from './core/upstream-health';
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
  CommonGuardOptions,
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
  InvalidAppIdError,
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
export { subscribe } from './core/subscribe';
export type { ChannelMessages, ChannelName } from './core/subscribe';
export type { DecisionEvent, CacheEvent, UpstreamEvent, WebhookEvent } from './core/events';
export type { UpstreamAttempt, BreakerEndpoint } from './client/genauth-client';
export type { UpstreamFailureKind } from './client/upstream-error';
export type { CircuitBreakerOptions } from './client/circuit-breaker';
export { closeDefaultGuard } from './core/default-guard';
export type { SharedGuardRouteOptions, WithoutGuardOptions } from './core/route-options';
export { bearerJwt, header, cookie, firstOf, WARM_UP } from './extractors/index';
export type { BearerJwtOptions, HeaderOptions, CookieOptions, ExtractContext, ContextualIdentityExtractor, JwtVerifierOptions, VerifiedTokenCacheOptions, WarmUp } from './extractors/index';
export { requireActiveSession, getSessionAuth } from './express/require-active-session';
export type { RequireActiveSessionOptions, ExpressRejectHandler, ExpressAppId } from './express/require-active-session';
export { genauthWebhook } from './express/genauth-webhook';
export { createGenAuthWebhookHandler } from './webhook/webhook-handler';
export type { GenAuthWebhookOptions, WebhookRequest, WebhookAnswer } from './webhook/webhook-handler';
export type { GenAuthWebhookEvent } from './webhook/webhook-event';
export type { WebhookOutcome, WebhookOutcomeKind, WebhookRejection } from './webhook/webhook-outcome';
export type { WebhookRefusalCause } from './webhook/webhook-refusal';
export { WEBHOOK_SECRET_HEADERS } from './webhook/webhook-secret';
export type { WebhookHeaders } from './webhook/webhook-secret';
