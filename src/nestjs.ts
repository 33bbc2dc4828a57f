/**
 * `genauth-session-guard/nestjs`: the NestJS 11 module (`SessionGuardModule`), guard (`ActiveSessionGuard`) and
 * decorators, on platform-express and platform-fastify, with the guard, the extractors and the errors of the main
 * entry point re-exported for Nest apps.
 * @packageDocumentation
 * @module genauth-session-guard/nestjs
 */
export { SessionGuardModule } from './nestjs/session-guard-module';
export type { SessionGuardModuleAsyncOptions } from './nestjs/session-guard-module';
export type { SessionGuardModuleOptions, NestAppId, NestRequest } from './nestjs/module-options';
export { ActiveSessionGuard } from './nestjs/active-session-guard';
export { Roles, Permissions, Scopes, AppId, Public } from './nestjs/route-decorators';
export type { RouteDecorator } from './nestjs/route-decorators';
export { SessionAuth } from './nestjs/session-auth';
export { SessionRefusedException } from './nestjs/session-refused-exception';
export { SESSION_GUARD_OPTIONS } from './nestjs/tokens';
export * from './core/public-surface';
