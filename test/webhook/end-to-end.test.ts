import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import express from 'express';
import Koa from 'koa';
import request from 'supertest';
import { channels, genauthWebhook, requireActiveSession, type SessionGuard } from '../../src/index';
import { genauthWebhook as koaWebhook, requireActiveSession as koaRequire } from '../../src/koa';
import { APP, useHarness } from '../core/fixtures';
import { PATH, SECRET, watchPackageWarnings } from './support';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const express4 = require('express4') as typeof express;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Koa2 = require('koa2') as typeof Koa;

const FIVE_MINUTES = 5 * 60_000;

function expressApp(factory: typeof express, guard: SessionGuard) {
  const app = factory();
  app.post(PATH, genauthWebhook({ guard, secret: SECRET }));
  app.get('/admin', requireActiveSession(APP, { guard }), (req, res) => {
    res.json({ userId: req.auth?.userId });
  });
  return app.listen(0, '127.0.0.1');
}

function koaApp(Factory: typeof Koa, guard: SessionGuard) {
  const app = new Factory();
  const webhook = koaWebhook({ guard, secret: SECRET });
  const guarded = koaRequire(APP, { guard });
  app.use(async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === PATH) return webhook(ctx as never, next);
    if (ctx.path === '/admin') {
      return guarded(ctx as never, async () => {
        ctx.body = { userId: ctx.state.auth.userId };
      });
    }
    return next();
  });
  return createServer(app.callback()).listen(0, '127.0.0.1');
}

const apps = [
  { name: 'Express 5', start: (guard: SessionGuard) => expressApp(express, guard) },
  { name: 'Express 4', start: (guard: SessionGuard) => expressApp(express4, guard) },
  { name: 'Koa 3', start: (guard: SessionGuard) => koaApp(Koa, guard) },
  { name: 'Koa 2', start: (guard: SessionGuard) => koaApp(Koa2, guard) },
];

describe.each(apps)('revocation by webhook, end to end through $name (ttlMs 5 minutes)', ({ start }) => {
  const h = useHarness();
  const warnings = watchPackageWarnings();
  let guard: SessionGuard;
  let url: string;
  const logged: unknown[] = [];

  beforeEach(async () => {
    logged.length = 0;
    guard = h().guard({
      cache: { ttlMs: FIVE_MINUTES, inactiveTtlMs: 1_000 },
      logger: { debug: (message: string, details?: unknown) => logged.push([message, details]) },
    });
    const server = start(guard);
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    h().defer(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
    await h().fake.login('alice', APP);
    await h().fake.login('bob', APP);
  });

  const get = (userId: string) => request(url).get('/admin').set('x-user-id', userId);

  async function bothIn() {
    expect((await get('alice')).status).toBe(200);
    expect((await get('bob')).status).toBe(200);
  }

  it('without a webhook, a kicked user keeps access on the cached answer (the TTL is the delay)', async () => {
    await bothIn();
    h().fake.kick('alice');
    expect(await h().fake.webhookDeliveries()).toEqual([]);
    expect((await get('alice')).status).toBe(200);
  });

  it('a kick at the fake is refused at the next request, without waiting for the TTL', async () => {
    h().fake.addWebhook({ url: `${url}${PATH}`, secret: SECRET });
    await bothIn();
    const checks = h().fake.calls.check;
    h().fake.kick('alice', [APP]);
    expect(await h().fake.webhookDeliveries()).toEqual([expect.objectContaining({ eventName: 'kick', status: 200 })]);
    const refused = await get('alice');
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: 'session_inactive' });
    // Bob's answer was kept: only Alice was asked again.
    expect((await get('bob')).status).toBe(200);
    expect(h().fake.calls.check).toBe(checks + 1);
    expect(guard.stats()).toMatchObject({ webhookEvents: 1, webhookRejected: 0 });
  });

  it('kick-users through the management API, registered by create-webhook, form-encoded', async () => {
    const { fake } = h();
    const token = await fetch(`${fake.host}/api/v3/get-management-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret }),
    }).then((r) => r.json() as Promise<{ data: { access_token: string } }>);
    const call = (path: string, body: unknown) => fetch(`${fake.host}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.data.access_token}`, 'x-authing-userpool-id': fake.userPoolId },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<{ statusCode: number; data?: Record<string, unknown> }>);
    const created = await call('/api/v3/create-webhook', {
      name: 'session guard', url: `${url}${PATH}`, events: ['kick', 'user:blocked'],
      contentType: 'application/x-www-form-urlencoded', enabled: true, secret: SECRET,
    });
    expect(created).toMatchObject({ statusCode: 200, data: { webhookId: expect.any(String), enabled: true } });
    expect(JSON.stringify(created)).not.toContain(SECRET);
    await bothIn();
    expect(await call('/api/v3/kick-users', { userId: 'alice', appIds: [APP] })).toMatchObject({ statusCode: 200 });
    expect(await fake.webhookDeliveries()).toEqual([expect.objectContaining({ eventName: 'kick', status: 200 })]);
    expect((await get('alice')).status).toBe(401);
    // Events the webhook was not registered for are not delivered.
    fake.emitWebhook('login', { id: 'bob' });
    expect(await fake.webhookDeliveries()).toEqual([]);
  });

  it('create-webhook needs management auth and valid fields', async () => {
    const { fake } = h();
    const unauthenticated = await fetch(`${fake.host}/api/v3/create-webhook`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', url: `${url}${PATH}`, events: ['kick'], contentType: 'application/json' }),
    }).then((r) => r.json() as Promise<{ statusCode: number }>);
    expect(unauthenticated.statusCode).toBe(401);
  });

  it.each([
    ['blockUser', 'user:blocked'],
    ['deleteUser', 'user:deleted'],
  ] as const)('%s delivers %s and the user is refused at once', async (action, eventName) => {
    h().fake.addWebhook({ url: `${url}${PATH}`, secret: SECRET, contentType: 'application/x-www-form-urlencoded' });
    await bothIn();
    h().fake[action]('alice');
    expect(await h().fake.webhookDeliveries()).toEqual([expect.objectContaining({ eventName, status: 200 })]);
    expect((await get('alice')).status).toBe(401);
    expect((await get('bob')).status).toBe(200);
  });

  it('a dropped delivery: the TTL is the backstop', async () => {
    h().fake.addWebhook({ url: `${url}${PATH}`, secret: SECRET });
    h().fake.webhookFault({ kind: 'drop' }, { times: 1 });
    await bothIn();
    h().fake.kick('alice');
    expect(await h().fake.webhookDeliveries()).toEqual([expect.objectContaining({ status: 0, fault: 'drop' })]);
    expect((await get('alice')).status).toBe(200);
    h().clock.advance(FIVE_MINUTES + 1);
    expect((await get('alice')).status).toBe(401);
  });

  it('a duplicated or delayed delivery is applied (idempotent), a wrong secret is refused and changes nothing', async () => {
    const { fake } = h();
    fake.addWebhook({ url: `${url}${PATH}`, secret: SECRET });
    await bothIn();
    fake.webhookFault({ kind: 'wrong-secret' }, { times: 1 });
    fake.kick('bob');
    expect(await fake.webhookDeliveries()).toEqual([expect.objectContaining({ status: 401, fault: 'wrong-secret' })]);
    expect((await get('bob')).status).toBe(200);
    // Seen on the first refused delivery, not only when someone watches stats().
    expect(warnings()).toEqual([{ code: 'GENAUTH_SESSION_GUARD_WEBHOOK_REFUSED', message: expect.stringContaining('none of its secret headers') }]);
    fake.webhookFault({ kind: 'duplicate' }, { times: 1 });
    fake.webhookFault({ kind: 'delay', ms: 20 }, { times: 1 });
    fake.kick('alice');
    fake.kick('bob');
    const deliveries = await fake.webhookDeliveries();
    // Order of completion is not fixed (the delayed one may finish between the two copies): compare sorted.
    expect(deliveries.map(({ status, fault }) => `${status} ${fault}`).sort()).toEqual(['200 delay', '200 duplicate', '200 duplicate']);
    expect((await get('alice')).status).toBe(401);
    expect((await get('bob')).status).toBe(401);
    expect(guard.stats()).toMatchObject({ webhookEvents: 3, webhookRejected: 1 });
  });

  it('the secret never reaches a log line, an event or an answer', async () => {
    const published: unknown[] = [];
    const listener = (message: unknown) => published.push(message);
    for (const name of Object.values(channels)) subscribe(name, listener);
    try {
      h().fake.addWebhook({ url: `${url}${PATH}`, secret: SECRET });
      await bothIn();
      h().fake.kick('alice');
      h().fake.webhookFault({ kind: 'wrong-secret' }, { times: 1 });
      h().fake.kick('bob');
      h().fake.emitWebhook('permission:revoke', { targetType: 'USER', targetIdentifiers: ['bob'] });
      const answers = await Promise.all([
        request(url).post(PATH).set('x-authing-token', 'guess').send({ eventName: 'kick', data: {} }),
        request(url).post(PATH).set('x-authing-token', SECRET).send('{bad'),
      ]);
      await h().fake.webhookDeliveries();
      expect(published.some((event) => (event as { outcome?: string }).outcome === 'rejected')).toBe(true);
      expect(warnings().length).toBeGreaterThan(0);
      const everything = JSON.stringify([logged, published, warnings(), answers.map((a) => [a.headers, a.text])]);
      expect(everything).not.toContain(SECRET);
      expect(everything).not.toContain(SECRET.slice(0, 12));
    } finally {
      for (const name of Object.values(channels)) unsubscribe(name, listener);
    }
  });
});
