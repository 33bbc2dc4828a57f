import express from 'express';
import Koa from 'koa';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import {
  createSessionGuard,
  header,
  requireActiveSession as requireExpress,
  type RequireActiveSessionOptions as ExpressOptions,
  type SessionGuard,
  type SessionGuardOptions,
} from '../../src/index';
import { requireActiveSession as requireKoa, type RequireActiveSessionOptions as KoaOptions } from '../../src/koa';
import { startServer } from '../core/fixtures';
import { manualClock } from '../support/frameworks';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const express4 = require('express4') as typeof express;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Koa2 = require('koa2') as typeof Koa;

const APP = 'app-1';
const OTHER_APP = 'app-2';

/** What runs between the prefix guard and the route (a kick, an invalidation), once per request. */
type Between = () => void | Promise<void>;

interface Layout {
  /** The prefix guard's options: `app.use('/admin', requireActiveSession(APP, prefix))`. */
  prefix: Record<string, unknown> & { guard: SessionGuard };
  /** The route's app id and options: `app.get('/admin/reports', requireActiveSession(routeApp, route), handler)`. */
  routeApp: string;
  route: Record<string, unknown> & { guard: SessionGuard };
  between: Between;
  reached: { count: number };
}

type Start = (layout: Layout) => ReturnType<typeof startServer>;

function expressStart(factory: typeof express): Start {
  return (layout) => {
    const app = factory();
    app.use('/admin', requireExpress(APP, layout.prefix as ExpressOptions));
    app.use('/admin', (_req, _res, next) => {
      Promise.resolve(layout.between()).then(() => next(), next);
    });
    app.get('/admin/reports', requireExpress(layout.routeApp, layout.route as ExpressOptions), (req, res) => {
      layout.reached.count++;
      res.json({ auth: req.auth });
    });
    return startServer(app);
  };
}

function koaStart(Factory: typeof Koa): Start {
  return (layout) => {
    const app = new Factory();
    const prefix = requireKoa(APP, layout.prefix as KoaOptions);
    const route = requireKoa(layout.routeApp, layout.route as KoaOptions);
    app.use((ctx, next) => (ctx.path.startsWith('/admin') ? prefix(ctx as never, next) : next()));
    app.use(async (_ctx, next) => {
      await layout.between();
      return next();
    });
    app.use((ctx, next) => (ctx.path === '/admin/reports' ? route(ctx as never, next) : next()));
    app.use((ctx) => {
      layout.reached.count++;
      ctx.body = { auth: ctx.state.auth };
    });
    return startServer(app.callback());
  };
}

const FRAMEWORKS: Array<{ name: string; start: Start }> = [
  { name: 'Express 5', start: expressStart(express) },
  { name: 'Express 4', start: expressStart(express4) },
  { name: 'Koa 3', start: koaStart(Koa) },
  { name: 'Koa 2', start: koaStart(Koa2) },
];

const SESSION = '/api/v3/check-session-status';
const ROLES = '/api/v3/has-any-role';

/**
 * A prefix guard followed by a route with `roles` on the same guard (issue 20): the route reuses the session answer
 * the prefix asked for this request, and asks GenAuth only for the roles. `cache: false` throughout, so that no
 * cache can hide a second session call: the request's own answer is the only thing reused.
 */
describe.each(FRAMEWORKS)('$name: prefix guard, then a route with roles', ({ start }) => {
  let fake: FakeGenAuth;
  const guards: SessionGuard[] = [];
  const apps: Array<{ close(): Promise<void> }> = [];
  /** GenAuth calls as the guards start them and as their answers come in, in order. */
  let journal: string[] = [];

  beforeEach(async () => {
    fake = await createFakeGenAuth();
    journal = [];
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const guard of guards.splice(0)) await guard.close();
    await fake.close();
  });

  function makeGuard(options: Partial<SessionGuardOptions> = {}): SessionGuard {
    const recording = async (input: string | URL, init?: RequestInit): Promise<Response> => {
      const path = new URL(String(input)).pathname;
      journal.push(`ask ${path}`);
      const response = await fetch(input, init);
      journal.push(`answer ${path}`);
      return response;
    };
    const guard = createSessionGuard({
      host: fake.host,
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      auth: 'signature', // no management token call in the journal
      identity: header('x-user-id'),
      cache: false,
      retries: 0,
      circuitBreaker: false,
      fetch: recording,
      ...options,
    } as SessionGuardOptions);
    guards.push(guard);
    return guard;
  }

  async function run(layout: Omit<Layout, 'reached' | 'between'> & { between?: Between }, headers: Record<string, string>) {
    const reached = { count: 0 };
    const app = await start({ between: () => undefined, ...layout, reached });
    apps.push(app);
    const response = await fetch(`${app.url}/admin/reports`, { headers });
    const body = (await response.json()) as Record<string, any>;
    return { status: response.status, body, reached: reached.count };
  }

  function adminAlice(): void {
    fake.startSession('alice', APP);
    fake.assignRole('alice', 'admin');
  }

  it('a cold request makes one session call; the roles call follows it and no second session call is made', async () => {
    adminAlice();
    const guard = makeGuard();
    fake.fault({ kind: 'latency', ms: 50 }, { endpoint: 'any' }); // calls that overlap would show in the journal
    const { status, body, reached } = await run({ prefix: { guard }, routeApp: APP, route: { guard, roles: ['admin'] } }, { 'x-user-id': 'alice' });
    expect(status).toBe(200);
    expect(reached).toBe(1);
    expect(journal).toEqual([`ask ${SESSION}`, `answer ${SESSION}`, `ask ${ROLES}`, `answer ${ROLES}`]);
    expect(fake.calls.check).toBe(1);
    expect(fake.calls.roles).toBe(1);
    // The route's auth says where its answers came from: the session asked for this request, the roles too.
    expect(body.auth.session.source).toBe('upstream');
    expect(body.auth.authorization).toEqual({ roles: [{ code: 'admin' }], source: 'upstream' });
    expect(guard.stats().misses).toBe(1);
  });

  it('with the cache on too: one session call (the cache serves the route)', async () => {
    adminAlice();
    const guard = makeGuard({ cache: { ttlMs: 60_000 } });
    const { status, reached } = await run({ prefix: { guard }, routeApp: APP, route: { guard, roles: ['admin'] } }, { 'x-user-id': 'alice' });
    expect(status).toBe(200);
    expect(reached).toBe(1);
    expect(fake.calls.check).toBe(1);
    expect(fake.calls.roles).toBe(1);
  });

  it('cache on, the answer evicted between the two: the route still reuses what the prefix asked for', async () => {
    adminAlice();
    fake.startSession('bob', APP);
    const guard = makeGuard({ cache: { max: 1 } });
    const between = async () => {
      await guard.checkSession('bob', APP); // takes alice's place in a cache of one
    };
    const { status, reached } = await run({ prefix: { guard }, routeApp: APP, route: { guard, roles: ['admin'] }, between }, { 'x-user-id': 'alice' });
    expect(status).toBe(200);
    expect(reached).toBe(1);
    expect(fake.calls.check).toBe(2); // alice once (prefix), bob once
  });

  it('cache on, the answer past its TTL when the route runs: asked again, as the cache would', async () => {
    adminAlice();
    const clock = manualClock();
    const guard = makeGuard({ cache: { ttlMs: 1_000 }, clock });
    const between = () => clock.advance(1_000);
    const { status, reached } = await run({ prefix: { guard }, routeApp: APP, route: { guard, roles: ['admin'] }, between }, { 'x-user-id': 'alice' });
    expect(status).toBe(200);
    expect(reached).toBe(1);
    expect(fake.calls.check).toBe(2);
  });

  it('a prefix with roles, then a route with permissions: the session answer of the prefix serves the route too', async () => {
    adminAlice();
    fake.grantPermission('alice', { namespace: 'orders', action: 'read', resource: 'order:1' });
    const guard = makeGuard();
    const route = { guard, permissions: { namespace: 'orders', action: 'read', resources: ['order:1'] } };
    const reached = { count: 0 };
    const app = await start({ prefix: { guard, roles: ['admin'] }, routeApp: APP, route, between: () => undefined, reached });
    apps.push(app);
    const response = await fetch(`${app.url}/admin/reports`, { headers: { 'x-user-id': 'alice' } });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(reached.count).toBe(1);
    expect([fake.calls.check, fake.calls.roles, fake.calls.permissions]).toEqual([1, 1, 1]);
  });

  it('a route without authorization after the prefix asks GenAuth nothing more', async () => {
    adminAlice();
    const guard = makeGuard();
    const { status, body, reached } = await run({ prefix: { guard }, routeApp: APP, route: { guard } }, { 'x-user-id': 'alice' });
    expect(status).toBe(200);
    expect(reached).toBe(1);
    expect(body.auth.session.source).toBe('upstream');
    expect(fake.calls.check).toBe(1);
  });

  it('a kick invalidated between the prefix and the route revokes the kept answer: 401, the handler never runs', async () => {
    adminAlice();
    const guard = makeGuard();
    const between = () => {
      fake.kick('alice');
      guard.invalidate('alice'); // what the kick webhook does
    };
    const { status, body, reached } = await run({ prefix: { guard }, routeApp: APP, route: { guard, roles: ['admin'] }, between }, { 'x-user-id': 'alice' });
    expect(status).toBe(401);
    expect(body.error).toBe('session_inactive');
    expect(reached).toBe(0);
    expect(fake.calls.check).toBe(2); // asked again after the invalidation
  });

  it('another user on the route (its own identity): that user is asked about, not passed on the prefix answer', async () => {
    adminAlice();
    fake.startSession('bob', APP);
    fake.assignRole('bob', 'admin');
    fake.kick('bob'); // holds the role, has no live session
    const guard = makeGuard();
    const route = { guard, roles: ['admin'], identity: header('x-acting-user') };
    const { status, body, reached } = await run({ prefix: { guard }, routeApp: APP, route }, { 'x-user-id': 'alice', 'x-acting-user': 'bob' });
    expect(status).toBe(401);
    expect(body.error).toBe('session_inactive');
    expect(reached).toBe(0);
    expect(fake.calls.check).toBe(2);
  });

  it('another app on the route: the session in that app is asked about, not passed on the prefix app answer', async () => {
    adminAlice(); // a live session in APP only
    const guard = makeGuard();
    const { status, body, reached } = await run({ prefix: { guard }, routeApp: OTHER_APP, route: { guard, roles: ['admin'] } }, { 'x-user-id': 'alice' });
    expect(status).toBe(401);
    expect(body.error).toBe('session_inactive');
    expect(reached).toBe(0);
    expect(fake.calls.check).toBe(2);
  });

  it('another guard on the route asks for itself: a kick between the two is seen without any invalidation', async () => {
    adminAlice();
    const prefixGuard = makeGuard();
    const routeGuard = makeGuard();
    const between = () => fake.kick('alice'); // nobody tells either guard
    const { status, reached } = await run({ prefix: { guard: prefixGuard }, routeApp: APP, route: { guard: routeGuard, roles: ['admin'] }, between }, { 'x-user-id': 'alice' });
    expect(status).toBe(401);
    expect(reached).toBe(0);
    expect(fake.calls.check).toBe(2);
  });

  it('the next request asks again (cache off): the kept answer belongs to one request', async () => {
    adminAlice();
    const guard = makeGuard();
    const layout = { prefix: { guard }, routeApp: APP, route: { guard, roles: ['admin'] } };
    const reached = { count: 0 };
    const app = await start({ ...layout, between: () => undefined, reached });
    apps.push(app);
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${app.url}/admin/reports`, { headers: { 'x-user-id': 'alice' } });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    fake.kick('alice'); // no invalidation: without a cache the next request must see it at GenAuth
    const response = await fetch(`${app.url}/admin/reports`, { headers: { 'x-user-id': 'alice' } });
    expect(response.status).toBe(401);
    await response.arrayBuffer();
    expect(reached.count).toBe(2);
    expect(fake.calls.check).toBe(3);
  });
});
