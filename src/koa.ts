export { requireActiveSession } from './koa/require-active-session';
export type { RequireActiveSessionOptions, KoaRejectHandler, KoaAppId, SessionState } from './koa/require-active-session';
export { genauthWebhook } from './koa/genauth-webhook';
export { createGenAuthWebhookHandler } from './webhook/webhook-handler';
export type { GenAuthWebhookOptions } from './webhook/webhook-handler';
export {
  createSessionGuard,
  SessionGuardError,
  MissingCredentialsError,
  InvalidTokenError,
  SessionInactiveError,
  SessionCheckUnavailableError,
  bearerJwt,
  header,
  cookie,
  firstOf,
  channels,
} from './index';
export type { SessionGuard, SessionGuardOptions, SessionAuth, SessionInfo, IdentityExtractor, Identity } from './index';
