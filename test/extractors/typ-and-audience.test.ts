import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { InvalidTokenError } from '../../src/core/errors';
import { bearerJwt, cookie, type BearerJwtOptions } from '../../src/extractors';
import { caught, req } from './idp-server';

const APP = 'app-1';
let fake: FakeGenAuth;

beforeAll(async () => {
  fake = await createFakeGenAuth();
});
afterAll(async () => {
  await fake.close();
});

const bearer = (token: string) => req({ authorization: `Bearer ${token}` });
const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'alice', iss: fake.issuer, aud: APP, ...extra });

describe('bearerJwt({ typ }): access tokens only, when asked', () => {
  it.each(['at+jwt', 'application/at+jwt', 'AT+JWT', 'Application/At+Jwt'])('accepts a token whose typ header is %s', async (typ) => {
    const extract = bearerJwt({ issuer: fake.issuer, audience: APP, typ: 'at+jwt' });
    const token = await fake.signToken(claims(), { header: { typ } });
    await expect(extract(bearer(token), { appId: APP })).resolves.toMatchObject({ userId: 'alice' });
  });

  it.each<[string, Record<string, unknown>]>([
    ['an id token (typ JWT), same issuer and audience', { typ: 'JWT' }],
    ['a token without typ', { typ: undefined }],
    ['another type', { typ: 'application/jwt' }],
    ['a look-alike', { typ: 'at+jwt2' }],
  ])('refuses %s: 401 invalid_token, "The token type is not accepted."', async (_label, header) => {
    const extract = bearerJwt({ issuer: fake.issuer, audience: APP, typ: 'at+jwt' });
    const token = await fake.signToken(claims(), { header });
    const error = await caught(() => extract(bearer(token), { appId: APP }));
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.message).toBe('The token type is not accepted.');
    expect(error.message).not.toContain(token);
  });

  it('without typ, any type passes (the default is unchanged)', async () => {
    const extract = bearerJwt({ issuer: fake.issuer, audience: APP });
    for (const typ of ['JWT', 'at+jwt', undefined]) {
      const token = await fake.signToken(claims(), { header: { typ } });
      await expect(extract(bearer(token), { appId: APP })).resolves.toMatchObject({ userId: 'alice' });
    }
  });

  it.each<[string, unknown]>([['an empty', ''], ['a non-string', 42], ['a padded', ' at+jwt']])('%s typ is a TypeError at construction', (_label, typ) => {
    expect(() => bearerJwt({ issuer: fake.issuer, audience: APP, typ: typ as string })).toThrow(TypeError);
    expect(() => bearerJwt({ issuer: fake.issuer, audience: APP, typ: typ as string })).toThrow(/`typ`/);
  });
});

describe('bearerJwt and cookie({ jwt }) require an audience', () => {
  it.each<[string, unknown]>([
    ['left out', undefined],
    ['from an unset environment variable', process.env.GENAUTH_SESSION_GUARD_TEST_UNSET_APP_ID],
  ])('%s: a TypeError at construction naming `audience`', (_label, audience) => {
    const options = { issuer: fake.issuer, audience } as BearerJwtOptions;
    expect(() => bearerJwt(options)).toThrow(TypeError);
    expect(() => bearerJwt(options)).toThrow(/bearerJwt: `audience` is required.*`audience: false`/);
    expect(() => cookie('id_token', { jwt: options })).toThrow(/`audience` is required/);
  });

  it.each<[string, unknown]>([['null', null], ['empty', ''], ['an empty array', []], ['true', true], ['a number', 1]])(
    'an audience that is %s is a TypeError',
    (_label, audience) => {
      expect(() => bearerJwt({ issuer: fake.issuer, audience } as BearerJwtOptions)).toThrow(/`audience` must be/);
    },
  );

  it('a token issued for another app is refused with an audience, and passes only with the explicit audience: false', async () => {
    const token = await fake.login('alice', 'app-2');
    const error = await caught(() => bearerJwt({ issuer: fake.issuer, audience: APP })(bearer(token), { appId: APP }));
    expect(error.message).toBe('The token audience is not accepted.');
    const anyAudience = bearerJwt({ issuer: fake.issuer, audience: false });
    await expect(anyAudience(bearer(token), { appId: APP })).resolves.toMatchObject({ userId: 'alice', claims: { aud: 'app-2' } });
  });
});
