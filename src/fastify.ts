/**
 * `genauth-session-guard/fastify`: the Fastify 5 plugin (`sessionGuard`) and hook (`requireActiveSession`), with the
 * guard, the extractors and the errors of the main entry point re-exported for Fastify apps. `request.auth` and
 * `app.sessionGuard` are typed by declaration merging when this entry point is imported.
 * @packageDocumentation
 * @module genauth-session-guard/fastify
 */
import './fastify/fastify-types';
export { sessionGuard, PLUGIN_NAME } from './fastify/session-guard-plugin';
export type { SessionGuardPluginOptions } from './fastify/session-guard-plugin';
export { requireActiveSession, getSessionAuth } from './fastify/require-active-session';
export type { RequireActiveSessionOptions, FastifyRejectHandler, FastifyAppId, SessionGuardHook } from './fastify/require-active-session';
export type { PluginGuardRouteOptions } from './fastify/route-guard';
export * from './core/public-surface';
