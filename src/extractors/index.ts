export type { ContextualIdentityExtractor, ExtractContext } from './extract-context';
export type { JwtVerifierOptions } from './jwt-verifier';
export type { VerifiedTokenCacheOptions } from './verified-token-cache';
export { bearerJwt, type BearerJwtOptions } from './bearer-jwt';
export { header, type HeaderOptions } from './header';
export { cookie, type CookieOptions } from './cookie';
export { firstOf } from './first-of';
export { WARM_UP, type WarmUp } from './warm-up';
