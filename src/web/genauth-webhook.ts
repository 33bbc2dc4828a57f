import { createGenAuthWebhookHandler, type GenAuthWebhookOptions, type WebhookAnswer } from '../webhook/webhook-handler';
import { isWebRequest, requestLikeOf } from './request-view';

/** Receives a delivery from a Web `Request`: its headers as a view, its body read up to `maxBodyBytes`. */
export function createWebWebhookReceiver(options: GenAuthWebhookOptions): (request: Request) => Promise<WebhookAnswer> {
  const receive = createGenAuthWebhookHandler(options);
  return (request) => {
    if (!isWebRequest(request)) return Promise.reject(new TypeError('genauth-session-guard: genauthWebhook needs a Web `Request`.'));
    return receive({ headers: requestLikeOf(request).headers, webStream: request.body });
  };
}

/**
 * A GenAuth webhook receiver for Web-standard servers (a Next.js route handler, `Bun.serve`, `Deno.serve`): give it
 * the delivery's `Request`, send back the `Response` it resolves to. Answers as the Express `genauthWebhook` does:
 * 200 (applied or ignored), 401 (wrong or missing secret; the body is not read), 400 (malformed), 413 (larger than
 * `maxBodyBytes`; the rest is not read). A `TypeError` here without `guard` or `secret`, or with an unknown option.
 * @example
 * ```ts
 * const receive = genauthWebhook({ guard, secret: process.env.GENAUTH_WEBHOOK_SECRET! });
 * export const POST = (request: Request) => receive(request);
 * ```
 */
export function genauthWebhook(options: GenAuthWebhookOptions): (request: Request) => Promise<Response> {
  const receive = createWebWebhookReceiver(options);
  return async (request) => {
    const { status, body } = await receive(request);
    return Response.json(body, { status });
  };
}
