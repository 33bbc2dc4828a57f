/**
 * What every framework entry point (`./koa`, `./nestjs`, `./fastify`, `./hono`, `./web`) re-exports besides its
 * adapter: the guard, the extractors, the errors, the channels. One list, so that the entries cannot drift apart.
 * Imported from the core modules, not from the root entry (which carries the Express adapter).
 */
export { createSessionGuard } from './session-guard';
export type { SessionGuard, SessionGuardHealth } from './session-guard';
export type { SessionGuardOptions } from './guard-options';
export {
  SessionGuardError,
  MissingCredentialsError,
  InvalidTokenError,
  SessionInactiveError,
  InsufficientPermissionError,
  SessionCheckUnavailableError,
  InvalidAppIdError,
  isSessionGuardError,
} from './errors';
export { GuardNotReadyError } from './not-ready-error';
export type { GuardNotReadyReason } from './not-ready-error';
export type { ReadyOptions } from './readiness';
export type { SessionAuth, SessionInfo, IdentityExtractor, Identity } from './types';
export type { AuthorizationOptions, AuthorizationInfo, RoleRequirement, PermissionRequirement } from './authorization-policy';
export { bearerJwt, header, cookie, firstOf } from '../extractors/index';
export { channels } from './events';
export { subscribe } from './subscribe';
