import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { authenticateRequest, bearerJwt, cookie, createSessionGuard, header, type SessionGuard } from '../../src/web';
import type { RequestLike } from '../../src/core/types';

const APP = 'app-1';

let fake: FakeGenAuth;
let guard: SessionGuard;

beforeEach(async () => {
  fake = await createFakeGenAuth();
  guard = createSessionGuard({
    host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, retries: 0,
    identity: bearerJwt({ issuer: fake.issuer, audience: APP }),
  });
});
afterEach(async () => {
  await guard.close();
  await fake.close();
});

const get = (headers: ConstructorParameters<typeof Headers>[0] = {}) => new Request('https://api.example/admin', { headers });

describe('authenticateRequest', () => {
  it('resolves { auth } for a live session, from the cache the second time; a kicked user gets { response } 401', async () => {
    const token = await fake.login('alice', APP);
    const first = await authenticateRequest(get({ authorization: `Bearer ${token}` }), APP, { guard });
    expect(first.response).toBeUndefined();
    expect(first.auth).toMatchObject({ userId: 'alice', appId: APP, session: { active: true, source: 'upstream' } });
    const second = await authenticateRequest(get({ authorization: `Bearer ${token}` }), APP, { guard });
    expect(second.auth?.session.source).toBe('cache');
    expect(fake.calls.check).toBe(1);
    fake.kick('alice');
    guard.invalidate('alice');
    const { auth, response } = await authenticateRequest(get({ authorization: `Bearer ${token}` }), APP, { guard });
    expect(auth).toBeUndefined();
    expect(response!.status).toBe(401);
    expect(await response!.json()).toEqual({ error: 'session_inactive', message: expect.any(String) });
  });

  it('a refusal is a Response with the status, WWW-Authenticate, content type and JSON body of the Express answer', async () => {
    const { response } = await authenticateRequest(get(), APP, { guard });
    expect(response!.status).toBe(401);
    expect(response!.headers.get('www-authenticate')).toBe(`Bearer realm="${APP}"`);
    expect(response!.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response!.json()).toEqual({ error: 'missing_credentials', message: 'No credentials were sent.' });
  });

  it('503 with Retry-After when GenAuth cannot answer', async () => {
    const token = await fake.login('alice', APP);
    fake.fault({ kind: 'http-status', status: 502 });
    const { response } = await authenticateRequest(get({ authorization: `Bearer ${token}` }), APP, { guard });
    expect(response!.status).toBe(503);
    expect(response!.headers.get('retry-after')).toBe('1');
    expect(response!.headers.get('www-authenticate')).toBeNull();
    expect(((await response!.json()) as { error: string }).error).toBe('session_check_unavailable');
  });

  it('403 insufficient_permission for a missing role, 200 once assigned', async () => {
    const token = await fake.login('alice', APP);
    const options = { guard, roles: ['admin'] };
    const { response } = await authenticateRequest(get({ authorization: `Bearer ${token}` }), APP, options);
    expect(response!.status).toBe(403);
    expect(response!.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    fake.assignRole('alice', 'admin');
    guard.invalidate('alice');
    expect((await authenticateRequest(get({ authorization: `Bearer ${token}` }), APP, options)).auth?.authorization).toBeDefined();
  });

  it('a repeated Authorization header is refused (Headers joins it with ", "); GenAuth is not asked', async () => {
    const token = await fake.login('alice', APP);
    const headers = new Headers();
    headers.append('authorization', `Bearer ${token}`);
    headers.append('Authorization', `Bearer ${token}`);
    const { response } = await authenticateRequest(get(headers), APP, { guard });
    expect(response!.status).toBe(401);
    expect(await response!.json()).toEqual({ error: 'invalid_token', message: 'The authorization header was sent more than once.' });
    expect(fake.calls.check).toBe(0);
  });

  it('a blank appId is a 400 invalid_app_id response; an appId that is not a string rejects with a TypeError', async () => {
    const { response } = await authenticateRequest(get(), ' ', { guard });
    expect(response!.status).toBe(400);
    expect(((await response!.json()) as { error: string }).error).toBe('invalid_app_id');
    await expect(authenticateRequest(get(), undefined as never, { guard })).rejects.toThrow(TypeError);
  });

  it.each<[string, () => unknown, RegExp]>([
    ['an unknown key', () => ({ guard, role: ['admin'] }), /unknown option "role" in authenticateRequest options; did you mean "roles"\?/],
    ['a guard option', () => ({ guard, cache: { ttlMs: 1 } }), /unknown option "cache" in authenticateRequest options/],
    ['no guard', () => ({}), /needs `guard`/],
    ['no options', () => undefined, /needs options with `guard`/],
    ['a malformed role', () => ({ guard, roles: [] }), /roles/],
  ])('%s: rejects with a TypeError, GenAuth not asked', async (_label, optionsOf, message) => {
    const options = optionsOf();
    const token = await fake.login('alice', APP);
    const refused = authenticateRequest(get({ authorization: `Bearer ${token}` }), APP, options as never);
    await expect(refused).rejects.toThrow(TypeError);
    await expect(authenticateRequest(get(), APP, options as never)).rejects.toThrow(message);
    expect(fake.calls.check).toBe(0);
  });

  it.each([undefined, null, {}, 'https://api.example/admin', { headers: {} }])('a request that is not a Request (%p) rejects with a TypeError', async (value) => {
    await expect(authenticateRequest(value as never, APP, { guard })).rejects.toThrow(/needs a Web `Request`/);
  });

  it('whatever a guard of your own rejects with that is not a refusal rejects, as an Error keeping it as cause', async () => {
    const thrown = { reason: 'not an Error' };
    const own: SessionGuard = { ...guard, authenticate: () => Promise.reject(thrown) };
    const rejected = authenticateRequest(get(), APP, { guard: own });
    await expect(rejected).rejects.toThrow(/not an Error/);
    await rejected.catch((error: Error) => expect(error.cause).toBe(thrown));
  });

  it('header() and cookie() read the Web headers; the view is read-only, lower-case, lists its keys', async () => {
    await fake.login('alice', APP);
    const byHeader = await authenticateRequest(get({ 'X-User-Id': 'alice' }), APP, { guard, identity: header('x-user-id') });
    expect(byHeader.auth?.userId).toBe('alice');
    const byCookie = await authenticateRequest(get([['cookie', 'a=1'], ['cookie', 'uid=alice']]), APP, {
      guard, identity: (req) => {
        const value = cookie('uid')(req);
        return value;
      },
    });
    expect(byCookie.auth?.userId).toBe('alice');
    let seen: RequestLike | undefined;
    await authenticateRequest(get({ 'x-one': '1', accept: 'a, b' }), APP, { guard, identity: (req) => { seen = req; return undefined; } });
    expect(Object.keys(seen!.headers).sort()).toEqual(['accept', 'x-one']);
    expect(seen!.headers['x-one']).toBe('1');
    expect(seen!.headers.accept).toEqual(['a', 'b']);
    expect(seen!.headers['no such header']).toBeUndefined();
    expect(() => { 'use strict'; (seen!.headers as Record<string, string>)['x-one'] = '2'; }).toThrow(TypeError);
    expect(seen!.method).toBe('GET');
  });
});
