import { types } from 'node:util';
import { asError } from '../core/as-error';

/**
 * What the Hono adapter throws for anything that is not a refusal: an `Error` of this realm as it is, anything else
 * wrapped (kept as `cause`). Hono hands a thrown value to the app's `onError` only if it is `instanceof Error` in
 * Hono's own realm: a native error of another realm (a `vm` context, Jest's module sandbox, another frame) would
 * escape it, a bare 500 on `@hono/node-server` and a rejected `app.request()`.
 */
export function asHonoError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (types.isNativeError(value)) {
    return new Error(`genauth-session-guard: the route threw an Error of another realm (${(value as Error).name}), which Hono's onError would not receive; it is kept as \`cause\`.`, { cause: value });
  }
  return asError(value);
}
