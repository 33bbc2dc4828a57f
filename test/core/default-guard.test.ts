import express from 'express';
import Koa from 'koa';
import { closeDefaultGuard, requireActiveSession } from '../../src/index';
import { requireActiveSession as requireActiveSessionKoa } from '../../src/koa';
import { defaultGuard } from '../../src/core/default-guard';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { APP, startServer } from './fixtures';

const VARS = ['GENAUTH_HOST', 'GENAUTH_ACCESS_KEY_ID', 'GENAUTH_ACCESS_KEY_SECRET', 'GENAUTH_ISSUER'] as const;

describe('requireActiveSession(appId) with no options: the process-wide guard from GENAUTH_*', () => {
  let fake: FakeGenAuth;
  let saved: Record<string, string | undefined>;
  let cleanups: Array<() => unknown>;

  beforeEach(async () => {
    saved = Object.fromEntries(VARS.map((name) => [name, process.env[name]]));
    cleanups = [];
    await closeDefaultGuard();
    fake = await createFakeGenAuth(); // real clock: the default guard has no clock seam
    process.env.GENAUTH_HOST = fake.host;
    process.env.GENAUTH_ACCESS_KEY_ID = fake.accessKeyId;
    process.env.GENAUTH_ACCESS_KEY_SECRET = fake.accessKeySecret;
    process.env.GENAUTH_ISSUER = fake.issuer;
  });
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await closeDefaultGuard();
    await fake.close();
    for (const name of VARS) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it.each(['GENAUTH_ACCESS_KEY_ID', 'GENAUTH_ACCESS_KEY_SECRET', 'GENAUTH_ISSUER'] as const)(
    'a missing %s throws at the call (Express and Koa), naming it',
    (name) => {
      delete process.env[name];
      expect(() => requireActiveSession(APP)).toThrow(TypeError);
      expect(() => requireActiveSession(APP)).toThrow(name);
      expect(() => requireActiveSessionKoa(APP)).toThrow(name);
      process.env[name] = '';
      expect(() => requireActiveSession(APP)).toThrow(name);
    },
  );

  it('the message for a missing variable does not contain the secret', () => {
    delete process.env.GENAUTH_ISSUER;
    let message = '';
    try {
      requireActiveSession(APP);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('GENAUTH_ISSUER');
    expect(message).not.toContain(fake.accessKeySecret);
  });

  it('works end to end: bearer JWT from GENAUTH_ISSUER, audience = the route app id, Express and Koa share one guard', async () => {
    const app = express();
    app.get('/admin', requireActiveSession(APP), (req, res) => {
      res.json(req.auth);
    });
    app.get('/other', requireActiveSession('app-2'), (req, res) => {
      res.json(req.auth);
    });
    const expressServer = await startServer(app);
    cleanups.push(() => expressServer.close());
    const koa = new Koa();
    koa.use(requireActiveSessionKoa(APP));
    koa.use((ctx) => {
      ctx.body = ctx.state.auth;
    });
    const koaServer = await startServer(koa.callback());
    cleanups.push(() => koaServer.close());

    const token = await fake.login('alice', APP);
    const headers = { authorization: `Bearer ${token}` };
    const passed = await fetch(`${expressServer.url}/admin`, { headers });
    expect(passed.status).toBe(200);
    expect((await passed.json()) as Record<string, any>).toMatchObject({ userId: 'alice', appId: APP, claims: { iss: fake.issuer, aud: APP }, session: { active: true, source: 'upstream' } });
    const viaKoa = await fetch(koaServer.url, { headers });
    expect(viaKoa.status).toBe(200);
    expect(((await viaKoa.json()) as Record<string, any>).session.source).toBe('cache'); // the same process-wide guard and cache
    expect(fake.calls.check).toBe(1);
    expect(fake.calls.discovery).toBe(1);

    const otherApp = await fetch(`${expressServer.url}/other`, { headers });
    expect(otherApp.status).toBe(401);
    expect(((await otherApp.json()) as Record<string, any>).error).toBe('invalid_token');
    const none = await fetch(`${expressServer.url}/admin`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe(`Bearer realm="${APP}"`);

    fake.kick('alice');
    defaultGuard().invalidate('alice');
    const kicked = await fetch(`${expressServer.url}/admin`, { headers });
    expect(kicked.status).toBe(401);
    expect(((await kicked.json()) as Record<string, any>).error).toBe('session_inactive');
  });

  it('is built once; closeDefaultGuard() closes it (routes built on it then answer 503) and the next call builds a new one', async () => {
    const first = defaultGuard();
    expect(defaultGuard()).toBe(first);
    const app = express();
    app.get('/admin', requireActiveSession(APP), (req, res) => {
      res.json(req.auth);
    });
    const server = await startServer(app);
    cleanups.push(() => server.close());
    const token = await fake.login('alice', APP);
    expect((await fetch(`${server.url}/admin`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

    await closeDefaultGuard();
    const afterClose = await fetch(`${server.url}/admin`, { headers: { authorization: `Bearer ${token}` } });
    expect(afterClose.status).toBe(503);
    expect(afterClose.headers.get('retry-after')).toBe('1');
    expect(defaultGuard()).not.toBe(first);
    await closeDefaultGuard(); // twice is fine
  });
});
