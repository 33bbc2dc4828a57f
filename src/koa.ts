/**
 * `genauth-session-guard/koa`: the Koa middleware (`requireActiveSession`), with the guard, the extractors and the
 * errors of the main entry point re-exported for Koa apps.
 * @packageDocumentation
 * @module genauth-session-guard/koa
 */
export { requireActiveSession } from './koa/require-active-session';
export type { RequireActiveSessionOptions, KoaRejectHandler, KoaAppId, SessionState } from './koa/require-active-session';
export { genauthWebhook } from './koa/genauth-webhook';
export { createGenAuthWebhookHandler } from './webhook/webhook-handler';
export type { GenAuthWebhookOptions } from './webhook/webhook-handler';
export * from './core/public-surface';
