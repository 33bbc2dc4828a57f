import { InvalidTokenError } from '../core/errors';
import { assertKnownKeys, type OptionKeys } from '../core/known-options';
import { readCookie } from './cookie-header';
import type { ContextualIdentityExtractor } from './extract-context';
import { createJwtVerifier, type JwtVerifierOptions } from './jwt-verifier';
import { positiveIntegerOption, tokenNameOption } from './options';
import { DEFAULT_MAX_USER_ID_LENGTH, requireUserId } from './user-id';
import { withWarmUp } from './warm-up';

/** Options of {@link cookie}. */
export interface CookieOptions {
  /**
   * Verify the cookie as a JWT, exactly as {@link bearerJwt} verifies a Bearer token (same options, same
   * errors). Without it the cookie value is taken as the user id itself.
   * @default undefined (the value is the user id)
   */
  jwt?: JwtVerifierOptions;
  /**
   * Without `jwt`: longer values are refused with an `InvalidTokenError`. (With `jwt`, `jwt.maxTokenLength`
   * applies.)
   * @default 256
   */
  maxLength?: number;
}

const COOKIE_OPTION_KEYS = { jwt: true, maxLength: true } as const satisfies OptionKeys<CookieOptions>;

/**
 * Reads the caller's identity from a cookie.
 *
 * - Without `jwt`, the cookie value is the user id: use that only for a cookie that the client cannot forge
 *   (set and signed by a trusted front end that strips client-sent copies), as with {@link header}.
 * - With `jwt`, the value is a JWT verified like {@link bearerJwt}'s.
 *
 * Cookie absent: resolves to `undefined`. Present but empty, badly percent-encoded, too long, with control
 * characters, or a JWT that does not verify: rejects with an `InvalidTokenError`. Signing keys unreachable:
 * `SessionCheckUnavailableError`. The `Cookie` header is parsed here (RFC 6265 pairs split on `;`, first
 * occurrence of the name wins, surrounding double quotes dropped, percent-decoding); no dependency is used.
 *
 * @param name The cookie name, compared case-sensitively. A `TypeError` is thrown now if it is not a valid
 * cookie name (and for an unknown key in `options` or `options.jwt`).
 * @example A GenAuth id token kept in a cookie
 * ```ts
 * const fromCookie = cookie('id_token', {
 *   jwt: { issuer: 'https://example.genauth.ai/oidc', audience: ({ appId }) => appId },
 * });
 * ```
 */
export function cookie(name: string, options: CookieOptions = {}): ContextualIdentityExtractor {
  const cookieName = tokenNameOption(name, 'cookie: `name`');
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('cookie: `options` must be an object, e.g. { jwt: { issuer, audience } }.');
  }
  assertKnownKeys(options, COOKIE_OPTION_KEYS, 'cookie options');
  const maxLength = positiveIntegerOption(options.maxLength, DEFAULT_MAX_USER_ID_LENGTH, 'cookie: `maxLength`');
  const what = `${cookieName} cookie`;
  if (options.jwt !== undefined) {
    const verify = createJwtVerifier(options.jwt, 'cookie: `jwt`');
    const extractor: ContextualIdentityExtractor = async (req, context) => {
      const value = readCookie(req, cookieName);
      if (value === undefined) return undefined;
      if (value.length === 0) throw new InvalidTokenError(`The ${cookieName} cookie is empty.`);
      return verify(value, context);
    };
    return withWarmUp(extractor, verify.warmUp);
  }
  return (req) => {
    const value = readCookie(req, cookieName);
    if (value === undefined) return undefined;
    return { userId: requireUserId(value, maxLength, what) };
  };
}
