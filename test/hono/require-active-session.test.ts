import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { Hono } from 'hono';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { bearerJwt, createSessionGuard, header, type SessionGuard } from '../../src/index';
import { getSessionAuth, requireActiveSession, type SessionVariables } from '../../src/hono';
import { viaNodeServer } from '../support/hono-servers';

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

function adminApp(options: Parameters<typeof requireActiveSession>[1], reached = { count: 0 }) {
  const app = new Hono<{ Variables: SessionVariables }>();
  app.get('/admin', requireActiveSession(APP, options), (c) => {
    reached.count++;
    return c.json({ userId: c.var.auth.userId, source: c.var.auth.session.source });
  });
  return app;
}

describe('requireActiveSession (Hono) with app.request()', () => {
  it('passes a live session (c.var.auth), serves the next request from the cache, refuses a kicked user', async () => {
    const reached = { count: 0 };
    const app = adminApp({ guard }, reached);
    const token = await fake.login('alice', APP);
    const headers = { authorization: `Bearer ${token}` };
    const first = await app.request('/admin', { headers });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ userId: 'alice', source: 'upstream' });
    expect(await (await app.request('/admin', { headers })).json()).toEqual({ userId: 'alice', source: 'cache' });
    expect(fake.calls.check).toBe(1);
    fake.kick('alice');
    guard.invalidate('alice');
    const kicked = await app.request('/admin', { headers });
    expect(kicked.status).toBe(401);
    expect(await kicked.json()).toEqual({ error: 'session_inactive', message: expect.any(String) });
    expect(reached.count).toBe(2);
  });

  it('a refusal is the Express answer: status, WWW-Authenticate, JSON { error, message }', async () => {
    const response = await adminApp({ guard }).request('/admin');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${APP}"`);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error: 'missing_credentials', message: 'No credentials were sent.' });
  });

  it('503 with Retry-After when GenAuth cannot answer, and the handler does not run', async () => {
    const reached = { count: 0 };
    const token = await fake.login('alice', APP);
    fake.fault({ kind: 'http-status', status: 502 });
    const response = await adminApp({ guard }, reached).request('/admin', { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as { error: string }).error).toBe('session_check_unavailable');
    expect(reached.count).toBe(0);
  });

  it('a repeated Authorization header (joined with ", " by Headers) is refused, GenAuth not asked', async () => {
    const token = await fake.login('alice', APP);
    const headers = new Headers();
    headers.append('authorization', `Bearer ${token}`);
    headers.append('authorization', `Bearer ${token}`);
    const response = await adminApp({ guard }).request('/admin', { headers });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid_token', message: 'The authorization header was sent more than once.' });
    expect(fake.calls.check).toBe(0);
  });

  it('a repeated user id header of header() is refused too', async () => {
    const app = adminApp({ guard, identity: header('x-user-id') });
    await fake.login('alice', APP);
    const headers = new Headers([['x-user-id', 'alice'], ['x-user-id', 'bob']]);
    const response = await app.request('/admin', { headers });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { message: string }).message).toBe('The x-user-id header was sent more than once.');
    expect((await app.request('/admin', { headers: { 'x-user-id': 'alice' } })).status).toBe(200);
  });

  it("onReject's Response is the answer, and the handler does not run", async () => {
    const reached = { count: 0 };
    const app = adminApp({ guard, onReject: (error, c) => c.json({ custom: error.code }, 418, { 'x-refused': error.code }) }, reached);
    const response = await app.request('/admin');
    expect(response.status).toBe(418);
    expect(response.headers.get('x-refused')).toBe('missing_credentials');
    expect(await response.json()).toEqual({ custom: 'missing_credentials' });
    expect(reached.count).toBe(0);
  });

  it('an onReject that returns no Response is a TypeError for onError, never a pass', async () => {
    const errors: unknown[] = [];
    const reached = { count: 0 };
    const app = adminApp({ guard, onReject: (() => undefined) as never }, reached);
    app.onError((error, c) => {
      errors.push(error);
      return c.json({ appError: true }, 500);
    });
    const response = await app.request('/admin');
    expect(response.status).toBe(500);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).name).toBe('TypeError');
    expect((errors[0] as Error).message).toMatch(/onReject must return a Response/);
    expect(reached.count).toBe(0);
  });

  it('getSessionAuth(c) is what the guard set, even when another middleware sets auth after it', async () => {
    const app = new Hono<{ Variables: SessionVariables }>();
    app.get(
      '/admin',
      requireActiveSession(APP, { guard }),
      async (c, next) => {
        c.set('auth', { userId: 'someone-else' } as never); // as a JWT-only middleware might
        await next();
      },
      (c) => c.json({ guarded: getSessionAuth(c)?.userId, variable: c.var.auth.userId }),
    );
    app.get('/open', (c) => c.json({ auth: getSessionAuth(c) ?? null }));
    const token = await fake.login('alice', APP);
    expect(await (await app.request('/admin', { headers: { authorization: `Bearer ${token}` } })).json())
      .toEqual({ guarded: 'alice', variable: 'someone-else' });
    expect(await (await app.request('/open')).json()).toEqual({ auth: null });
    for (const value of [undefined, null, 0, 'c']) expect(getSessionAuth(value as never)).toBeUndefined();
  });

  it('getSessionAuth of a second copy of the package (ESM and CJS side by side) reads what the first copy set', async () => {
    let second: typeof import('../../src/hono') | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      second = require('../../src/hono') as typeof import('../../src/hono');
    });
    expect(second!.getSessionAuth).not.toBe(getSessionAuth);
    const app = new Hono<{ Variables: SessionVariables }>();
    app.get('/admin', requireActiveSession(APP, { guard }), (c) => c.json({ second: second!.getSessionAuth(c)?.userId ?? null }));
    const token = await fake.login('alice', APP);
    expect(await (await app.request('/admin', { headers: { authorization: `Bearer ${token}` } })).json()).toEqual({ second: 'alice' });
  });

  it('an appId read from the context (a path parameter)', async () => {
    const app = new Hono<{ Variables: SessionVariables }>();
    const guardOfHeader = { guard, identity: header('x-user-id') };
    app.get('/apps/:app/admin', requireActiveSession((c) => c.req.param('app') ?? '', guardOfHeader), (c) => c.json({ appId: c.var.auth.appId }));
    await fake.login('alice', 'app-2');
    expect(await (await app.request('/apps/app-2/admin', { headers: { 'x-user-id': 'alice' } })).json()).toEqual({ appId: 'app-2' });
    expect((await app.request('/apps/app-1/admin', { headers: { 'x-user-id': 'alice' } })).status).toBe(401);
  });
});

describe('requireActiveSession (Hono) options', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['role', { role: ['admin'] }, /unknown option "role" in requireActiveSession options; did you mean "roles"\?/],
    ['a guard option beside guard', { cache: { ttlMs: 1 } }, /unknown option "cache".*is a guard option/],
    ['onReject not a function', { onReject: 'json' }, /`onReject` must be a function/],
  ])('%s: a TypeError when the middleware is built', (_label, extra, message) => {
    expect(() => requireActiveSession(APP, { guard, ...extra } as never)).toThrow(TypeError);
    expect(() => requireActiveSession(APP, { guard, ...extra } as never)).toThrow(message);
  });

  it('an unusable fixed appId: a TypeError when the middleware is built', () => {
    expect(() => requireActiveSession('', { guard })).toThrow(TypeError);
  });
});

describe('requireActiveSession (Hono) on @hono/node-server', () => {
  it('a repeated Authorization on the wire is refused (Node rawHeaders), a single one passes', async () => {
    const app = adminApp({ guard });
    const server = createServer(viaNodeServer(app));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const token = await fake.login('alice', APP);
    // Node's http client sends a flat array of raw headers as it is: the same header twice on the wire.
    const get = (rawHeaders: string[]) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/admin', headers: ['host', `127.0.0.1:${port}`, ...rawHeaders] as never }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: response.statusCode!, body }));
      }).on('error', reject).end();
    });
    try {
      const twice = await get(['authorization', `Bearer ${token}`, 'Authorization', `Bearer ${token}`]);
      expect(twice.status).toBe(401);
      expect(JSON.parse(twice.body).message).toBe('The authorization header was sent more than once.');
      expect(fake.calls.check).toBe(0);
      expect((await get(['authorization', `Bearer ${token}`])).status).toBe(200);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
