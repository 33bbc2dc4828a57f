import { InvalidTokenError } from '../core/errors';
import type { RequestLike } from '../core/types';

/**
 * The value of cookie `name` in the request's `Cookie` header, or `undefined` when it is not there.
 *
 * Parses the header the way RFC 6265 §5.4 and browsers write it: pairs separated by `;`, names and values
 * trimmed, pairs without `=` skipped, names compared case-sensitively. The first pair with the name wins.
 * A value in double quotes loses them; a value containing `%` is percent-decoded, and a decoding error throws
 * an `InvalidTokenError`. Several `Cookie` headers are read as one.
 */
export function readCookie(req: RequestLike, name: string): string | undefined {
  const raw = req.headers.cookie;
  if (raw === undefined) return undefined;
  const headerValue = Array.isArray(raw) ? raw.join('; ') : raw;
  if (typeof headerValue !== 'string') return undefined;
  for (const pair of headerValue.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    if (pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!value.includes('%')) return value;
    try {
      return decodeURIComponent(value);
    } catch {
      throw new InvalidTokenError(`The ${name} cookie is not correctly percent-encoded.`);
    }
  }
  return undefined;
}
