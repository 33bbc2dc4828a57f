import type { Context } from 'hono';
import type { RequestLike } from '../core/types';
import { requestLikeOf } from '../web/request-view';

/** Node's `IncomingMessage`, as `@hono/node-server` passes it in `c.env.incoming`. */
interface IncomingLike extends RequestLike {
  rawHeaders: string[];
}

function isIncoming(value: unknown): value is IncomingLike {
  return typeof value === 'object' && value !== null && Array.isArray((value as IncomingLike).rawHeaders) &&
    typeof (value as IncomingLike).headers === 'object' && (value as IncomingLike).headers !== null;
}

/**
 * The request as the core reads it. On `@hono/node-server`, Node's own `IncomingMessage` (`c.env.incoming`): its
 * `headers` as they are and `rawHeaders` to see a repeated header, without building the Web `Headers` that
 * `c.req.raw.headers` would (the server makes them only when read). Elsewhere (`app.request()`, Bun, Deno, edge
 * runtimes), a view of the Web `Request`.
 */
export function requestOf(c: Context): RequestLike {
  const env: unknown = c.env;
  const incoming = typeof env === 'object' && env !== null ? (env as { incoming?: unknown }).incoming : undefined;
  return isIncoming(incoming) ? incoming : requestLikeOf(c.req.raw);
}
