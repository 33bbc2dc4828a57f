import request from 'supertest';
import { bearerJwt, createSessionGuard, type SessionGuard } from 'genauth-session-guard';
import { createFakeGenAuth, type FakeGenAuth } from 'genauth-session-guard/testing';
import { buildApp } from '../../examples/quick-start/app'; // your app's factory

let genauth: FakeGenAuth | undefined;
let guard: SessionGuard | undefined;

afterEach(async () => {
  // Runs even when an assertion failed: nothing is left open, so Jest exits.
  await guard?.close();
  await genauth?.close();
  guard = genauth = undefined;
});

test('a kicked user is refused', async () => {
  genauth = await createFakeGenAuth();
  guard = createSessionGuard({
    host: genauth.host,
    accessKeyId: genauth.accessKeyId,
    accessKeySecret: genauth.accessKeySecret,
    identity: bearerJwt({ issuer: genauth.issuer, audience: 'app-1' }),
  });
  const app = buildApp(guard, 'app-1');
  const token = await genauth.login('alice', 'app-1');

  await request(app).get('/admin/me').set('authorization', `Bearer ${token}`).expect(200, { userId: 'alice' });
  genauth.kick('alice');
  guard.invalidate('alice'); // or wait out cache.ttlMs (inject `clock` to move time)
  await request(app).get('/admin/me').set('authorization', `Bearer ${token}`).expect(401);
  await request(app).get('/admin/me').expect(401); // no credential at all
});
