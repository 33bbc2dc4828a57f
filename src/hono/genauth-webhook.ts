import type { Handler } from 'hono';
import type { GenAuthWebhookOptions } from '../webhook/webhook-handler';
import { createWebWebhookReceiver } from '../web/genauth-webhook';

/**
 * Hono handler receiving GenAuth webhook deliveries (see the Express `genauthWebhook`): mount it on the webhook's
 * path. Reads the body of `c.req.raw` itself (up to `maxBodyBytes`); answers 200, 401, 400 or 413 with a small JSON
 * body. A `TypeError` here without `guard` or `secret`, or with an unknown option.
 * @example
 * ```ts
 * app.post('/hooks/genauth', genauthWebhook({ guard, secret: process.env.GENAUTH_WEBHOOK_SECRET! }));
 * ```
 */
export function genauthWebhook(options: GenAuthWebhookOptions): Handler {
  const receive = createWebWebhookReceiver(options);
  return async function genauthWebhookHandler(c) {
    const { status, body } = await receive(c.req.raw);
    return c.json(body, status);
  };
}
