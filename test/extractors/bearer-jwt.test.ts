import { exportSPKI, generateSecret, importJWK, SignJWT, type CryptoKey } from 'jose';
import { createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { InvalidTokenError, SessionCheckUnavailableError } from '../../src/core/errors';
import type { FetchLike } from '../../src/core/types';
import { bearerJwt, type BearerJwtOptions } from '../../src/extractors';
import {
  b64url,
  caught,
  deadOrigin,
  expectNoTokenIn,
  FakeIdp,
  makeKey,
  NOW_MS,
  NOW_SEC,
  req,
  signWith,
  type SigningKey,
} from './idp-server';

const APP_ID = 'app-123';
let idp: FakeIdp;
let rsa: SigningKey;
let ec: SigningKey;

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa-1');
  ec = await makeKey('ES256', 'ec-1');
});

beforeEach(async () => {
  idp = await new FakeIdp().start();
  idp.keys = [rsa.publicJwk, ec.publicJwk];
});

afterEach(async () => {
  await idp.stop();
});

const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  sub: 'user-1',
  iss: idp.issuer,
  aud: APP_ID,
  iat: NOW_SEC - 10,
  exp: NOW_SEC + 3600,
  ...extra,
});

const remote = (extra: Partial<BearerJwtOptions> = {}): BearerJwtOptions => ({
  jwksUri: idp.jwksUri,
  issuer: idp.issuer,
  audience: APP_ID,
  clock: () => NOW_MS,
  ...extra,
});

const bearer = (token: string) => req({ authorization: `Bearer ${token}` });

/** Runs the extractor and returns the error it rejected with, checking the token is not in it. */
async function refusal(options: BearerJwtOptions, token: string, context = { appId: APP_ID }): Promise<Error> {
  const error = await caught(() => bearerJwt(options)(bearer(token), context));
  expectNoTokenIn(error, token);
  return error;
}

describe('bearerJwt with a JWKS URL', () => {
  it('accepts a valid RS256 token and returns the user id and the verified claims', async () => {
    const token = await signWith(rsa, claims({ scope: 'openid profile' }));
    const identity = await bearerJwt(remote())(bearer(token), { appId: APP_ID });
    expect(identity).toEqual({ userId: 'user-1', claims: claims({ scope: 'openid profile' }) });
    expect(idp.hits.jwks).toBe(1);
  });

  it('accepts ES256 when allowed, and refuses it under the default RS256-only list', async () => {
    const token = await signWith(ec, claims());
    await expect(bearerJwt(remote({ algorithms: ['ES256', 'RS256'] }))(bearer(token), { appId: APP_ID })).resolves.toMatchObject({
      userId: 'user-1',
    });
    const error = await refusal(remote(), token);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.message).toBe('The token algorithm is not accepted.');
  });

  it('reads the Bearer scheme case-insensitively', async () => {
    const token = await signWith(rsa, claims());
    const extract = bearerJwt(remote());
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      // A token verified before answers synchronously: Promise.resolve accepts either.
      await expect(Promise.resolve(extract(req({ authorization: `${scheme} ${token}` }), { appId: APP_ID }))).resolves.toMatchObject({
        userId: 'user-1',
      });
    }
    await expect(Promise.resolve(extract(req({ authorization: `Bearer   ${token}` }), { appId: APP_ID }))).resolves.toBeDefined();
  });

  it('refuses an expired token, honouring the clock tolerance at the boundary', async () => {
    // jose: expired when exp <= now - tolerance. Default tolerance is 5 s.
    const atEdge = await signWith(rsa, claims({ exp: NOW_SEC - 4 }));
    await expect(bearerJwt(remote())(bearer(atEdge), { appId: APP_ID })).resolves.toBeDefined();
    const pastEdge = await signWith(rsa, claims({ exp: NOW_SEC - 5 }));
    const error = await refusal(remote(), pastEdge);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.message).toBe('The token has expired.');
    // With no tolerance, a token expiring right now is expired; a second later it is not.
    const now = await signWith(rsa, claims({ exp: NOW_SEC }));
    await expect(refusal(remote({ clockToleranceSec: 0 }), now)).resolves.toBeInstanceOf(InvalidTokenError);
    const later = await signWith(rsa, claims({ exp: NOW_SEC + 1 }));
    await expect(bearerJwt(remote({ clockToleranceSec: 0 }))(bearer(later), { appId: APP_ID })).resolves.toBeDefined();
  });

  it('uses the injected clock', async () => {
    const token = await signWith(rsa, claims({ exp: NOW_SEC + 60 }));
    await expect(bearerJwt(remote({ clock: () => NOW_MS + 59_000 }))(bearer(token), { appId: APP_ID })).resolves.toBeDefined();
    const error = await refusal(remote({ clock: () => NOW_MS + 70_000 }), token);
    expect(error.message).toBe('The token has expired.');
  });

  it('refuses a token whose nbf is in the future beyond the tolerance', async () => {
    const soon = await signWith(rsa, claims({ nbf: NOW_SEC + 5 }));
    await expect(bearerJwt(remote())(bearer(soon), { appId: APP_ID })).resolves.toBeDefined();
    const later = await signWith(rsa, claims({ nbf: NOW_SEC + 6 }));
    const error = await refusal(remote(), later);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.message).toBe('The token is not valid yet.');
  });

  it('refuses a wrong or missing issuer', async () => {
    const wrong = await signWith(rsa, claims({ iss: 'https://evil.example/oidc' }));
    expect((await refusal(remote(), wrong)).message).toBe('The token issuer is not accepted.');
    const { iss: _iss, ...noIss } = claims();
    const missing = await signWith(rsa, noIss);
    expect((await refusal(remote(), missing)).message).toBe('The token lacks the required "iss" claim.');
  });

  it('refuses a wrong audience and accepts any of a list', async () => {
    const other = await signWith(rsa, claims({ aud: 'other-app' }));
    const error = await refusal(remote(), other);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.message).toBe('The token audience is not accepted.');
    await expect(bearerJwt(remote({ audience: ['x', 'other-app'] }))(bearer(other), { appId: APP_ID })).resolves.toBeDefined();
    const multi = await signWith(rsa, claims({ aud: ['a', APP_ID] }));
    await expect(bearerJwt(remote())(bearer(multi), { appId: APP_ID })).resolves.toBeDefined();
  });

  it('calls an audience function with the route context', async () => {
    const seen: string[] = [];
    const extract = bearerJwt(remote({ audience: ({ appId }) => (seen.push(appId), appId) }));
    const token = await signWith(rsa, claims({ aud: 'app-A' }));
    await expect(extract(bearer(token), { appId: 'app-A' })).resolves.toMatchObject({ userId: 'user-1' });
    const error = await caught(() => extract(bearer(token), { appId: 'app-B' }));
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(seen).toEqual(['app-A', 'app-B']);
  });

  it('throws a clear (non-401) error when an audience function gets no context', async () => {
    const token = await signWith(rsa, claims());
    const error = await caught(() => bearerJwt(remote({ audience: ({ appId }) => appId }))(bearer(token)));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(InvalidTokenError);
    expect(error.message).toMatch(/pass \{ appId \}/);
    const bad = bearerJwt(remote({ audience: () => '' }));
    await expect(bad(bearer(token), { appId: APP_ID })).rejects.toThrow(TypeError);
  });

  it('allows a config without issuer, and without audience when turned off explicitly (documented risk)', async () => {
    const token = await signWith(rsa, claims({ iss: 'anything', aud: 'anything' }));
    const identity = await bearerJwt({ jwksUri: idp.jwksUri, audience: false, clock: () => NOW_MS })(bearer(token));
    expect(identity?.userId).toBe('user-1');
  });

  it("refuses alg 'none'", async () => {
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims())}.`;
    const error = await refusal(remote(), token);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.message).toBe('The token algorithm is not accepted.');
  });

  it('refuses HS256 tokens signed with the RSA public key (algorithm confusion)', async () => {
    const publicKey = await importJWK(rsa.publicJwk, 'RS256');
    const pem = await exportSPKI(publicKey as CryptoKey);
    for (const secretBytes of [Buffer.from(pem), Buffer.from(JSON.stringify(rsa.publicJwk))]) {
      const signingInput = `${b64url({ alg: 'HS256', kid: rsa.kid, typ: 'JWT' })}.${b64url(claims())}`;
      const signature = createHmac('sha256', secretBytes).update(signingInput).digest('base64url');
      const token = `${signingInput}.${signature}`;
      const error = await refusal(remote(), token);
      expect(error).toBeInstanceOf(InvalidTokenError);
      expect((error as InvalidTokenError).code).toBe('invalid_token');
    }
  });

  it('refuses a token signed by an unknown key or with a bad signature', async () => {
    const stranger = await makeKey('RS256', 'rsa-1'); // same kid, other key
    const forged = await signWith(stranger, claims());
    expect((await refusal(remote(), forged)).message).toBe('The token signature is not valid.');
    const unknownKid = await signWith({ ...stranger, kid: 'nobody' }, claims());
    const error = await refusal(remote(), unknownKid);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.message).toBe('The token was signed with an unknown key.');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['a number', 42],
    ['an object', { id: 'x' }],
    ['huge', 'u'.repeat(257)],
    ['with control characters', 'user\n1'],
  ])('refuses a sub that is %s', async (_label, sub) => {
    const token = await signWith(rsa, claims({ sub }));
    const error = await refusal(remote(), token);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.message).toMatch(/^The token's "sub" claim /);
  });

  it('accepts a 256-character sub and reads another claim when userIdClaim is set', async () => {
    const long = await signWith(rsa, claims({ sub: 'u'.repeat(256) }));
    await expect(bearerJwt(remote())(bearer(long), { appId: APP_ID })).resolves.toMatchObject({ userId: 'u'.repeat(256) });
    const custom = await signWith(rsa, claims({ sub: undefined, user_id: 'genauth-7' }));
    await expect(bearerJwt(remote({ userIdClaim: 'user_id' }))(bearer(custom), { appId: APP_ID })).resolves.toMatchObject({
      userId: 'genauth-7',
    });
  });

  it('enforces requiredClaims', async () => {
    const { exp: _exp, ...noExp } = claims();
    const token = await signWith(rsa, noExp);
    await expect(bearerJwt(remote())(bearer(token), { appId: APP_ID })).resolves.toBeDefined();
    expect((await refusal(remote({ requiredClaims: ['exp'] }), token)).message).toBe('The token lacks the required "exp" claim.');
  });

  it('refuses a token over maxTokenLength without fetching keys', async () => {
    const token = await signWith(rsa, claims({ pad: 'x'.repeat(9000) }));
    expect(token.length).toBeGreaterThan(8192);
    const error = await refusal(remote(), token);
    expect(error.message).toBe('The token is too long.');
    expect(idp.hits.jwks).toBe(0);
    const small = await signWith(rsa, claims());
    expect((await refusal(remote({ maxTokenLength: small.length - 1 }), small)).message).toBe('The token is too long.');
    await expect(bearerJwt(remote({ maxTokenLength: small.length }))(bearer(small), { appId: APP_ID })).resolves.toBeDefined();
  });

  it('refuses malformed tokens as invalid_token, never leaking them', async () => {
    const good = await signWith(rsa, claims());
    const [h, p, s] = good.split('.') as [string, string, string];
    const malformed = [
      `${h}.${p}`,
      `${h}.${p}.${s}.${s}`,
      `${h}.${p}.${s}x`,
      `${b64url('not json')}.${p}.${s}`,
      `${h}.${b64url('not json')}.${s}`,
      `${h}.${b64url('[1,2]')}.${s}`,
      'abc',
      `${h}..${s}`,
    ];
    for (const token of malformed) {
      const error = await refusal(remote(), token);
      expect(error).toBeInstanceOf(InvalidTokenError);
    }
  });

  it('maps random garbage to InvalidTokenError only', async () => {
    const extract = bearerJwt(remote());
    await extract(bearer(await signWith(rsa, claims())), { appId: APP_ID }); // warm the key cache
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,200}=*$/),
          fc.tuple(fc.json(), fc.json(), fc.base64String()).map(([a, b, c]) => `${b64url(a)}.${b64url(b)}.${c.replace(/=/g, '')}`),
        ),
        async (token) => {
          const error = await caught(() => extract(bearer(token), { appId: APP_ID }));
          expect(error).toBeInstanceOf(InvalidTokenError);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('bearerJwt header parsing', () => {
  const extract = () => bearerJwt({ secret: 'k'.repeat(32), audience: false });

  it('returns undefined without an Authorization header or with another scheme', async () => {
    for (const authorization of [undefined, '', '   ', 'Basic dXNlcjpwYXNz', 'Token abc', 'Bearerabc.def.ghi', 'DPoP abc']) {
      await expect(extract()(req({ authorization }))).resolves.toBeUndefined();
    }
  });

  it.each([
    ['Bearer'],
    ['Bearer '],
    ['bearer    '],
    ['Bearer a b'],
    ['Bearer a.b.c extra'],
    ['Bearer\ta.b.c'],
    ['Bearer a.b.c\tx'],
    ['Bearer a.b.c\r\nx'],
    ['Bearer a\u0000b'],
    ['Bearer a.b,c'],
    ['Bearer "a.b.c"'],
    ['Bearer a.b.c='.concat('x')],
  ])('refuses %j as invalid_token', async (authorization) => {
    const error = await caught(() => extract()(req({ authorization })));
    expect(error).toBeInstanceOf(InvalidTokenError);
  });

  it('refuses a repeated Authorization header', async () => {
    const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('k'.repeat(32)));
    await expect(extract()(req({ authorization: [`Bearer ${token}`, `Bearer ${token}`] }))).rejects.toBeInstanceOf(InvalidTokenError);
    // As Node delivers it: `headers` keeps the first authorization only, `rawHeaders` shows both.
    const viaNode = { headers: { authorization: `Bearer ${token}` }, rawHeaders: ['Host', 'x', 'Authorization', `Bearer ${token}`, 'authorization', 'Bearer x'] };
    const error = await caught(() => extract()(viaNode));
    expect(error).toBeInstanceOf(InvalidTokenError);
    expectNoTokenIn(error, token);
  });
});

describe('bearerJwt with a secret (HS256)', () => {
  const secret = 'an-app-secret-of-at-least-32-bytes!!';

  it('accepts HS256 tokens signed with the secret and refuses others', async () => {
    const key = new TextEncoder().encode(secret);
    const token = await new SignJWT({ sub: 'user-9', aud: APP_ID }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(NOW_SEC + 60).sign(key);
    const extract = bearerJwt({ secret, audience: APP_ID, clock: () => NOW_MS });
    await expect(extract(bearer(token))).resolves.toMatchObject({ userId: 'user-9', claims: { aud: APP_ID } });
    await expect(bearerJwt({ secret: key, audience: APP_ID, clock: () => NOW_MS })(bearer(token))).resolves.toMatchObject({ userId: 'user-9' });

    const other = await new SignJWT({ sub: 'user-9' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(36)));
    expect((await caught(() => extract(bearer(other)))).message).toBe('The token signature is not valid.');

    const hs512 = await new SignJWT({ sub: 'user-9', aud: APP_ID }).setProtectedHeader({ alg: 'HS512' }).sign(key);
    expect((await caught(() => extract(bearer(hs512)))).message).toBe('The token algorithm is not accepted.');
    await expect(bearerJwt({ secret, audience: APP_ID, algorithms: ['HS512'] })(bearer(hs512))).resolves.toBeDefined();

    const rs = await signWith(rsa, { sub: 'user-9', aud: APP_ID });
    expect((await caught(() => extract(bearer(rs)))).message).toBe('The token algorithm is not accepted.');
  });

  it('works with generated secrets', async () => {
    const key = (await generateSecret('HS256', { extractable: true })) as CryptoKey;
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', key));
    const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256' }).sign(key);
    await expect(bearerJwt({ secret: raw, audience: false })(bearer(token))).resolves.toMatchObject({ userId: 'u' });
  });
});

describe('bearerJwt with OIDC discovery', () => {
  it('finds the JWKS through the discovery document, once, shared by concurrent callers', async () => {
    const extract = bearerJwt({ issuer: idp.issuer, audience: APP_ID, clock: () => NOW_MS });
    expect(idp.hits.discovery).toBe(0); // lazy
    const token = await signWith(rsa, claims());
    const results = await Promise.all(Array.from({ length: 10 }, () => extract(bearer(token), { appId: APP_ID })));
    expect(results.every((r) => r?.userId === 'user-1')).toBe(true);
    await extract(bearer(token), { appId: APP_ID });
    expect(idp.hits).toEqual({ discovery: 1, jwks: 1 });
  });

  it('does not cache a failed discovery: 503-type error first, success once the IdP recovers', async () => {
    const extract = bearerJwt({ issuer: idp.issuer, audience: APP_ID, clock: () => NOW_MS });
    const token = await signWith(rsa, claims());
    for (const mode of ['http500', 'garbage', 'hangup', 'wrong-issuer'] as const) {
      idp.discoveryMode = mode;
      const error = await caught(() => extract(bearer(token), { appId: APP_ID }));
      expect(error).toBeInstanceOf(SessionCheckUnavailableError);
      expect((error as SessionCheckUnavailableError).status).toBe(503);
      expectNoTokenIn(error, token);
    }
    expect(idp.hits.discovery).toBe(4);
    idp.discoveryMode = 'ok';
    await expect(extract(bearer(token), { appId: APP_ID })).resolves.toMatchObject({ userId: 'user-1' });
    expect(idp.hits.discovery).toBe(5);
  });

  it('reports an unreachable issuer as SessionCheckUnavailableError', async () => {
    const issuer = `${await deadOrigin()}/oidc`;
    const token = await signWith(rsa, claims({ iss: issuer }));
    const error = await caught(() => bearerJwt({ issuer, audience: APP_ID, clock: () => NOW_MS })(bearer(token), { appId: APP_ID }));
    expect(error).toBeInstanceOf(SessionCheckUnavailableError);
    expectNoTokenIn(error, token);
  });

  it('uses the injected fetch for discovery and JWKS', async () => {
    const urls: string[] = [];
    const counting: FetchLike = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    const token = await signWith(rsa, claims());
    await bearerJwt({ issuer: idp.issuer, audience: APP_ID, clock: () => NOW_MS, fetch: counting })(bearer(token), { appId: APP_ID });
    expect(urls).toEqual([`${idp.issuer}/.well-known/openid-configuration`, idp.jwksUri]);
  });
});

describe('bearerJwt when the JWKS endpoint fails', () => {
  it('reports a JWKS server that is down as SessionCheckUnavailableError', async () => {
    const token = await signWith(rsa, claims());
    const jwksUri = `${await deadOrigin()}/jwks.json`;
    const error = await caught(() => bearerJwt(remote({ jwksUri }))(bearer(token), { appId: APP_ID }));
    expect(error).toBeInstanceOf(SessionCheckUnavailableError);
    expect(error).not.toBeInstanceOf(InvalidTokenError);
    expectNoTokenIn(error, token);
  });

  it.each(['http500', 'garbage', 'not-a-jwks', 'hangup'] as const)('treats a JWKS answer of kind %s as an outage, not cached', async (mode) => {
    const token = await signWith(rsa, claims());
    const extract = bearerJwt(remote());
    idp.jwksMode = mode;
    const error = await caught(() => extract(bearer(token), { appId: APP_ID }));
    expect(error).toBeInstanceOf(SessionCheckUnavailableError);
    expectNoTokenIn(error, token);
    idp.jwksMode = 'ok';
    await expect(extract(bearer(token), { appId: APP_ID })).resolves.toMatchObject({ userId: 'user-1' });
  });

  it('treats a JWKS member that cannot be imported as an outage', async () => {
    idp.keys = [{ kty: 'RSA', kid: 'rsa-1', alg: 'RS256', n: 'AQAB', e: 'AQAB' }]; // imports, but far too short
    const token = await signWith(rsa, claims());
    const error = await caught(() => bearerJwt(remote())(bearer(token), { appId: APP_ID }));
    expect(error).toBeInstanceOf(SessionCheckUnavailableError);
    idp.keys = [{ kty: 'RSA', kid: 'rsa-1', alg: 'RS256', n: '!!!', e: 'AQAB' }]; // does not import
    const error2 = await caught(() => bearerJwt(remote())(bearer(token), { appId: APP_ID }));
    expect(error2).toBeInstanceOf(SessionCheckUnavailableError);
  });

  it('does not hammer the JWKS endpoint with many random kids', async () => {
    const extract = bearerJwt(remote());
    await extract(bearer(await signWith(rsa, claims())), { appId: APP_ID });
    const stranger = await makeKey('RS256', 'x');
    const tokens = await Promise.all(Array.from({ length: 50 }, () => signWith({ ...stranger, kid: randomUUID() }, claims())));
    const errors = await Promise.all(tokens.map((t) => caught(() => extract(bearer(t), { appId: APP_ID }))));
    expect(errors.every((e) => e instanceof InvalidTokenError)).toBe(true);
    expect(idp.hits.jwks).toBeLessThanOrEqual(2);
  });

  it('fetches the JWKS once for a cold burst of unknown kids', async () => {
    const extract = bearerJwt(remote());
    const stranger = await makeKey('RS256', 'x');
    const tokens = await Promise.all(Array.from({ length: 30 }, () => signWith({ ...stranger, kid: randomUUID() }, claims())));
    await Promise.all(tokens.map((t) => caught(() => extract(bearer(t), { appId: APP_ID }))));
    expect(idp.hits.jwks).toBeLessThanOrEqual(2);
  });
});

describe('bearerJwt configuration', () => {
  const base = { jwksUri: 'https://example.genauth.ai/oidc/.well-known/jwks.json', audience: APP_ID };
  it.each<[string, unknown, RegExp]>([
    ['no options', undefined, /options are required/],
    ['no key source', {}, /set `jwksUri` or `issuer`/],
    ['secret and jwksUri', { ...base, secret: 's' }, /either `secret`/],
    ['empty secret', { secret: '' }, /`secret` must be/],
    ['relative jwksUri', { jwksUri: '/jwks.json', audience: APP_ID }, /`jwksUri` must be an absolute/],
    ['non-http issuer for discovery', { issuer: 'urn:genauth', audience: APP_ID }, /`issuer` \(used for OIDC discovery\)/],
    ['alg none', { ...base, algorithms: ['none'] }, /'none'/],
    ['mixed algorithms', { ...base, algorithms: ['RS256', 'HS256'] }, /mixes HMAC/],
    ['HS with remote keys', { ...base, algorithms: ['HS256'] }, /set `secret` instead/],
    ['RS with secret', { secret: 's', audience: APP_ID, algorithms: ['RS256'] }, /HMAC algorithms only/],
    ['unknown algorithm', { ...base, algorithms: ['RS999'] }, /unknown algorithm/],
    ['empty algorithms', { ...base, algorithms: [] }, /non-empty array/],
    ['bad audience', { ...base, audience: [] }, /`audience` must be/],
    ['negative tolerance', { ...base, clockToleranceSec: -1 }, /`clockToleranceSec`/],
    ['bad maxTokenLength', { ...base, maxTokenLength: 0 }, /`maxTokenLength`/],
    ['empty userIdClaim', { ...base, userIdClaim: '' }, /`userIdClaim`/],
    ['bad fetch', { ...base, fetch: 'nope' }, /`fetch`/],
    ['bad requiredClaims', { ...base, requiredClaims: [1] }, /`requiredClaims`/],
  ])('throws a TypeError at construction for %s', (_label, options, message) => {
    expect(() => bearerJwt(options as BearerJwtOptions)).toThrow(TypeError);
    expect(() => bearerJwt(options as BearerJwtOptions)).toThrow(message);
  });

  it('accepts a secret with an issuer (issuer is then only a claim check, no discovery)', () => {
    expect(() => bearerJwt({ secret: 's', issuer: 'urn:genauth', audience: APP_ID })).not.toThrow();
  });
});
