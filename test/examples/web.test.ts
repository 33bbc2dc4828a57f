import { createFakeGenAuth, type FakeGenAuth } from 'genauth-session-guard/testing';

/** examples/web/next-route.ts, called as Next.js calls a route handler: GET(request). */
let genauth: FakeGenAuth;
let route: typeof import('../../examples/web/next-route');
let lib: typeof import('../../examples/web/guard');

beforeAll(async () => {
  genauth = await createFakeGenAuth();
  // The example reads its configuration from the environment, as a deployed app does.
  Object.assign(process.env, {
    GENAUTH_APP_ID: 'app-1',
    GENAUTH_ISSUER: genauth.issuer,
    GENAUTH_HOST: genauth.host,
    GENAUTH_ACCESS_KEY_ID: genauth.accessKeyId,
    GENAUTH_ACCESS_KEY_SECRET: genauth.accessKeySecret,
  });
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    route = require('../../examples/web/next-route') as typeof route;
    lib = require('../../examples/web/guard') as typeof lib;
  });
});
afterAll(async () => {
  await lib.guard.close();
  await genauth.close();
});

test('the Next.js route handler answers 200 for a live session, the refusal Response otherwise', async () => {
  const token = await genauth.login('alice', 'app-1');
  const get = (headers: Record<string, string> = {}) => route.GET(new Request('https://app.example/admin/me', { headers }));
  const me = await get({ authorization: `Bearer ${token}` });
  expect(me.status).toBe(200);
  expect(await me.json()).toEqual({ userId: 'alice' });
  const none = await get();
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toBe('Bearer realm="app-1"');
  genauth.kick('alice');
  lib.guard.invalidate('alice');
  expect((await get({ authorization: `Bearer ${token}` })).status).toBe(401);
  genauth.fault({ kind: 'http-status', status: 502 });
  const down = await get({ authorization: `Bearer ${await genauth.login('bob', 'app-1')}` });
  expect(down.status).toBe(503);
  expect(down.headers.get('retry-after')).toBe('1');
});
