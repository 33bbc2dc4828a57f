import { InvalidTokenError } from '../core/errors';
import { isSpaceOrTab, trimWhere } from '../core/trim';

const SPACE = 0x20;
const TAB = 0x09;

/** `value` starts with `Bearer` in any case (ASCII letters only: `| 0x20` lower-cases them and nothing else matches). */
function startsWithBearer(value: string): boolean {
  return (value.charCodeAt(0) | 0x20) === 0x62 && (value.charCodeAt(1) | 0x20) === 0x65 && (value.charCodeAt(2) | 0x20) === 0x61 &&
    (value.charCodeAt(3) | 0x20) === 0x72 && (value.charCodeAt(4) | 0x20) === 0x65 && (value.charCodeAt(5) | 0x20) === 0x72;
}

/**
 * The token of an `Authorization: Bearer <token>` value. `undefined` when there is no value or its scheme is not
 * `Bearer` (compared case-insensitively), so another extractor may handle it. Throws an `InvalidTokenError` when
 * the scheme is `Bearer` but nothing follows it, or it is followed by a tab or other whitespace instead of spaces.
 *
 * The token itself is NOT scanned here (whitespace inside it, characters outside the RFC 6750 alphabet): callers
 * check it with `isB64Token` (jwt-verifier.ts) before anything reads it. `bearerJwt` does so before verifying a signature; a
 * token found in its cache of verified tokens is the very string that passed the check when it was verified.
 * Scanning a 1 KB token on every request was most of the cost of parsing it.
 */
export function parseBearerToken(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const { length } = value;
  // The form every client sends, "Bearer <token>" with one space and nothing around it: no regular expression.
  if (length > 7 && value.charCodeAt(6) === SPACE && startsWithBearer(value)) {
    const first = value.charCodeAt(7);
    const last = value.charCodeAt(length - 1);
    if (first !== SPACE && first !== TAB && last !== SPACE && last !== TAB) {
      return value.slice(7);
    }
  }
  return parseUncommon(value);
}

/** Everything else: surrounding spaces or tabs, several spaces, another scheme, nothing after the scheme. */
function parseUncommon(value: string): string | undefined {
  const trimmed = trimWhere(value, isSpaceOrTab);
  if (trimmed.length === 0) return undefined;
  const schemeEnd = trimmed.search(/\s/);
  const scheme = schemeEnd === -1 ? trimmed : trimmed.slice(0, schemeEnd);
  if (scheme.toLowerCase() !== 'bearer') return undefined;
  const rest = schemeEnd === -1 ? '' : trimmed.slice(schemeEnd);
  const token = rest.replace(/^ +/, '');
  if (token.length === 0) throw new InvalidTokenError('The Bearer credential is empty.');
  if (token === rest || /\s/.test(token)) {
    throw new InvalidTokenError('The Authorization header is malformed; expected "Bearer <token>".');
  }
  return token;
}
