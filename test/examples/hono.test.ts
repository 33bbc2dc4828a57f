import { bearerJwt, createSessionGuard, type SessionGuard } from 'genauth-session-guard/hono';
import { createFakeGenAuth, type FakeGenAuth } from 'genauth-session-guard/testing';
import { buildApp } from '../../examples/hono/app'; // your app's factory

let genauth: FakeGenAuth | undefined;
let guard: SessionGuard | undefined;

afterEach(async () => {
  await guard?.close();
  await genauth?.close();
  guard = genauth = undefined;
});

test('a kicked user is refused (app.request: no server needed)', async () => {
  genauth = await createFakeGenAuth();
  guard = createSessionGuard({
    host: genauth.host,
    accessKeyId: genauth.accessKeyId,
    accessKeySecret: genauth.accessKeySecret,
    identity: bearerJwt({ issuer: genauth.issuer, audience: 'app-1' }),
  });
  const app = buildApp(guard, 'app-1', 'a-webhook-secret-of-32-characters');
  const token = await genauth.login('alice', 'app-1');
  const headers = { authorization: `Bearer ${token}` };

  const me = await app.request('/admin/me', { headers });
  expect(me.status).toBe(200);
  expect(await me.json()).toEqual({ userId: 'alice' });
  genauth.kick('alice');
  guard.invalidate('alice'); // or deliver the webhook: app.request('/hooks/genauth', ...)
  expect((await app.request('/admin/me', { headers })).status).toBe(401);
  expect((await app.request('/admin/me')).status).toBe(401); // no credential at all
});
