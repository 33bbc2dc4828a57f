import Fastify, { type FastifyInstance } from 'fastify';
import { requireActiveSession, sessionGuard } from '../../src/fastify';
import { listenFastify, type RunningApp } from '../support/frameworks';
import { APP, world, type World } from './support';

let w: World;
let app: FastifyInstance;
let running: RunningApp;
let reached: string[];

beforeEach(async () => {
  w = await world();
  await w.fake.login('alice', APP);
  reached = [];
  app = Fastify();
});
afterEach(async () => {
  await running.close();
  await w.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${running.url}${path}`, { headers });

it('a hook added in a child context guards that context only; request.auth is null on the open routes', async () => {
  await app.register(sessionGuard, { guard: w.guard });
  app.get('/open', async (request) => {
    reached.push('open');
    return { auth: request.auth };
  });
  await app.register(async (admin) => {
    admin.addHook('onRequest', requireActiveSession(APP));
    admin.get('/one', async (request) => {
      reached.push('one');
      return { userId: request.auth?.userId };
    });
    admin.get('/two', async (request) => {
      reached.push('two');
      return { userId: request.auth?.userId };
    });
  }, { prefix: '/admin' });
  app.get('/after', async (request) => {
    reached.push('after');
    return { auth: request.auth };
  });
  running = await listenFastify(app);

  expect(await (await get('/open')).json()).toEqual({ auth: null });
  expect(await (await get('/after', { 'x-user-id': 'alice' })).json()).toEqual({ auth: null }); // not guarded, auth not set
  expect((await get('/admin/one')).status).toBe(401);
  expect((await get('/admin/two')).status).toBe(401);
  expect(await (await get('/admin/one', { 'x-user-id': 'alice' })).json()).toEqual({ userId: 'alice' });
  expect(reached).toEqual(['open', 'after', 'one']);
  expect(w.fake.calls.check).toBe(1); // the open routes never asked GenAuth
});

it('one hook shared by two contexts uses the guard each context registered', async () => {
  const byA = w.guardOf('x-user-a');
  const byB = w.guardOf('x-user-b');
  const hook = requireActiveSession(APP);
  for (const [prefix, guard] of [['/a', byA], ['/b', byB]] as const) {
    await app.register(async (context) => {
      await context.register(sessionGuard, { guard });
      context.addHook('onRequest', hook);
      context.get('/me', async (request) => ({ userId: request.auth?.userId }));
    }, { prefix });
  }
  running = await listenFastify(app);
  for (let round = 0; round < 2; round++) { // the guard kept for the hook follows each request's context
    expect((await get('/a/me', { 'x-user-a': 'alice' })).status).toBe(200);
    expect((await get('/a/me', { 'x-user-b': 'alice' })).status).toBe(401);
    expect((await get('/b/me', { 'x-user-b': 'alice' })).status).toBe(200);
    expect((await get('/b/me', { 'x-user-a': 'alice' })).status).toBe(401);
  }
  expect(byA.stats()).toMatchObject({ misses: 1, hits: 1 });
  expect(byB.stats()).toMatchObject({ misses: 1, hits: 1 });
});
