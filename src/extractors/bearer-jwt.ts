import type { ContextualIdentityExtractor } from './extract-context';
import { createJwtVerifier, type JwtVerifierOptions } from './jwt-verifier';
import { parseBearerToken } from './bearer-token';
import { readSingleHeader } from './request-headers';
import { withWarmUp } from './warm-up';

/**
 * Options of {@link bearerJwt}: how the token is verified. See {@link JwtVerifierOptions} for each field.
 *
 * Set `issuer` and `audience`: without them any token signed by the same keys passes, including tokens GenAuth
 * issued for your other applications. `audience` is required (`false` turns the check off explicitly); `typ:
 * 'at+jwt'` accepts access tokens only.
 */
export interface BearerJwtOptions extends JwtVerifierOptions {}

/**
 * Reads a JWT from `Authorization: Bearer <token>` and verifies it: signature, `exp`/`nbf` (with
 * `clockToleranceSec` of leeway), `iss`, `aud`, required claims and the user id claim.
 *
 * - No `Authorization` header, or a scheme other than `Bearer` (case-insensitive): resolves to `undefined`.
 * - `Bearer` followed by nothing, by several parts or by whitespace garbage; a repeated `Authorization` header;
 *   a token that is too long, badly signed, expired, not yet valid, for another issuer or audience, of another
 *   `typ` (when `typ` is set), or without a usable user id: rejects with an `InvalidTokenError` (401).
 * - The JWKS or discovery endpoint unreachable, slow (5 s) or answering garbage: rejects with a
 *   `SessionCheckUnavailableError` (503), never with a 401; nothing failed is cached, the next request retries.
 *
 * Resolves to `{ userId, claims }`, `claims` being the verified payload; a token verified before (see
 * `tokenCache`) answers synchronously, with no promise. Error messages never contain the token.
 * Options are checked now: a bad configuration or an unknown key throws a `TypeError` saying what to set.
 *
 * Build the extractor once and share it: it holds the key cache. With remote keys it carries a warm-up
 * (`WARM_UP`) that `guard.ready()` calls to load the discovery document and the keys before the first request.
 *
 * @example GenAuth OIDC access tokens (RS256, keys found through discovery)
 * ```ts
 * const fromBearer = bearerJwt({
 *   issuer: 'https://example.genauth.ai/oidc',
 *   audience: ({ appId }) => appId, // or a fixed app id
 * });
 * ```
 * @example An explicit JWKS URL
 * ```ts
 * bearerJwt({
 *   jwksUri: 'https://example.genauth.ai/oidc/.well-known/jwks.json',
 *   issuer: 'https://example.genauth.ai/oidc',
 *   audience: '64f0c0ffee0123456789abcd',
 * });
 * ```
 * @example HS256 id tokens signed with the app secret
 * ```ts
 * bearerJwt({ secret: process.env.GENAUTH_APP_SECRET!, issuer: 'https://example.genauth.ai/oidc', audience: appId });
 * ```
 */
export function bearerJwt(options: BearerJwtOptions): ContextualIdentityExtractor {
  const verify = createJwtVerifier(options, 'bearerJwt');
  const extractor: ContextualIdentityExtractor = (req, context) => {
    let token: string | undefined;
    try {
      token = parseBearerToken(readSingleHeader(req, 'authorization'));
    } catch (error) {
      return Promise.reject(error);
    }
    // A token verified before answers synchronously (the hot path); anything else answers with a promise.
    return token === undefined ? Promise.resolve(undefined) : verify(token, context);
  };
  return withWarmUp(extractor, verify.warmUp);
}
