import express from 'express';
import Koa from 'koa';
import {
  bearerJwt,
  InvalidTokenError,
  MissingCredentialsError,
  SessionCheckUnavailableError,
  SessionGuardError,
  SessionInactiveError,
  requireActiveSession,
  type IdentityExtractor,
} from '../../src/index';
import { requireActiveSession as requireActiveSessionKoa } from '../../src/koa';
import { APP, asUser, rejectionOf, startServer, useHarness } from './fixtures';

describe('guard.authenticate (direct use)', () => {
  const h = useHarness();

  it('resolves to the auth a route carries; claims only when the extractor gave some', async () => {
    const { fake, clock } = h();
    const guard = h().guard();
    await fake.login('alice', APP);
    const auth = await guard.authenticate(asUser('alice'), APP);
    expect(auth).toEqual({ userId: 'alice', appId: APP, session: { active: true, source: 'upstream', checkedAt: clock() } });
    expect('claims' in auth).toBe(false);
    expect(await guard.authenticate(asUser('alice'), APP)).toEqual({ userId: 'alice', appId: APP, session: { active: true, source: 'cache', checkedAt: clock() } });
  });

  it('verifies a GenAuth access token with bearerJwt and passes its claims', async () => {
    const { fake, clock } = h();
    const guard = h().guard({ identity: bearerJwt({ issuer: fake.issuer, audience: ({ appId }) => appId, clock }) });
    const token = await fake.login('alice', APP);
    const auth = await guard.authenticate({ headers: { authorization: `Bearer ${token}` } }, APP);
    expect(auth).toMatchObject({ userId: 'alice', appId: APP, claims: { sub: 'alice', aud: APP, iss: fake.issuer } });
    // The same token for another app is not valid there (audience = the route's app id).
    expect(await rejectionOf(guard.authenticate({ headers: { authorization: `Bearer ${token}` } }, 'app-2'))).toBeInstanceOf(InvalidTokenError);
  });

  it('a per-call identity overrides the guard one', async () => {
    const { fake } = h();
    const guard = h().guard();
    await fake.login('bob', APP);
    const fromQuery: IdentityExtractor = () => ({ userId: 'bob' });
    await expect(guard.authenticate(asUser('alice'), APP, { identity: fromQuery })).resolves.toMatchObject({ userId: 'bob' });
  });

  it('refusals are SessionGuardErrors with status, headers for the realm and a JSON body', async () => {
    const { fake } = h();
    const guard = h().guard();
    fake.addUser('bob');
    const missing = await rejectionOf(guard.authenticate({ headers: {} }, APP));
    expect(missing).toBeInstanceOf(MissingCredentialsError);
    expect(missing).toMatchObject({ status: 401, statusCode: 401, expose: true, code: 'missing_credentials', headers: { 'www-authenticate': `Bearer realm="${APP}"` } });
    const inactive = await rejectionOf(guard.authenticate(asUser('bob'), APP));
    expect(inactive).toBeInstanceOf(SessionInactiveError);
    expect(inactive.headers['www-authenticate']).toMatch(/^Bearer realm="app-1", error="invalid_token", error_description="[^"]+"$/);
    expect(JSON.parse(JSON.stringify(inactive))).toEqual({ error: 'session_inactive', message: inactive.message });
  });

  it('a realm with quotes, backslashes or control characters cannot break the header', async () => {
    const guard = h().guard();
    const error = await rejectionOf(guard.authenticate({ headers: {} }, 'a"b\\c X-Injected: 1é'));
    expect(error.headers['www-authenticate']).toBe('Bearer realm="abc X-Injected: 1"');
    // Control characters make the app id unusable: a 400 without any challenge header.
    const invalid = await rejectionOf(guard.authenticate({ headers: {} }, 'a\r\nX-Injected: 1'));
    expect(invalid).toMatchObject({ code: 'invalid_app_id', status: 400, headers: {} });
  });

  describe('whatever an extractor returns or throws ends in a 401 or a 503, never a crash, and GenAuth is not asked', () => {
    const bad: Array<[string, () => unknown, new (...args: never[]) => SessionGuardError]> = [
      ['undefined', () => undefined, MissingCredentialsError],
      ['null', () => null, MissingCredentialsError],
      ['a string', () => 'alice', InvalidTokenError],
      ['{}', () => ({}), InvalidTokenError],
      ['an empty user id', () => ({ userId: '' }), InvalidTokenError],
      ['a numeric user id', () => ({ userId: 42 }), InvalidTokenError],
      ['a user id with a newline', () => ({ userId: 'alice\nbob' }), InvalidTokenError],
      ['a user id with NUL', () => ({ userId: 'alice\u0000' }), InvalidTokenError],
      ['a 257-character user id', () => ({ userId: 'a'.repeat(257) }), InvalidTokenError],
      ['claims that are not an object', () => ({ userId: 'alice', claims: 'x' }), InvalidTokenError],
      ['claims null', () => ({ userId: 'alice', claims: null }), InvalidTokenError],
      ['a thrown Error', () => { throw new Error('boom'); }, InvalidTokenError],
      ['a thrown string', () => { throw 'boom'; }, InvalidTokenError],
      ['a rejected promise', () => Promise.reject(new TypeError('bad')), InvalidTokenError],
      ['a thrown SessionCheckUnavailableError (e.g. JWKS down)', () => { throw new SessionCheckUnavailableError(); }, SessionCheckUnavailableError],
      ['a thrown InvalidTokenError', () => { throw new InvalidTokenError('expired'); }, InvalidTokenError],
    ];
    it.each(bad)('%s', async (_label, extractor, expected) => {
      const { fake } = h();
      const guard = h().guard({ identity: extractor as IdentityExtractor });
      const error = await rejectionOf(guard.authenticate(asUser('alice'), APP));
      expect(error).toBeInstanceOf(expected);
      expect(error.headers).toBeDefined();
      expect(fake.calls.check).toBe(0);
    });
  });

  it('an appId that is not a string is a programming error: a TypeError, not a refusal', async () => {
    const guard = h().guard();
    for (const appId of [undefined, null, 42, {}]) {
      const error = await rejectionOf(guard.authenticate(asUser('alice'), appId as unknown as string));
      expect(error).toBeInstanceOf(TypeError);
    }
  });
});

describe('appId as a function of the request', () => {
  const h = useHarness();

  async function loginAliceInAppAOnly() {
    const { fake } = h();
    await fake.login('alice', 'app-a');
    fake.addUser('alice');
  }

  it('Express: (req) => string', async () => {
    await loginAliceInAppAOnly();
    const guard = h().guard();
    const app = express();
    app.get('/admin/:app', requireActiveSession((req) => String(req.params.app), { guard }), (req, res) => {
      res.json(req.auth);
    });
    const server = await startServer(app);
    h().defer(() => server.close());
    const a = await fetch(`${server.url}/admin/app-a`, { headers: { 'x-user-id': 'alice' } });
    expect(a.status).toBe(200);
    expect((await a.json()) as Record<string, any>).toMatchObject({ userId: 'alice', appId: 'app-a' });
    const b = await fetch(`${server.url}/admin/app-b`, { headers: { 'x-user-id': 'alice' } });
    expect(b.status).toBe(401);
    expect(b.headers.get('www-authenticate')).toMatch(/^Bearer realm="app-b"/);
    expect(((await b.json()) as Record<string, any>).error).toBe('session_inactive');
    expect(h().fake.calls.check).toBe(2);
  });

  it('Koa: (ctx) => string', async () => {
    await loginAliceInAppAOnly();
    const guard = h().guard();
    const app = new Koa();
    const middleware = requireActiveSessionKoa((ctx) => ctx.get('x-app'), { guard });
    app.use(middleware);
    app.use((ctx) => {
      ctx.body = ctx.state.auth;
    });
    const server = await startServer(app.callback());
    h().defer(() => server.close());
    const a = await fetch(server.url, { headers: { 'x-user-id': 'alice', 'x-app': 'app-a' } });
    expect(a.status).toBe(200);
    expect((await a.json()) as Record<string, any>).toMatchObject({ userId: 'alice', appId: 'app-a', session: { active: true } });
    const b = await fetch(server.url, { headers: { 'x-user-id': 'alice', 'x-app': 'app-b' } });
    expect(b.status).toBe(401);
    expect(((await b.json()) as Record<string, any>).error).toBe('session_inactive');
  });
});
