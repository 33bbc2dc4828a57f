import type { Readable } from 'node:stream';
import { assertKnownKeys, type OptionKeys } from '../core/known-options';
import { WEBHOOK_REJECTED, type SessionGuard } from '../core/session-guard';
import { DEFAULT_MAX_WEBHOOK_BODY_BYTES, readWebhookBody } from './webhook-body';
import { toWebhookEvent } from './webhook-event';
import type { WebhookOutcome, WebhookRejection } from './webhook-outcome';
import type { WebhookRefusalCause } from './webhook-refusal';
import { checkWebhookSecret, type WebhookHeaders, type WebhookSecretVerdict } from './webhook-secret';
import { webhookSecretProblem } from './webhook-secret-rule';

/** Options of `genauthWebhook` (Express, Koa) and {@link createGenAuthWebhookHandler}. Any other key is a `TypeError` naming it. */
export interface GenAuthWebhookOptions {
  /** The guard whose cached answers the events drop. Required. */
  guard: SessionGuard;
  /**
   * The secret set on the webhook in the GenAuth console (or `create-webhook`'s `secret`). Required: at least 16
   * characters, no leading or trailing whitespace nor control character (a `TypeError` otherwise, as `webhook register` refuses it).
   * GenAuth sends it back verbatim in `x-authing-webhook-secret`, `x-authing-token` or `x-genauth-token`; a delivery
   * is accepted when at least one of them carries it and none is sent twice. Compared in constant time, never
   * logged, never put in an event or an answer.
   */
  secret: string;
  /**
   * Largest body read, in bytes; a larger one is answered 413.
   * @default 1048576 (1 MiB)
   */
  maxBodyBytes?: number;
  /**
   * With a `store`: how long (ms) the answer waits for the invalidation to reach the store and the other replicas
   * before answering 200 anyway (the store work goes on in the background, and is sent again if the store was down).
   * @default 100
   */
  propagationWaitMs?: number;
}

const WEBHOOK_OPTION_KEYS = { guard: true, secret: true, maxBodyBytes: true, propagationWaitMs: true } as const satisfies OptionKeys<GenAuthWebhookOptions>;

/** A delivery as any framework has it. */
export interface WebhookRequest {
  headers: WebhookHeaders;
  /**
   * Node's `rawHeaders` (`req.rawHeaders`), when the framework has them: a secret header sent twice is refused, and
   * Node joins the two copies into one string in `headers`, so only these show it.
   */
  rawHeaders?: readonly string[];
  /** What a body parser left (`req.body`), if one ran. */
  body?: unknown;
  /** The request stream, read when no body parser ran. */
  stream?: Readable;
  /** A Web `Request`'s body, read when there is neither `body` nor `stream`. */
  webStream?: ReadableStream<Uint8Array> | null;
}

/** The answer to send: status and a small JSON body (never the secret). */
export interface WebhookAnswer {
  status: 200 | 400 | 401 | 413;
  body: { ok: true; eventName: string; outcome: WebhookOutcome['outcome']; propagated: boolean } | { ok: false; error: WebhookRejection; message: string };
}

const UNAUTHENTICATED: WebhookAnswer = {
  status: 401,
  body: { ok: false, error: 'unauthenticated', message: 'The webhook secret is missing or wrong.' },
};

const SECRET_CAUSES: Record<Exclude<WebhookSecretVerdict, 'authentic'>, WebhookRefusalCause> = {
  missing: 'secret-missing',
  wrong: 'secret-wrong',
  repeated: 'secret-repeated',
};

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function wait(promise: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function positiveInteger(value: unknown, name: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < (allowZero ? 0 : 1) || value > 2_147_483_647) {
    throw new TypeError(`genauth-session-guard: genauthWebhook \`${name}\` must be ${allowZero ? 'a non-negative' : 'a positive'} integer.`);
  }
  return value;
}

/**
 * A GenAuth webhook receiver for any framework: give it the request's headers and body (or stream), send back the
 * `{ status, body }` it resolves to. It checks the secret (401, nothing changes), reads the body (JSON or
 * form-encoded, at most `maxBodyBytes`: 413; malformed: 400), applies the event through
 * {@link SessionGuard.applyWebhookEvent} and answers 200 (also for `test` and unknown events, so that GenAuth does
 * not retry them). Never rejects for input. Configuration mistakes throw a `TypeError` here.
 * @example
 * ```ts
 * const receive = createGenAuthWebhookHandler({ guard, secret: process.env.GENAUTH_WEBHOOK_SECRET! });
 * fastify.post('/hooks/genauth', async (request, reply) => {
 *   const { status, body } = await receive({ headers: request.headers, rawHeaders: request.raw.rawHeaders, body: request.body });
 *   return reply.code(status).send(body);
 * });
 * ```
 */
export function createGenAuthWebhookHandler(options: GenAuthWebhookOptions): (request: WebhookRequest) => Promise<WebhookAnswer> {
  if (typeof options !== 'object' || options === null) throw new TypeError('genauth-session-guard: genauthWebhook({ guard, secret }) needs options.');
  assertKnownKeys(options, WEBHOOK_OPTION_KEYS, 'genauthWebhook options');
  const { guard, secret } = options;
  if (typeof guard !== 'object' || guard === null || typeof guard.applyWebhookEvent !== 'function') {
    throw new TypeError('genauth-session-guard: genauthWebhook needs `guard`, a guard from createSessionGuard().');
  }
  if (typeof secret !== 'string' || secret === '') {
    throw new TypeError('genauth-session-guard: genauthWebhook needs `secret`, the secret set on the GenAuth webhook.');
  }
  const problem = webhookSecretProblem(secret);
  if (problem !== undefined) throw new TypeError(`genauth-session-guard: genauthWebhook \`secret\`: the webhook secret ${problem}.`);
  const maxBytes = positiveInteger(options.maxBodyBytes, 'maxBodyBytes', DEFAULT_MAX_WEBHOOK_BODY_BYTES);
  const waitMs = positiveInteger(options.propagationWaitMs, 'propagationWaitMs', 100, true);
  const rejected = (cause: WebhookRefusalCause): void => {
    (guard as Partial<Record<typeof WEBHOOK_REJECTED, (cause: WebhookRefusalCause) => void>>)[WEBHOOK_REJECTED]?.(cause);
  };

  return async function receiveGenAuthWebhook(request: WebhookRequest): Promise<WebhookAnswer> {
    const headers = request?.headers ?? {};
    // The secret first: an unauthenticated body is not even read.
    const verdict = checkWebhookSecret(headers, secret, request?.rawHeaders);
    if (verdict !== 'authentic') {
      rejected(SECRET_CAUSES[verdict]);
      request?.stream?.resume();
      return UNAUTHENTICATED;
    }
    const read = await readWebhookBody({ contentType: single(headers['content-type']), parsed: request.body, stream: request.stream, webStream: request.webStream }, maxBytes);
    const event = read.ok ? toWebhookEvent(read.payload) : undefined;
    if (!event) {
      const status = read.ok ? 400 : read.status;
      const reason: WebhookRejection = status === 413 ? 'too-large' : 'malformed';
      rejected(reason);
      const message = read.ok ? 'The webhook body has no eventName.' : read.message;
      return { status, body: { ok: false, error: reason, message } };
    }
    const outcome = guard.applyWebhookEvent(event);
    const propagated = waitMs === 0 ? false : await wait(outcome.everywhere, waitMs);
    return { status: 200, body: { ok: true, eventName: event.eventName, outcome: outcome.outcome, propagated } };
  };
}
