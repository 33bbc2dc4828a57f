import { jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { isTrustedTransport } from '../client/host';
import { InvalidTokenError } from '../core/errors';
import { assertKnownKeys, type OptionKeys } from '../core/known-options';
import type { Clock, FetchLike, Identity } from '../core/types';
import type { ExtractContext } from './extract-context';
import { toGuardError } from './jwt-errors';
import { functionOption, positiveIntegerOption } from './options';
import { createRemoteKeyResolver } from './remote-keys';
import { DEFAULT_MAX_USER_ID_LENGTH, requireUserId } from './user-id';
import { VERIFIED_TOKEN_CACHE_OPTION_KEYS, VerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache';
import type { WarmUp } from './warm-up';

/**
 * How a JWT is verified: shared by {@link bearerJwt} and the `jwt` option of {@link cookie}.
 *
 * Exactly one key source: `secret` (HMAC), or remote keys (`jwksUri`, or `issuer` alone, whose OIDC discovery
 * document then gives the JWKS URL).
 *
 * Set `issuer` and `audience`. Without them any token signed by the same keys passes, whichever application
 * or tenant it was issued for: for GenAuth, `issuer` is `https://<app domain>/oidc` and `audience` the app id.
 * `audience` is required (a `TypeError` names it when it is missing, e.g. `process.env.APP_ID` unset); `false`
 * turns the check off explicitly. Any key other than these (`audiance`, `tokenCache: { maxAge }`) is a `TypeError`
 * naming it.
 */
export interface JwtVerifierOptions {
  /**
   * URL of the JSON Web Key Set, e.g. `https://<app domain>/oidc/.well-known/jwks.json`. Fetched on the first
   * token, cached, and refetched for an unknown `kid` at most once every 30 seconds.
   */
  jwksUri?: string;
  /**
   * The required `iss` claim, e.g. `https://<app domain>/oidc`. Given without `jwksUri` or `secret`, the JWKS URL
   * is read from `${issuer}/.well-known/openid-configuration` on the first token (a failed read is retried on the
   * next token; the document's `issuer` must equal this value).
   * @default undefined (the issuer is not checked)
   */
  issuer?: string;
  /**
   * The accepted `aud` value(s): one of them must be in the token. A function receives the route's context (its
   * `appId`) on every call, so one extractor can serve several applications: `({ appId }) => appId`. The guard
   * always passes the context; called without one, a function audience throws a `TypeError`.
   *
   * Required: left out (or `undefined`, as `process.env.APP_ID` when unset), the factory throws a `TypeError`
   * naming `audience`, because a verifier without it passes tokens GenAuth issued for your other applications.
   * `false` is the explicit opt-out: tokens for any audience pass. Use it only when every token the keys sign
   * is meant for this service (a dedicated issuer), never to silence the error.
   */
  audience: string | string[] | ((context: ExtractContext) => string | string[]) | false;
  /**
   * The required `typ` header, e.g. `'at+jwt'` to accept RFC 9068 access tokens only (an id token with the same
   * issuer and audience is then refused). Compared as RFC 8725 says: case-insensitively, `application/` optional
   * (`'at+jwt'` matches `application/at+jwt`). A token without `typ` is refused.
   * @default undefined (`typ` is not checked)
   */
  typ?: string;
  /** The shared secret of HMAC-signed tokens (a GenAuth app secret). Excludes `jwksUri` and issuer discovery. */
  secret?: string | Uint8Array;
  /**
   * The accepted `alg` values. HMAC (`HS*`) and asymmetric algorithms cannot be mixed, and `none` is never
   * accepted.
   * @default ['HS256'] with `secret`, ['RS256'] with remote keys
   */
  algorithms?: string[];
  /**
   * Seconds of leeway for `exp` and `nbf`.
   * @default 5
   */
  clockToleranceSec?: number;
  /**
   * The claim that holds the GenAuth user id. It must be a non-blank string of at most 256 characters without
   * control characters.
   * @default 'sub'
   */
  userIdClaim?: string;
  /**
   * Longer tokens are refused before any work is done on them.
   * @default 8192
   */
  maxTokenLength?: number;
  /**
   * The clock, in milliseconds since the epoch, that `exp` and `nbf` are checked against. For tests.
   * @default Date.now
   */
  clock?: Clock;
  /**
   * The `fetch` used for the JWKS and the discovery document. For tests and proxies.
   * @default globalThis.fetch
   */
  fetch?: FetchLike;
  /**
   * Claims that must be present (whatever their value), e.g. `['exp']` to refuse tokens that never expire.
   * @default []
   */
  requiredClaims?: string[];
  /**
   * Remembers verified tokens (by SHA-256, not the token itself) so a token seen again skips the signature
   * check; `exp`, `nbf` and the audience are still checked on every request. `false` verifies every time.
   * @default { max: 10000, maxAgeMs: 300000 }
   */
  tokenCache?: VerifiedTokenCacheOptions | false;
}

/** The keys of {@link JwtVerifierOptions}: any other is a `TypeError`. */
const JWT_VERIFIER_OPTION_KEYS = {
  jwksUri: true,
  issuer: true,
  audience: true,
  typ: true,
  secret: true,
  algorithms: true,
  clockToleranceSec: true,
  userIdClaim: true,
  maxTokenLength: true,
  clock: true,
  fetch: true,
  requiredClaims: true,
  tokenCache: true,
} as const satisfies OptionKeys<JwtVerifierOptions>;

/**
 * Verifies one token: the identity it carries (synchronously for a remembered token), or a rejected promise.
 * `warmUp` loads remote signing keys now (absent with a `secret`).
 */
export type JwtVerifier = ((token: string, context?: ExtractContext) => Identity | Promise<Identity>) & { warmUp?: WarmUp };

const HMAC_ALGORITHMS = new Set(['HS256', 'HS384', 'HS512']);
const ASYMMETRIC_ALGORITHMS = new Set([
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
  'ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87',
]);

const DEFAULT_CLOCK_TOLERANCE_SEC = 5;
const DEFAULT_MAX_TOKEN_LENGTH = 8192;

/** RFC 6750 `b64token`. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Whether `token` is an RFC 6750 `b64token`, the alphabet of every JWT whatever carries it (a bearer header, a
 * cookie). The verifier checks it before verifying a signature.
 */
export function isB64Token(token: string): boolean {
  return B64TOKEN.test(token);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isAudience(value: unknown): value is string | string[] {
  return nonEmptyString(value) || (Array.isArray(value) && value.length > 0 && value.every(nonEmptyString));
}

function httpUrlOption(value: string, label: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${label} must be an absolute http(s) URL, e.g. 'https://example.genauth.ai/oidc'.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`${label} must be an absolute http(s) URL, e.g. 'https://example.genauth.ai/oidc'.`);
  }
  // Keys fetched over plain http could be swapped by anyone on the path, who could then sign tokens.
  if (!isTrustedTransport(url)) {
    throw new TypeError(`${label} must use https (plain http is accepted for loopback hosts only).`);
  }
  return url;
}

function checkAlgorithms(algorithms: unknown, hmac: boolean, name: string): string[] {
  if (algorithms === undefined) return hmac ? ['HS256'] : ['RS256'];
  if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every((a) => typeof a === 'string')) {
    throw new TypeError(`${name}: \`algorithms\` must be a non-empty array of algorithm names, e.g. ['RS256'].`);
  }
  for (const alg of algorithms as string[]) {
    if (alg.toLowerCase() === 'none') {
      throw new TypeError(`${name}: \`algorithms\` must not contain 'none'; unsigned tokens are never accepted.`);
    }
    if (!HMAC_ALGORITHMS.has(alg) && !ASYMMETRIC_ALGORITHMS.has(alg)) {
      throw new TypeError(
        `${name}: unknown algorithm in \`algorithms\`; use names such as 'RS256', 'ES256', 'PS256', 'EdDSA' or 'HS256'.`,
      );
    }
  }
  const symmetric = (algorithms as string[]).filter((a) => HMAC_ALGORITHMS.has(a));
  if (symmetric.length > 0 && symmetric.length < algorithms.length) {
    throw new TypeError(
      `${name}: \`algorithms\` mixes HMAC (HS*) and asymmetric algorithms, which allows algorithm confusion; ` +
        'list only HS* algorithms with `secret`, or only asymmetric ones with `jwksUri`/`issuer`.',
    );
  }
  if (hmac && symmetric.length === 0) {
    throw new TypeError(`${name}: with \`secret\`, \`algorithms\` must list HMAC algorithms only, e.g. ['HS256'].`);
  }
  if (!hmac && symmetric.length > 0) {
    throw new TypeError(
      `${name}: remote keys (\`jwksUri\`/\`issuer\`) verify asymmetric algorithms only, e.g. ['RS256']; ` +
        'for HMAC tokens set `secret` instead.',
    );
  }
  return [...new Set(algorithms as string[])];
}

/**
 * Builds a JWT verifier. Options are checked now: a misconfiguration throws a `TypeError` saying what to set.
 * The verifier rejects with an `InvalidTokenError` when the token is not acceptable, and with a
 * `SessionCheckUnavailableError` when the signing keys cannot be obtained (JWKS or discovery endpoint down or
 * answering garbage). No message contains the token.
 *
 * @param name Names the public factory in `TypeError` messages.
 * @internal
 */
export function createJwtVerifier(options: JwtVerifierOptions, name = 'bearerJwt'): JwtVerifier {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${name}: options are required; set \`jwksUri\`, \`issuer\` or \`secret\`.`);
  }
  assertKnownKeys(options, JWT_VERIFIER_OPTION_KEYS, `${name} options`);
  const { jwksUri, issuer, audience, secret, requiredClaims, typ } = options;

  if (issuer !== undefined && !nonEmptyString(issuer)) {
    throw new TypeError(`${name}: \`issuer\` must be a non-empty string, e.g. 'https://example.genauth.ai/oidc'.`);
  }
  if (jwksUri !== undefined && !nonEmptyString(jwksUri)) {
    throw new TypeError(`${name}: \`jwksUri\` must be a non-empty URL string.`);
  }
  if (secret !== undefined && !(nonEmptyString(secret) || (secret instanceof Uint8Array && secret.length > 0))) {
    throw new TypeError(`${name}: \`secret\` must be a non-empty string or Uint8Array.`);
  }
  if (secret !== undefined && jwksUri !== undefined) {
    throw new TypeError(`${name}: set either \`secret\` (HMAC) or \`jwksUri\` (remote keys), not both.`);
  }
  if (secret === undefined && jwksUri === undefined && issuer === undefined) {
    throw new TypeError(
      `${name}: no key source; set \`jwksUri\` or \`issuer\` (remote keys, RS256 by default) or \`secret\` (HMAC).`,
    );
  }
  if (audience === undefined) {
    throw new TypeError(
      `${name}: \`audience\` is required (the GenAuth app id, or ({ appId }) => appId); without it tokens issued for ` +
        'your other applications pass. Set `audience: false` to turn the check off on purpose.',
    );
  }
  if (audience !== false && typeof audience !== 'function' && !isAudience(audience)) {
    throw new TypeError(`${name}: \`audience\` must be a non-empty string, a non-empty array of strings, a function, or false.`);
  }
  if (typ !== undefined && !(nonEmptyString(typ) && typ.trim() === typ)) {
    throw new TypeError(`${name}: \`typ\` must be a non-empty header value such as 'at+jwt', or left out.`);
  }
  if (
    requiredClaims !== undefined &&
    !(Array.isArray(requiredClaims) && requiredClaims.every(nonEmptyString))
  ) {
    throw new TypeError(`${name}: \`requiredClaims\` must be an array of claim names, e.g. ['exp'].`);
  }
  const clockToleranceSec = options.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC;
  if (typeof clockToleranceSec !== 'number' || !Number.isFinite(clockToleranceSec) || clockToleranceSec < 0) {
    throw new TypeError(`${name}: \`clockToleranceSec\` must be a finite number of seconds, 0 or more.`);
  }
  const userIdClaim = options.userIdClaim ?? 'sub';
  if (!nonEmptyString(userIdClaim)) {
    throw new TypeError(`${name}: \`userIdClaim\` must be a non-empty claim name, e.g. 'sub'.`);
  }
  const maxTokenLength = positiveIntegerOption(options.maxTokenLength, DEFAULT_MAX_TOKEN_LENGTH, `${name}: \`maxTokenLength\``);
  functionOption(options.clock, `${name}: \`clock\``);
  functionOption(options.fetch, `${name}: \`fetch\``);
  const algorithms = checkAlgorithms(options.algorithms, secret !== undefined, name);

  let key: Uint8Array | JWTVerifyGetKey;
  let warmUp: WarmUp | undefined;
  if (secret !== undefined) {
    key = typeof secret === 'string' ? new TextEncoder().encode(secret) : new Uint8Array(secret);
  } else if (jwksUri !== undefined) {
    const resolver = createRemoteKeyResolver({ jwksUri: httpUrlOption(jwksUri, `${name}: \`jwksUri\``) }, options.fetch);
    key = resolver;
    warmUp = resolver.warmUp;
  } else {
    httpUrlOption(issuer!, `${name}: \`issuer\` (used for OIDC discovery)`);
    const resolver = createRemoteKeyResolver({ issuer: issuer! }, options.fetch);
    key = resolver;
    warmUp = resolver.warmUp;
  }
  const clock = options.clock;
  const fixedAudience = typeof audience === 'function' || audience === false
    ? undefined
    : Array.isArray(audience) ? [...audience] : audience;
  const claimsToRequire = requiredClaims === undefined ? undefined : [...requiredClaims];
  const tokenCacheOptions = options.tokenCache;
  if (tokenCacheOptions !== undefined && tokenCacheOptions !== false && (typeof tokenCacheOptions !== 'object' || tokenCacheOptions === null)) {
    throw new TypeError(`${name}: \`tokenCache\` must be { max, maxAgeMs } or false.`);
  }
  if (tokenCacheOptions) assertKnownKeys(tokenCacheOptions, VERIFIED_TOKEN_CACHE_OPTION_KEYS, `${name} \`tokenCache\``);
  const tokenCache = tokenCacheOptions === false
    ? undefined
    : new VerifiedTokenCache(
        {
          max: positiveIntegerOption(tokenCacheOptions?.max, 10_000, `${name}: \`tokenCache.max\``),
          maxAgeMs: positiveIntegerOption(tokenCacheOptions?.maxAgeMs, 300_000, `${name}: \`tokenCache.maxAgeMs\``),
        },
        options.clock,
        clockToleranceSec,
      );

  const audienceFor = (context: ExtractContext | undefined): string | string[] | undefined => {
    if (typeof audience !== 'function') return fixedAudience;
    if (context === undefined) {
      throw new TypeError(
        `${name}: \`audience\` is a function and needs the route's context, but none was passed. The guard always ` +
          'passes it; when calling the extractor yourself, pass { appId } as the second argument.',
      );
    }
    const value = audience(context);
    if (!isAudience(value)) {
      throw new TypeError(`${name}: the \`audience\` function must return a non-empty string or array of strings.`);
    }
    return value;
  };

  const verifySignature = async (token: string, expectedAudience: string | string[] | undefined, cacheKey: string | undefined): Promise<Identity> => {
    const verifyOptions: JWTVerifyOptions = { algorithms, clockTolerance: clockToleranceSec };
    if (issuer !== undefined) verifyOptions.issuer = issuer;
    if (typ !== undefined) verifyOptions.typ = typ;
    if (expectedAudience !== undefined) verifyOptions.audience = expectedAudience;
    if (clock !== undefined) verifyOptions.currentDate = new Date(clock());
    if (claimsToRequire !== undefined) verifyOptions.requiredClaims = claimsToRequire;

    let payload: Record<string, unknown>;
    try {
      payload = (await jwtVerify(token, key, verifyOptions)).payload;
    } catch (error) {
      throw toGuardError(error);
    }
    const userId = requireUserId(payload[userIdClaim], DEFAULT_MAX_USER_ID_LENGTH, `token's "${userIdClaim}" claim`);
    // Frozen: a remembered identity is shared by every request that presents the same token.
    const identity: Identity = Object.freeze({ userId, claims: Object.freeze(payload) });
    if (cacheKey !== undefined) tokenCache!.set(cacheKey, identity);
    return identity;
  };

  // A remembered token answers synchronously (the hot path: no promise); everything else, failures included,
  // answers with a promise.
  const verifier: JwtVerifier = (token, context) => {
    let expectedAudience: string | string[] | undefined;
    let cacheKey: string | undefined;
    try {
      // The token's form first, before any code of the app's (an `audience` function) runs for it.
      if (typeof token !== 'string' || token.length === 0) throw new InvalidTokenError('The token is empty.');
      if (token.length > maxTokenLength) throw new InvalidTokenError('The token is too long.');
      cacheKey = tokenCache?.keyOf(token);
      const remembered = cacheKey === undefined ? undefined : tokenCache!.find(cacheKey);
      // The alphabet is checked when the token is not remembered only: a remembered token (even one past its time)
      // is the very string that passed this check when it was verified (its SHA-256 is the key).
      if (remembered === undefined && !isB64Token(token)) {
        throw new InvalidTokenError('The token is malformed: a JWT holds only RFC 6750 token characters.');
      }
      expectedAudience = audienceFor(context);
      const identity = remembered === undefined ? undefined : tokenCache!.accept(cacheKey!, remembered, expectedAudience);
      if (identity !== undefined) return identity;
    } catch (error) {
      return Promise.reject(error);
    }
    return verifySignature(token, expectedAudience, cacheKey);
  };
  if (warmUp !== undefined) verifier.warmUp = warmUp;
  return verifier;
}
