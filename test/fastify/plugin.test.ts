import Fastify, { type FastifyInstance } from 'fastify';
import { requireActiveSession, sessionGuard } from '../../src/fastify';
import { listenFastify, type RunningApp } from '../support/frameworks';
import { APP, world, type World } from './support';

let w: World;
const apps: FastifyInstance[] = [];
const running: RunningApp[] = [];

beforeEach(async () => {
  w = await world();
  await w.fake.login('alice', APP);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await w.close();
});

function fastify(): FastifyInstance {
  const app = Fastify();
  apps.push(app);
  return app;
}

async function serve(app: FastifyInstance) {
  const started = await listenFastify(app);
  running.push(started);
  return (path: string, user?: string) => fetch(`${started.url}${path}`, { headers: user ? { 'x-user-id': user } : {} });
}

describe('sessionGuard plugin', () => {
  it('decorates app.sessionGuard, and request.auth as null on the request itself (decorated, not assigned)', async () => {
    const app = fastify();
    await app.register(sessionGuard, { guard: w.guard });
    expect(app.sessionGuard).toBe(w.guard);
    expect(app.hasRequestDecorator('auth')).toBe(true);
    // An own property of every request from its construction: the hook's assignment does not change its shape.
    app.get('/open', async (request) => ({ auth: request.auth, own: Object.hasOwn(request, 'auth') }));
    const get = await serve(app);
    expect(await (await get('/open', 'alice')).json()).toEqual({ auth: null, own: true });
  });

  it('is wrapped with fastify-plugin under its name and declares Fastify 5', () => {
    const meta = (sessionGuard as unknown as Record<symbol, { name: string; fastify: string }>)[Symbol.for('plugin-meta')];
    expect(meta).toMatchObject({ name: 'genauth-session-guard', fastify: '5.x' });
    expect((sessionGuard as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')]).toBe(true);
  });

  it('requireActiveSession without `guard` uses the plugin guard: 200 for a live session, 401 otherwise', async () => {
    const app = fastify();
    await app.register(sessionGuard, { guard: w.guard });
    let reached = 0;
    app.get('/admin', { onRequest: requireActiveSession(APP) }, async (request) => {
      reached++;
      return { userId: request.auth?.userId };
    });
    const get = await serve(app);
    const passed = await get('/admin', 'alice');
    expect(passed.status).toBe(200);
    expect(await passed.json()).toEqual({ userId: 'alice' });
    const refused = await get('/admin');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(`Bearer realm="${APP}"`);
    expect(await refused.json()).toEqual({ error: 'missing_credentials', message: expect.any(String) });
    expect(reached).toBe(1);
    expect(w.guard.stats().upstreamCalls).toBe(1);
  });

  it('route options with the plugin guard: roles enforced, identity per route', async () => {
    const app = fastify();
    await app.register(sessionGuard, { guard: w.guard });
    app.get('/admin', { onRequest: requireActiveSession(APP, { roles: ['admin'] }) }, async (request) => request.auth?.userId);
    app.get('/by-other-header', { onRequest: requireActiveSession(APP, { identity: (req) => {
      const user = req.headers['x-other-user'];
      return typeof user === 'string' ? { userId: user } : undefined;
    } }) }, async (request) => request.auth?.userId);
    const get = await serve(app);
    w.fake.startSession('boss', APP);
    w.fake.assignRole('boss', 'admin');
    expect((await get('/admin', 'alice')).status).toBe(403);
    expect((await get('/admin', 'boss')).status).toBe(200);
    expect((await get('/by-other-header', 'alice')).status).toBe(401); // x-user-id is not read on this route
  });

  it('does not close the guard when the app closes', async () => {
    const first = fastify();
    await first.register(sessionGuard, { guard: w.guard });
    await first.ready();
    await first.close();
    const second = fastify();
    await second.register(sessionGuard, { guard: w.guard });
    second.get('/admin', { onRequest: requireActiveSession(APP) }, async () => 'ok');
    const get = await serve(second);
    expect((await get('/admin', 'alice')).status).toBe(200);
    expect(w.fake.calls.check).toBe(1);
  });

  it.each<[string, unknown, RegExp]>([
    ['a misspelt key', { gaurd: 'x' }, /unknown option "gaurd" in sessionGuard plugin options; did you mean "guard"\?/],
    ['a guard option', { guard: undefined, cache: { ttlMs: 1 } }, /unknown option "cache" in sessionGuard plugin options/],
    ['no guard', {}, /needs \{ guard \} from createSessionGuard\(\)/],
    ['a guard that is not one', { guard: { authenticate: 'no' } }, /needs \{ guard \} from createSessionGuard\(\)/],
  ])('%s is a TypeError when the plugin is registered', async (_label, options, message) => {
    const app = fastify();
    const error = await app.register(sessionGuard, options as never).ready().then(() => undefined, (thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
  });

  it("accepts Fastify's own register options beside `guard` (prefix, as @fastify/autoload passes)", async () => {
    const app = fastify();
    await app.register(sessionGuard, { guard: w.guard, prefix: '/x' } as never);
    expect(app.sessionGuard).toBe(w.guard);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['role', { role: ['admin'] }, 'unknown option "role" in requireActiveSession options; did you mean "roles"?'],
    ['gaurd', { gaurd: {} }, 'unknown option "gaurd" in requireActiveSession options; did you mean "guard"?'],
    ['onRejected', { onRejected: () => undefined }, 'unknown option "onRejected" in requireActiveSession options; did you mean "onReject"?'],
    ['timeout', { roles: ['admin'], timeout: 100 }, 'unknown option "timeout" in requireActiveSession options; it takes "guard", "identity", "onReject", "roles", "permissions", "scopes" ("timeoutMs" is a guard option: with `guard`, set it on createSessionGuard).'],
    ['a role entry', { roles: [{ code: 'auditor', namesapce: 'finance' }] }, 'unknown option "namesapce" in `roles[0]`; did you mean "namespace"?'],
  ])('with the plugin guard, %s is a TypeError when the hook is made', (_label, options, message) => {
    expect(() => requireActiveSession(APP, options as never)).toThrow(new TypeError(`genauth-session-guard: ${message}`));
  });

  it('an explicit `guard: undefined` (a guard not built yet) is a TypeError, not the plugin guard', () => {
    expect(() => requireActiveSession(APP, { guard: undefined })).toThrow(/`guard` must come from createSessionGuard\(\)/);
  });

  it('without the plugin and without `guard`: an Error for the error handler at the first request, the handler never runs', async () => {
    const app = fastify();
    const errors: unknown[] = [];
    let reached = 0;
    app.setErrorHandler((error, _request, reply) => {
      errors.push(error);
      return reply.code(500).send({ appError: true });
    });
    app.get('/admin', { onRequest: requireActiveSession(APP) }, async () => {
      reached++;
      return 'ok';
    });
    const get = await serve(app);
    const response = await get('/admin', 'alice');
    expect(response.status).toBe(500);
    expect(reached).toBe(0);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toMatch(/none is registered in this Fastify context: `await app.register\(sessionGuard, \{ guard \}\)` first/);
    expect(w.fake.calls.check).toBe(0);
  });
});
