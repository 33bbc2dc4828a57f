export { requireActiveSession } from './koa/require-active-session';
export type { RequireActiveSessionOptions, KoaRejectHandler, KoaAppId, SessionState } from './koa/require-active-session';
export {
  createSessionGuard,
  SessionGuardError,
  MissingCredentialsError,
  InvalidTokenError,
  SessionInactiveError,
  InsufficientPermissionError,
  SessionCheckUnavailableError,
  bearerJwt,
  header,
  cookie,
  firstOf,
  channels,
} from './index';
export type {
  SessionGuard,
  SessionGuardOptions,
  SessionAuth,
  SessionInfo,
  IdentityExtractor,
  Identity,
  AuthorizationOptions,
  AuthorizationInfo,
  RoleRequirement,
  PermissionRequirement,
} from './index';
