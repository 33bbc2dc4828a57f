import express from 'express';
import Koa from 'koa';
import request from 'supertest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { genauthWebhook, requireActiveSession, type SessionGuard } from '../../src/index';
import { genauthWebhook as koaWebhook, requireActiveSession as koaRequire } from '../../src/koa';
import { APP, useHarness } from '../core/fixtures';
import { PATH, SECRET } from './support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const express4 = require('express4') as typeof express;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Koa2 = require('koa2') as typeof Koa;

const FIVE_MINUTES = 5 * 60_000;
const Q1 = { namespace: 'reports', action: 'read', resource: 'q1' };
const ROUTES = {
  '/admin': { roles: ['admin'] },
  '/reports': { permissions: { namespace: 'reports', action: 'read', resources: ['q1'] } },
};

function expressApp(factory: typeof express, guard: SessionGuard) {
  const app = factory();
  app.post(PATH, genauthWebhook({ guard, secret: SECRET }));
  for (const [path, policy] of Object.entries(ROUTES)) {
    app.get(path, requireActiveSession(APP, { guard, ...policy }), (req, res) => {
      res.json({ userId: req.auth?.userId });
    });
  }
  return app.listen(0, '127.0.0.1');
}

function koaApp(Factory: typeof Koa, guard: SessionGuard) {
  const app = new Factory();
  const webhook = koaWebhook({ guard, secret: SECRET });
  const guarded = new Map(Object.entries(ROUTES).map(([path, policy]) => [path, koaRequire(APP, { guard, ...policy })]));
  app.use(async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === PATH) return webhook(ctx as never, next);
    const route = guarded.get(ctx.path);
    if (route) {
      return route(ctx as never, async () => {
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

describe.each(apps)('role and permission changes at the fake reach the routes by webhook, through $name (ttlMs 5 minutes)', ({ start }) => {
  const h = useHarness();
  let guard: SessionGuard;
  let url: string;

  beforeEach(async () => {
    guard = h().guard({ cache: { ttlMs: FIVE_MINUTES, inactiveTtlMs: FIVE_MINUTES } });
    const server = start(guard);
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    h().defer(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
    const { fake } = h();
    for (const userId of ['alice', 'bob']) await fake.login(userId, APP);
    fake.assignRole('alice', 'admin');
    fake.grantPermission('alice', Q1);
    fake.grantPermission('bob', Q1);
    fake.addWebhook({ url: `${url}${PATH}`, secret: SECRET });
  });

  const get = (path: keyof typeof ROUTES, userId: string) => request(url).get(path).set('x-user-id', userId);

  it('revokeRole delivers role:unassigned: the admin is refused (403) at the next request, no TTL wait', async () => {
    const { fake } = h();
    expect((await get('/admin', 'alice')).status).toBe(200);
    expect((await get('/admin', 'bob')).status).toBe(403);
    expect((await get('/admin', 'alice')).status).toBe(200); // from the cache
    const { check, roles } = fake.calls;
    fake.revokeRole('alice', 'admin');
    expect(await fake.webhookDeliveries()).toEqual([expect.objectContaining({ eventName: 'role:unassigned', status: 200 })]);
    const refused = await get('/admin', 'alice');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'insufficient_permission' });
    // Only Alice's role was asked again; her session answer and Bob's denied answer were kept.
    expect(fake.calls).toMatchObject({ check, roles: roles + 1 });
    expect((await get('/admin', 'bob')).status).toBe(403);
    expect(fake.calls.roles).toBe(roles + 1);
  });

  it('assignRole delivers role:assigned: a cached denial does not keep the new admin out', async () => {
    const { fake } = h();
    expect((await get('/admin', 'bob')).status).toBe(403);
    fake.assignRole('bob', 'admin');
    expect(await fake.webhookDeliveries()).toEqual([expect.objectContaining({ eventName: 'role:assigned', status: 200 })]);
    expect((await get('/admin', 'bob')).status).toBe(200);
  });

  it('revokePermission and grantPermission deliver permission:revoke and permission:add for the user', async () => {
    const { fake } = h();
    expect((await get('/reports', 'alice')).status).toBe(200);
    fake.revokePermission('alice', Q1);
    expect(await fake.webhookDeliveries()).toEqual([expect.objectContaining({ eventName: 'permission:revoke', status: 200 })]);
    expect((await get('/reports', 'alice')).status).toBe(403);
    fake.grantPermission('alice', Q1);
    expect(await fake.webhookDeliveries()).toEqual([expect.objectContaining({ eventName: 'permission:add', status: 200 })]);
    expect((await get('/reports', 'alice')).status).toBe(200);
  });

  it('a permission:revoke whose targets are roles drops every authorization answer, and no session answer', async () => {
    const { fake } = h();
    await fake.webhookDeliveries();
    for (const userId of ['alice', 'bob']) {
      expect((await get('/reports', userId)).status).toBe(200);
      expect((await get('/admin', userId)).status).toBe(userId === 'alice' ? 200 : 403);
    }
    // The grant goes, but its own delivery is lost: the cached "allowed" still serves.
    fake.webhookFault({ kind: 'drop' }, { times: 1 });
    fake.revokePermission('alice', Q1);
    expect(await fake.webhookDeliveries()).toEqual([expect.objectContaining({ status: 0, fault: 'drop' })]);
    expect((await get('/reports', 'alice')).status).toBe(200);
    const { check, roles, permissions } = fake.calls;
    // GenAuth reports the change for a role (say, the permission left the role "analyst"): no user to map it to.
    fake.emitWebhook('permission:revoke', { policyCodes: ['read:q1'], targetType: 'ROLE', targetIdentifiers: ['analyst'], namespace: 'reports' });
    expect(await fake.webhookDeliveries()).toEqual([expect.objectContaining({ eventName: 'permission:revoke', status: 200 })]);
    expect((await get('/reports', 'alice')).status).toBe(403);
    expect((await get('/reports', 'bob')).status).toBe(200);
    expect((await get('/admin', 'alice')).status).toBe(200);
    expect((await get('/admin', 'bob')).status).toBe(403);
    // Every authorization answer was asked again; no session answer was.
    expect(fake.calls).toMatchObject({ check, permissions: permissions + 2, roles: roles + 2 });
  });
});
