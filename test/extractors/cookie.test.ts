import { SignJWT } from 'jose';
import { InvalidTokenError, SessionCheckUnavailableError } from '../../src/core/errors';
import { cookie } from '../../src/extractors';
import { caught, deadOrigin, expectNoTokenIn, FakeIdp, makeKey, NOW_MS, NOW_SEC, req, signWith, type SigningKey } from './idp-server';

const withCookie = (value: string | string[] | undefined) => req({ cookie: value });

describe('cookie (user id value)', () => {
  const uid = cookie('uid');

  it.each<[string, string | string[] | undefined, string | undefined]>([
    ['no Cookie header', undefined, undefined],
    ['another cookie only', 'session=abc', undefined],
    ['a name that only ends with the name', 'xuid=abc; uidx=def', undefined],
    ['a plain pair', 'uid=user-1', 'user-1'],
    ['a pair among others', 'a=1; uid=user-1; b=2', 'user-1'],
    ['no space after ;', 'a=1;uid=user-1;b=2', 'user-1'],
    ['spaces around = and value', 'a=1;  uid =  user-1  ; b=2', 'user-1'],
    ['the first occurrence', 'uid=first; uid=second', 'first'],
    ['a quoted value', 'uid="user-1"', 'user-1'],
    ['a percent-encoded value', 'uid=user%201%2Fb', 'user 1/b'],
    ['a value containing =', 'uid=a=b', 'a=b'],
    ['pairs without =', 'flag; uid=user-1', 'user-1'],
    ['several Cookie headers', ['a=1', 'uid=user-1'], 'user-1'],
    ['an empty pair list', ';;;', undefined],
  ])('%s', (_label, header, expected) => {
    const identity = uid(withCookie(header));
    expect(identity).toEqual(expected === undefined ? undefined : { userId: expected });
  });

  it('compares names case-sensitively', () => {
    expect(uid(withCookie('UID=user-1'))).toBeUndefined();
  });

  it.each<[string, string]>([
    ['empty', 'uid='],
    ['empty quotes', 'uid=""'],
    ['a bad percent-encoding', 'uid=%E0%A4%A'],
    ['a lone %', 'uid=100%'],
    ['an encoded control character', 'uid=user%0A1'],
    ['too long', `uid=${'u'.repeat(257)}`],
  ])('throws InvalidTokenError for %s', async (_label, header) => {
    const error = await caught(() => uid(withCookie(header)));
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.message).toContain('uid cookie');
  });

  it('honours maxLength', () => {
    expect(cookie('uid', { maxLength: 3 })(withCookie('uid=abc'))).toEqual({ userId: 'abc' });
    expect(() => cookie('uid', { maxLength: 3 })(withCookie('uid=abcd'))).toThrow(InvalidTokenError);
  });

  it.each<[string, unknown, unknown]>([
    ['an empty name', '', undefined],
    ['a name with =', 'a=b', undefined],
    ['a name with ;', 'a;b', undefined],
    ['bad options', 'uid', 'x'],
    ['bad maxLength', 'uid', { maxLength: -1 }],
    ['a jwt option without key source', 'uid', { jwt: {} }],
    ['a jwt option mixing algorithms', 'uid', { jwt: { jwksUri: 'https://x.example/jwks', audience: 'app', algorithms: ['RS256', 'HS256'] } }],
  ])('throws a TypeError at construction for %s', (_label, name, options) => {
    expect(() => cookie(name as string, options as never)).toThrow(TypeError);
  });
});

describe('cookie (JWT value)', () => {
  let idp: FakeIdp;
  let key: SigningKey;

  beforeAll(async () => {
    key = await makeKey('RS256', 'k1');
  });
  beforeEach(async () => {
    idp = await new FakeIdp().start();
    idp.keys = [key.publicJwk];
  });
  afterEach(async () => {
    await idp.stop();
  });

  const options = () => ({ jwt: { issuer: idp.issuer, audience: ({ appId }: { appId: string }) => appId, clock: () => NOW_MS } });
  const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'user-1', iss: idp.issuer, aud: 'app', exp: NOW_SEC + 60, ...extra });

  it('verifies the cookie as a JWT, through discovery, with the route context', async () => {
    const token = await signWith(key, claims());
    const identity = await cookie('id_token', options())(withCookie(`other=1; id_token=${token}`), { appId: 'app' });
    expect(identity).toEqual({ userId: 'user-1', claims: claims() });
    expect(idp.hits).toEqual({ discovery: 1, jwks: 1 });
  });

  it('returns undefined without the cookie', async () => {
    await expect(cookie('id_token', options())(withCookie('a=b'), { appId: 'app' })).resolves.toBeUndefined();
  });

  it('refuses an invalid JWT cookie with InvalidTokenError, without leaking it', async () => {
    const extract = cookie('id_token', options());
    for (const token of [await signWith(key, claims({ exp: NOW_SEC - 60 })), await signWith(key, claims({ aud: 'other' })), 'not-a-jwt']) {
      const error = await caught(() => extract(withCookie(`id_token=${token}`), { appId: 'app' }));
      expect(error).toBeInstanceOf(InvalidTokenError);
      expectNoTokenIn(error, token);
    }
    await expect(extract(withCookie('id_token='), { appId: 'app' })).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses a token over jwt.maxTokenLength', async () => {
    const token = await signWith(key, claims());
    const extract = cookie('id_token', { jwt: { ...options().jwt, maxTokenLength: 100 } });
    const error = await caught(() => extract(withCookie(`id_token=${token}`), { appId: 'app' }));
    expect(error.message).toBe('The token is too long.');
  });

  it('reports unreachable keys as SessionCheckUnavailableError', async () => {
    const issuer = `${await deadOrigin()}/oidc`;
    const token = await signWith(key, claims({ iss: issuer }));
    const error = await caught(() => cookie('id_token', { jwt: { issuer, audience: false, clock: () => NOW_MS } })(withCookie(`id_token=${token}`)));
    expect(error).toBeInstanceOf(SessionCheckUnavailableError);
    expectNoTokenIn(error, token);
  });

  it('verifies HS256 cookies with a secret', async () => {
    const secret = 's'.repeat(32);
    const token = await new SignJWT({ sub: 'u-2' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
    await expect(cookie('t', { jwt: { secret, audience: false } })(withCookie(`t="${token}"`))).resolves.toMatchObject({ userId: 'u-2' });
  });

  it('refuses a JWT cookie holding characters outside the token alphabet (percent-decoded whitespace included)', async () => {
    const secret = 's'.repeat(32);
    const token = await new SignJWT({ sub: 'u-2' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
    const extract = cookie('t', { jwt: { secret, audience: false } });
    // jose alone would accept some of these (atob ignores whitespace); a JWT has none of them.
    for (const value of [`${token}%20`, `${token}%0A`, `${token.slice(0, -4)}%09${token.slice(-4)}`, `${token}%2C`]) {
      const error = await caught(() => extract(withCookie(`t=${value}`)));
      expect(error).toBeInstanceOf(InvalidTokenError);
      expect(String((error as Error).message)).not.toContain(token);
    }
    await expect(extract(withCookie(`t=${token}`))).resolves.toMatchObject({ userId: 'u-2' });
  });
});
