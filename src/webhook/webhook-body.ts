import type { Readable } from 'node:stream';
import { readCapped } from '../core/read-capped';

/** The largest webhook body read, in bytes. */
export const DEFAULT_MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/**
 * A delivery's body as the framework has it: `parsed` when a body parser already ran (`req.body`: an object, a
 * string or a Buffer), else `stream` (the request itself) to read.
 */
export interface WebhookBodySource {
  /** The `content-type` header. */
  contentType: string | undefined;
  /** What a body parser left (`req.body`, `ctx.request.body`); `undefined` when none ran. */
  parsed?: unknown;
  /** The request stream, read when no parser ran (or it left nothing usable). */
  stream?: Readable;
  /** A Web `Request`'s body (Hono, `Bun.serve`, `Deno.serve`), read when there is no `stream`. */
  webStream?: ReadableStream<Uint8Array> | null;
}

/** What the body turned out to be: the payload object, or the status to answer. */
export type WebhookBodyResult =
  | { ok: true; payload: Record<string, unknown> }
  | { ok: false; status: 400 | 413; message: string };

const TOO_LARGE = { ok: false, status: 413, message: 'The webhook body is too large.' } as const;
const MALFORMED = { ok: false, status: 400, message: 'The webhook body is not a JSON or form-encoded object.' } as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function isForm(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** Reads the stream to its end, keeping at most `limit` bytes; `undefined` past the limit. */
async function readStream(stream: Readable, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of stream) {
    const piece = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += piece.length;
    // Read on to the end so that the answer is not written into a request still being sent.
    if (size > limit) tooLarge = true;
    else chunks.push(piece);
  }
  return tooLarge ? undefined : Buffer.concat(chunks).toString('utf8');
}

/** Reads a Web stream up to `limit` bytes; `undefined` past it (the rest is cancelled, not downloaded). */
async function readWebStream(stream: ReadableStream<Uint8Array>, limit: number): Promise<string | undefined> {
  const bytes = await readCapped(stream, limit);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A form-encoded delivery. GenAuth does not document how it encodes the nested `data` of a form delivery; this
 * assumes `eventName=<name>&data=<JSON text>` (a `data` field holding the JSON object), and also accepts flat fields
 * beside it (`eventName=kick&userId=u1`): a flat field is kept as is, except `data`, which must be JSON.
 */
function fromForm(fields: Record<string, unknown>): Record<string, unknown> | undefined {
  const payload: Record<string, unknown> = { ...fields };
  const { data } = fields;
  if (typeof data === 'string') {
    const parsed = parseJson(data);
    if (!isPlainObject(parsed)) return undefined;
    payload.data = parsed;
  } else if (data !== undefined && !isPlainObject(data)) {
    return undefined;
  }
  return payload;
}

function fromText(text: string, form: boolean): Record<string, unknown> | undefined {
  if (form) {
    const fields: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [name, value] of new URLSearchParams(text)) {
      // A repeated field is ambiguous: refused rather than guessed.
      if (name in fields) return undefined;
      fields[name] = value;
    }
    return fromForm({ ...fields });
  }
  const value = parseJson(text);
  return isPlainObject(value) ? value : undefined;
}

/**
 * Reads a delivery's body: what a body parser left when one ran (an object from `express.json()` or
 * `express.urlencoded()`, a string from `express.text()`, a Buffer from `express.raw()`), else the stream, at most
 * `maxBytes`. JSON or `application/x-www-form-urlencoded`; anything that is not an object is a 400, a body past the
 * limit a 413. Never throws for input.
 */
export async function readWebhookBody(source: WebhookBodySource, maxBytes: number): Promise<WebhookBodyResult> {
  const form = isForm(source.contentType);
  const { parsed } = source;
  let payload: Record<string, unknown> | undefined;
  if (isPlainObject(parsed) && Object.keys(parsed).length > 0) {
    payload = form ? fromForm(parsed) : parsed;
  } else if (typeof parsed === 'string' || Buffer.isBuffer(parsed)) {
    if (Buffer.byteLength(parsed) > maxBytes) return TOO_LARGE;
    payload = fromText(parsed.toString('utf8'), form);
  } else if (source.stream && source.stream.readable && !source.stream.readableEnded) {
    let text: string | undefined;
    try {
      text = await readStream(source.stream, maxBytes);
    } catch {
      return MALFORMED;
    }
    if (text === undefined) return TOO_LARGE;
    payload = fromText(text, form);
  } else if (source.webStream && !source.webStream.locked) {
    let text: string | undefined;
    try {
      text = await readWebStream(source.webStream, maxBytes);
    } catch {
      return MALFORMED;
    }
    if (text === undefined) return TOO_LARGE;
    payload = fromText(text, form);
  }
  return payload === undefined ? MALFORMED : { ok: true, payload };
}
