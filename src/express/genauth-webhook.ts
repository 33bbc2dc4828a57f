import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createGenAuthWebhookHandler, type GenAuthWebhookOptions } from '../webhook/webhook-handler';

/**
 * Express handler receiving GenAuth webhook deliveries: a `kick`, a blocked or deleted user drops that user's cached
 * answers at once (on every replica with a `store`), so the cache TTL becomes the backstop for a lost delivery rather
 * than the revocation delay. Works with or without a body parser before it (`express.json()`,
 * `express.urlencoded()`). Answers 200 (applied or ignored), 401 (wrong or missing secret), 400 (malformed), 413 (too
 * large). Express 4 and 5. A `TypeError` here without `guard` or `secret`.
 * @example
 * ```ts
 * app.post('/hooks/genauth', genauthWebhook({ guard, secret: process.env.GENAUTH_WEBHOOK_SECRET! }));
 * ```
 */
export function genauthWebhook(options: GenAuthWebhookOptions): RequestHandler {
  const receive = createGenAuthWebhookHandler(options);
  return function genauthWebhookHandler(req: Request, res: Response, next: NextFunction): void {
    receive({ headers: req.headers, rawHeaders: req.rawHeaders, body: req.body, stream: req }).then(({ status, body }) => {
      res.status(status).json(body);
    }).catch(next);
  };
}
