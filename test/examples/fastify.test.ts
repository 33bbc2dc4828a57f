import { bearerJwt, createSessionGuard, type SessionGuard } from 'genauth-session-guard/fastify';
import { createFakeGenAuth, type FakeGenAuth } from 'genauth-session-guard/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../examples/fastify/app'; // your app's factory

let genauth: FakeGenAuth | undefined;
let guard: SessionGuard | undefined;
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  await guard?.close();
  await genauth?.close();
  app = guard = genauth = undefined;
});

test('a kicked user is refused; roles are checked; the open route stays open', async () => {
  genauth = await createFakeGenAuth();
  guard = createSessionGuard({
    host: genauth.host,
    accessKeyId: genauth.accessKeyId,
    accessKeySecret: genauth.accessKeySecret,
    identity: bearerJwt({ issuer: genauth.issuer, audience: 'app-1' }),
  });
  app = await buildApp(guard, 'app-1');
  const token = await genauth.login('alice', 'app-1');
  const me = () => app!.inject({ url: '/admin/me', headers: { authorization: `Bearer ${token}` } });

  expect((await me()).json()).toEqual({ userId: 'alice' });
  expect((await app.inject({ url: '/reports', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(403);
  genauth.assignRole('alice', 'auditor');
  guard.invalidate('alice'); // the authorization answer was cached too
  expect((await app.inject({ url: '/reports', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
  genauth.kick('alice');
  guard.invalidate('alice'); // or wait out cache.ttlMs (inject `clock` to move time)
  expect((await me()).statusCode).toBe(401);
  expect((await app.inject({ url: '/admin/me' })).json()).toEqual({ error: 'missing_credentials', message: expect.any(String) });
  expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
});
