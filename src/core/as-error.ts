import { types } from 'node:util';

/**
 * What the adapters hand to the app's error handling for anything thrown that is not a refusal: an `Error` as it
 * is; anything else (`undefined`, `null`, `''`, `'route'`, `'router'`, a plain object) wrapped in an `Error` that
 * keeps it as `cause`. Express reads a falsy `next(value)` as "go on" and `next('route')` as "skip this route",
 * and Koa ignores a thrown `null`: either would let the request past the guard.
 */
export function asError(value: unknown): Error {
  if (value instanceof Error || types.isNativeError(value)) return value as Error;
  // The value is not echoed in the message: it came from application code and may hold anything.
  return new Error(`genauth-session-guard: the route threw a value that is not an Error (${value === null ? 'null' : typeof value}); it is kept as \`cause\`.`, { cause: value });
}
