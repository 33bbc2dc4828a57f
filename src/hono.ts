/**
 * `genauth-session-guard/hono`: the Hono middleware (`requireActiveSession`), `getSessionAuth`, a webhook handler,
 * with the guard, the extractors and the errors of the main entry point re-exported for Hono apps.
 * @packageDocumentation
 * @module genauth-session-guard/hono
 */
export { requireActiveSession } from './hono/require-active-session';
export type { RequireActiveSessionOptions, HonoRejectHandler, HonoAppId, SessionVariables } from './hono/require-active-session';
export { getSessionAuth } from './hono/session-auths';
export { genauthWebhook } from './hono/genauth-webhook';
export type { GenAuthWebhookOptions } from './webhook/webhook-handler';
export * from './core/public-surface';
