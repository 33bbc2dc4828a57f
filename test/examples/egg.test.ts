/**
 * Egg.js is Koa underneath: the Koa adapter mounts as an Egg.js middleware (examples/egg), app-wide with `match`
 * and per route from the router. The example app is started for real (egg.start: agent and application in this
 * process, Egg 3), against the fake GenAuth through the environment it reads in production.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createFakeGenAuth, type FakeGenAuth } from 'genauth-session-guard/testing';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const egg = require('egg') as { start(options: { baseDir: string; ignoreWarning?: boolean }): Promise<EggApp> };

interface EggApp {
  callback(): Parameters<typeof createServer>[1];
  close(): Promise<void>;
  agent: { close(): Promise<void> };
  sessionGuard: { stats(): { upstreamCalls: number }; invalidate(userId: string): void };
}

const ENV = ['GENAUTH_APP_ID', 'GENAUTH_ISSUER', 'GENAUTH_HOST', 'GENAUTH_ACCESS_KEY_ID', 'GENAUTH_ACCESS_KEY_SECRET'] as const;

let genauth: FakeGenAuth;
let app: EggApp;
let server: Server;
let url: string;
const saved: Partial<Record<(typeof ENV)[number], string | undefined>> = {};

beforeAll(async () => {
  genauth = await createFakeGenAuth();
  for (const name of ENV) saved[name] = process.env[name];
  Object.assign(process.env, {
    GENAUTH_APP_ID: 'app-1',
    GENAUTH_ISSUER: genauth.issuer,
    GENAUTH_HOST: genauth.host,
    GENAUTH_ACCESS_KEY_ID: genauth.accessKeyId,
    GENAUTH_ACCESS_KEY_SECRET: genauth.accessKeySecret,
  });
  app = await egg.start({ baseDir: join(__dirname, '../../examples/egg'), ignoreWarning: true });
  server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await app?.close(); // closes the guard (app.js beforeClose)
  await app?.agent.close();
  await genauth.close();
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

const get = (path: string, token?: string) => fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

test('app-wide (config.middleware with match): a live session passes, a kicked one and none are refused as Koa refuses', async () => {
  const token = await genauth.login('alice', 'app-1');
  const passed = await get('/admin/me', token);
  expect(passed.status).toBe(200);
  expect(await passed.json()).toEqual({ userId: 'alice' });
  const none = await get('/admin/me');
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toBe('Bearer realm="app-1"');
  expect(await none.json()).toEqual({ error: 'missing_credentials', message: expect.any(String) });
  genauth.kick('alice');
  app.sessionGuard.invalidate('alice');
  const kicked = await get('/admin/me', token);
  expect(kicked.status).toBe(401);
  expect(((await kicked.json()) as { error: string }).error).toBe('session_inactive');
});

test('per route from the router, with roles; routes outside match stay open', async () => {
  const token = await genauth.login('bob', 'app-1');
  expect((await get('/reports', token)).status).toBe(403);
  genauth.assignRole('bob', 'auditor');
  app.sessionGuard.invalidate('bob');
  expect((await get('/reports', token)).status).toBe(200);
  expect((await get('/reports')).status).toBe(401);
  const checks = genauth.calls.check;
  expect(await (await get('/health')).json()).toEqual({ ok: true });
  expect(genauth.calls.check).toBe(checks);
});

test('an outage is a 503 with Retry-After, not a 500 from Egg', async () => {
  const token = await genauth.login('carol', 'app-1');
  genauth.fault({ kind: 'http-status', status: 502 });
  const response = await get('/admin/me', token);
  genauth.clearFaults();
  expect(response.status).toBe(503);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(((await response.json()) as { error: string }).error).toBe('session_check_unavailable');
});
