import { InvalidTokenError } from '../core/errors';
import type { RequestLike } from '../core/types';

/**
 * Node's `IncomingMessage.headersDistinct` (Node 18.3+, so Express's `req` and Koa's `ctx.req`): every header
 * as an array of the values actually sent. `headers` joins a repeated custom header with `, ` and keeps only the
 * first of a repeated `authorization`, hiding the repetition; this view shows it.
 */
function distinctValues(req: RequestLike, name: string): string[] | undefined {
  const distinct = (req as { headersDistinct?: unknown }).headersDistinct;
  if (typeof distinct !== 'object' || distinct === null) return undefined;
  const values = (distinct as Record<string, unknown>)[name];
  return Array.isArray(values) ? (values as string[]) : undefined;
}

/**
 * The single value of header `name` (lower-case), or `undefined` when the request does not carry it. Throws an
 * `InvalidTokenError` when the header was sent more than once (an array value, or several values in Node's
 * `headersDistinct`): which one counts would be a guess.
 */
export function readSingleHeader(req: RequestLike, name: string): string | undefined {
  const raw = req.headers[name];
  if (raw === undefined) return undefined;
  const distinct = distinctValues(req, name);
  const repeated = (Array.isArray(raw) && raw.length !== 1) || (distinct !== undefined && distinct.length > 1);
  if (repeated) throw new InvalidTokenError(`The ${name} header was sent more than once.`);
  const value: unknown = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string') throw new InvalidTokenError(`The ${name} header is malformed.`);
  return value;
}
