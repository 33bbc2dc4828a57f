import type { Middleware } from 'koa';
import { createGenAuthWebhookHandler, type GenAuthWebhookOptions } from '../webhook/webhook-handler';

/**
 * Koa middleware receiving GenAuth webhook deliveries (see the Express `genauthWebhook`): mount it on the webhook's
 * path. Reads `ctx.request.body` when a body parser ran, else the request stream. Koa 2 and 3.
 * @example
 * ```ts
 * router.post('/hooks/genauth', genauthWebhook({ guard, secret: process.env.GENAUTH_WEBHOOK_SECRET! }));
 * ```
 */
export function genauthWebhook(options: GenAuthWebhookOptions): Middleware {
  const receive = createGenAuthWebhookHandler(options);
  return async function genauthWebhookMiddleware(ctx) {
    const parsed = (ctx.request as { body?: unknown }).body;
    const { status, body } = await receive({ headers: ctx.req.headers, rawHeaders: ctx.req.rawHeaders, body: parsed, stream: ctx.req });
    ctx.status = status;
    ctx.body = body;
  };
}
