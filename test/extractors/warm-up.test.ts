import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { bearerJwt, cookie, firstOf, header, WARM_UP } from '../../src/index';
import { warmUpOf } from '../../src/extractors/warm-up';
import { SessionCheckUnavailableError } from '../../src/core/errors';

describe('extractor warm-ups', () => {
  let fake: FakeGenAuth;
  beforeEach(async () => {
    fake = await createFakeGenAuth();
  });
  afterEach(() => fake.close());

  it('is the registered symbol, the same in every copy of the package', () => {
    expect(WARM_UP).toBe(Symbol.for('genauth-session-guard.warmUp'));
  });

  it('bearerJwt and cookie({ jwt }) with remote keys have one; a secret, a header or a plain cookie have none', () => {
    expect(warmUpOf(bearerJwt({ issuer: fake.issuer, audience: 'app-1' }))).toEqual(expect.any(Function));
    expect(warmUpOf(bearerJwt({ jwksUri: fake.jwksUri, audience: 'app-1' }))).toEqual(expect.any(Function));
    expect(warmUpOf(cookie('id_token', { jwt: { issuer: fake.issuer, audience: 'app-1' } }))).toEqual(expect.any(Function));
    expect(warmUpOf(bearerJwt({ secret: 'an-app-secret-of-some-length', audience: 'app-1' }))).toBeUndefined();
    expect(warmUpOf(header('x-user-id'))).toBeUndefined();
    expect(warmUpOf(cookie('uid'))).toBeUndefined();
    expect(warmUpOf(firstOf(header('x-user-id'), cookie('uid')))).toBeUndefined();
    expect(Object.keys(bearerJwt({ issuer: fake.issuer, audience: 'app-1' }))).toEqual([]); // not enumerable
  });

  it('loads discovery and the JWKS once; the keys then serve tokens with no further request', async () => {
    const extractor = bearerJwt({ issuer: fake.issuer, audience: 'app-1' });
    await warmUpOf(extractor)!();
    await warmUpOf(extractor)!();
    expect(fake.calls).toMatchObject({ discovery: 1, jwks: 1 });
    const token = await fake.login('alice', 'app-1');
    await expect(extractor({ headers: { authorization: `Bearer ${token}` } }, { appId: 'app-1' })).resolves.toMatchObject({ userId: 'alice' });
    expect(fake.calls).toMatchObject({ discovery: 1, jwks: 1 });
  });

  it('rejects with a SessionCheckUnavailableError and keeps nothing failed: the next warm-up tries again', async () => {
    const extractor = bearerJwt({ jwksUri: fake.jwksUri, audience: 'app-1' });
    fake.fault({ kind: 'http-status', status: 503 }, { endpoint: 'jwks', times: 1 });
    await expect(warmUpOf(extractor)!()).rejects.toBeInstanceOf(SessionCheckUnavailableError);
    await expect(warmUpOf(extractor)!()).resolves.toBeUndefined();
    expect(fake.calls.jwks).toBe(2);
  });

  it('firstOf runs every warm-up, and fails if one fails', async () => {
    const ran: string[] = [];
    const ok = Object.assign(() => undefined, { [WARM_UP]: async () => void ran.push('ok') });
    const failing = Object.assign(() => undefined, { [WARM_UP]: async () => { ran.push('failing'); throw new Error('no'); } });
    await expect(warmUpOf(firstOf(ok, failing, header('x-user-id')))!()).rejects.toThrow('no');
    expect(ran.sort()).toEqual(['failing', 'ok']);
  });
});
