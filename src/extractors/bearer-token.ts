import { InvalidTokenError } from '../core/errors';

/** RFC 6750 `b64token`. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The token of an `Authorization: Bearer <token>` value. `undefined` when there is no value or its scheme is not
 * `Bearer` (compared case-insensitively), so another extractor may handle it. Throws an `InvalidTokenError` when
 * the scheme is `Bearer` but what follows is not exactly one RFC 6750 token after one or more spaces (empty, several
 * parts, tabs or other whitespace, characters outside the token alphabet).
 */
export function parseBearerToken(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.replace(/^[ \t]+|[ \t]+$/g, '');
  if (trimmed.length === 0) return undefined;
  const schemeEnd = trimmed.search(/\s/);
  const scheme = schemeEnd === -1 ? trimmed : trimmed.slice(0, schemeEnd);
  if (scheme.toLowerCase() !== 'bearer') return undefined;
  const rest = schemeEnd === -1 ? '' : trimmed.slice(schemeEnd);
  const token = rest.replace(/^ +/, '');
  if (token.length === 0) throw new InvalidTokenError('The Bearer credential is empty.');
  if (token === rest || !B64TOKEN.test(token)) {
    throw new InvalidTokenError('The Authorization header is malformed; expected "Bearer <token>".');
  }
  return token;
}
