/**
 * `genauth-session-guard/web`: the guard for Web-standard `Request`/`Response` servers (a Next.js route handler,
 * `Bun.serve`, `Deno.serve`): `authenticateRequest` and a webhook receiver, with the guard, the extractors and the
 * errors of the main entry point re-exported.
 * @packageDocumentation
 * @module genauth-session-guard/web
 */
export { authenticateRequest } from './web/authenticate-request';
export type { AuthenticateRequestOptions, AuthenticateRequestResult } from './web/authenticate-request';
export { refusalResponse } from './web/refusal-response';
export { genauthWebhook } from './web/genauth-webhook';
export type { GenAuthWebhookOptions } from './webhook/webhook-handler';
export * from './core/public-surface';
