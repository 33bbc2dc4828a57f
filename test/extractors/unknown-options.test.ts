/**
 * Extractor options fail closed (issue 18, item 4): `requiredClaim: ['exp']` or `tokenCache: { maxAge }` used to be
 * ignored. Every factory throws a TypeError naming the unknown key and the key meant, never a value.
 */
import { bearerJwt, cookie, header } from '../../src/index';

const SECRET = 'hs256-secret-that-must-not-leak-0123456789';
const jwt = { secret: SECRET, issuer: 'https://example.genauth.ai/oidc', audience: 'app-1' };

function factoryError(create: () => unknown): TypeError {
  let caught: unknown;
  try {
    create();
  } catch (error) {
    caught = error;
  }
  if (!(caught instanceof TypeError)) throw new Error(`expected a TypeError, got ${String(caught)}`);
  expect(caught.message).not.toContain(SECRET);
  return caught;
}

describe('extractor factories reject unknown option keys', () => {
  it.each<[string, () => unknown, string]>([
    ['bearerJwt: requiredClaim', () => bearerJwt({ ...jwt, requiredClaim: ['exp'] } as never), 'unknown option "requiredClaim" in bearerJwt options; did you mean "requiredClaims"?'],
    ['bearerJwt: audiance', () => bearerJwt({ secret: SECRET, audience: 'app-1', audiance: 'app-2' } as never), 'unknown option "audiance" in bearerJwt options; did you mean "audience"?'],
    ['bearerJwt: clockTolerance', () => bearerJwt({ ...jwt, clockTolerance: 30 } as never), 'unknown option "clockTolerance" in bearerJwt options; did you mean "clockToleranceSec"?'],
    ['bearerJwt: jwks_uri', () => bearerJwt({ ...jwt, secret: undefined, jwks_uri: 'https://example.genauth.ai/jwks' } as never), 'unknown option "jwks_uri" in bearerJwt options; did you mean "jwksUri"?'],
    ['bearerJwt tokenCache: maxAge', () => bearerJwt({ ...jwt, tokenCache: { maxAge: 1_000 } } as never), 'unknown option "maxAge" in bearerJwt `tokenCache`; did you mean "maxAgeMs"?'],
    ['cookie: maxLen', () => cookie('uid', { maxLen: 64 } as never), 'unknown option "maxLen" in cookie options; did you mean "maxLength"?'],
    ['cookie: jwts', () => cookie('id_token', { jwts: jwt } as never), 'unknown option "jwts" in cookie options; did you mean "jwt"?'],
    ['cookie jwt: typ as type', () => cookie('id_token', { jwt: { ...jwt, type: 'at+jwt' } } as never), 'unknown option "type" in cookie: `jwt` options; did you mean "typ"?'],
    ['cookie jwt tokenCache: size', () => cookie('id_token', { jwt: { ...jwt, tokenCache: { size: 5 } } } as never), 'unknown option "size" in cookie: `jwt` `tokenCache`; it takes "max", "maxAgeMs"'],
    ['header: maxLenght', () => header('x-user-id', { maxLenght: 64 } as never), 'unknown option "maxLenght" in header options; did you mean "maxLength"?'],
  ])('%s', (_label, create, message) => {
    expect(factoryError(create).message).toBe(`genauth-session-guard: ${message}`);
  });

  it('the documented keys are accepted', () => {
    expect(() => bearerJwt({ ...jwt, typ: 'at+jwt', algorithms: ['HS256'], clockToleranceSec: 1, userIdClaim: 'sub', maxTokenLength: 4096, clock: Date.now, fetch: undefined, requiredClaims: ['exp'], tokenCache: { max: 10, maxAgeMs: 1_000 } })).not.toThrow();
    expect(() => bearerJwt({ ...jwt, tokenCache: false })).not.toThrow();
    expect(() => cookie('id_token', { jwt, maxLength: 10 })).not.toThrow();
    expect(() => cookie('uid')).not.toThrow();
    expect(() => header('x-user-id', { maxLength: 64 })).not.toThrow();
    expect(() => header('x-user-id')).not.toThrow();
  });
});
