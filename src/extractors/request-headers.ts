import { InvalidTokenError } from '../core/errors';
import type { RequestLike } from '../core/types';

/**
 * How many times header `name` was sent, from Node's `IncomingMessage.rawHeaders` (Express's `req`, Koa's
 * `ctx.req`): `headers` joins a repeated custom header with `, ` and keeps only the first of a repeated
 * `authorization`, hiding the repetition. Scanning `rawHeaders` is much cheaper than `headersDistinct`, which Node
 * rebuilds on every read. `undefined` when the request has no `rawHeaders`.
 */
function timesSent(req: RequestLike, name: string): number | undefined {
  const raw = (req as { rawHeaders?: unknown }).rawHeaders;
  if (!Array.isArray(raw)) return undefined;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const header = raw[i];
    // An exact match first: most clients and proxies send lower-case names, and toLowerCase allocates a string.
    if (header === name || (typeof header === 'string' && header.length === name.length && header.toLowerCase() === name)) count++;
  }
  return count;
}

/**
 * The single value of header `name` (lower-case), or `undefined` when the request does not carry it. Throws an
 * `InvalidTokenError` when the header was sent more than once (an array value, or several entries in Node's
 * `rawHeaders`): which one counts would be a guess.
 */
export function readSingleHeader(req: RequestLike, name: string): string | undefined {
  const raw = req.headers[name];
  if (raw === undefined) return undefined;
  const repeated = (Array.isArray(raw) && raw.length !== 1) || (timesSent(req, name) ?? 1) > 1;
  if (repeated) throw new InvalidTokenError(`The ${name} header was sent more than once.`);
  const value: unknown = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string') throw new InvalidTokenError(`The ${name} header is malformed.`);
  return value;
}
