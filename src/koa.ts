export { requireActiveSession } from './koa/require-active-session.js';
export type { RequireActiveSessionOptions, KoaRejectHandler, KoaAppId, SessionState } from './koa/require-active-session.js';
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
} from './index.js';
export type { SessionGuard, SessionGuardOptions, SessionAuth, SessionInfo, IdentityExtractor, Identity } from './index.js';
