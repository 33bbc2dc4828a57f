import type { Context } from 'hono';
import type { SessionAuth } from '../core/types';

/**
 * Where the guard keeps what it let through besides `c.var.auth`, out of reach of a middleware that sets `auth` after
 * it: a second variable of the context under a registered symbol (an ESM and a CJS copy of the package read what
 * either set). Hono keeps variables in a Map per context: nothing outlives the request, and no process-wide WeakMap
 * (whose entries the collector treats as ephemerons) is touched per request.
 */
const SESSION_AUTH: unique symbol = Symbol.for('genauth-session-guard.honoSessionAuth') as never;

type SymbolVariables = { set(key: symbol, value: unknown): void; get(key: symbol): unknown };

/** Keeps `auth` on `c` for {@link getSessionAuth}. */
export function keepSessionAuth(c: Context, auth: SessionAuth): void {
  (c as unknown as SymbolVariables).set(SESSION_AUTH, auth);
}

/**
 * What `requireActiveSession` let through for this request, typed, even if another middleware set `auth` after
 * it; `undefined` for a request the guard did not pass (or a value that is not a context).
 */
export function getSessionAuth(c: Context): SessionAuth | undefined {
  if (typeof c !== 'object' || c === null || typeof (c as { get?: unknown }).get !== 'function') return undefined;
  return (c as unknown as SymbolVariables).get(SESSION_AUTH) as SessionAuth | undefined;
}
