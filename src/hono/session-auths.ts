import type { Context } from 'hono';
import type { SessionAuth } from '../core/types';

/**
 * What the guard let through, by context, besides `c.var.auth`: out of reach of a middleware that sets `auth` after
 * it. One map per process, found through a registered symbol, so that an ESM and a CJS copy of the package read
 * what either set.
 */
export const SESSION_AUTHS: WeakMap<object, SessionAuth> = sharedMap();

function sharedMap(): WeakMap<object, SessionAuth> {
  const key = Symbol.for('genauth-session-guard.honoSessionAuths');
  const registry = globalThis as unknown as Record<symbol, unknown>;
  const existing = registry[key];
  if (existing instanceof WeakMap) return existing as WeakMap<object, SessionAuth>;
  const created = new WeakMap<object, SessionAuth>();
  try {
    Object.defineProperty(globalThis, key, { value: created, configurable: false, enumerable: false, writable: false });
  } catch {
    // Something else holds the key: this copy keeps its own map.
  }
  return created;
}

/**
 * What `requireActiveSession` let through for this request, typed, even if another middleware set `auth` after
 * it; `undefined` for a request the guard did not pass (or a value that is not a context).
 */
export function getSessionAuth(c: Context): SessionAuth | undefined {
  return SESSION_AUTHS.get(c);
}
