import {
  InsufficientPermissionError,
  SessionCheckUnavailableError,
  createSessionGuard,
  header,
  requireActiveSession,
  type AuthenticateOptions,
  type SessionGuardOptions,
} from '../../src/index';
import { requireActiveSession as requireKoa } from '../../src/koa';
import { APP, asUser, gatedFetch, manualClock, rejectionOf, until, useHarness } from './fixtures';

const ADMIN: AuthenticateOptions = { roles: ['admin'] };
const OWNER: AuthenticateOptions = { roles: ['owner'] };
const READ_ORDERS: AuthenticateOptions = { permissions: { namespace: 'orders', action: 'read', resources: ['order:1', 'order:2'] } };

describe('roles and permissions through the guard', () => {
  const harness = useHarness();

  async function liveUser(userId = 'alice') {
    const { fake } = harness();
    await fake.login(userId, APP);
    return userId;
  }

  it('keeps two policies apart: a role one route allows does not open another route', async () => {
    const { fake } = harness();
    const guard = harness().guard();
    const userId = await liveUser();
    fake.assignRole(userId, 'admin');
    await expect(guard.authenticate(asUser(userId), APP, ADMIN)).resolves.toMatchObject({ authorization: { roles: [{ code: 'admin' }], source: 'upstream' } });
    const refusal = await rejectionOf(guard.authenticate(asUser(userId), APP, OWNER));
    expect(refusal).toBeInstanceOf(InsufficientPermissionError);
    expect(refusal).toMatchObject({ status: 403, code: 'insufficient_permission' });
    expect(fake.calls.roles).toBe(2);
    // Both answers are cached, each under its own policy.
    await expect(guard.authenticate(asUser(userId), APP, ADMIN)).resolves.toMatchObject({ authorization: { source: 'cache' } });
    await expect(rejectionOf(guard.authenticate(asUser(userId), APP, OWNER))).resolves.toMatchObject({ status: 403 });
    expect(fake.calls.roles).toBe(2);
    // Permissions on other resources are another question too.
    fake.grantPermission(userId, { namespace: 'orders', action: 'read', resource: 'order:1' });
    await expect(rejectionOf(guard.authenticate(asUser(userId), APP, READ_ORDERS))).resolves.toMatchObject({ status: 403 });
    await expect(guard.authenticate(asUser(userId), APP, { permissions: { namespace: 'orders', action: 'read', resources: ['order:1'] } }))
      .resolves.toMatchObject({ authorization: { source: 'upstream' } });
    expect(fake.calls.permissions).toBe(2);
  });

  it('shares one answer between policies that differ only in order or repetition', async () => {
    const { fake } = harness();
    const guard = harness().guard();
    const userId = await liveUser();
    fake.assignRole(userId, 'b', 'ns');
    await guard.authenticate(asUser(userId), APP, { roles: ['a', { code: 'b', namespace: 'ns' }] });
    await guard.authenticate(asUser(userId), APP, { roles: [{ code: 'b', namespace: 'ns' }, 'a', 'a'] });
    // { code: 'b' } without a namespace is another role.
    await expect(rejectionOf(guard.authenticate(asUser(userId), APP, { roles: ['b'] }))).resolves.toMatchObject({ status: 403 });
    expect(fake.calls.roles).toBe(2);
  });

  it('1,000 concurrent cold requests make one call per endpoint', async () => {
    const { fake } = harness();
    const guard = harness().guard();
    const userId = await liveUser();
    fake.assignRole(userId, 'admin');
    fake.grantPermission(userId, { namespace: 'orders', action: 'read', resource: 'order:1' });
    fake.grantPermission(userId, { namespace: 'orders', action: 'read', resource: 'order:2' });
    const options: AuthenticateOptions = { ...ADMIN, ...READ_ORDERS };
    const answers = await Promise.all(Array.from({ length: 1_000 }, () => guard.authenticate(asUser(userId), APP, options)));
    expect(answers.every((auth) => auth.userId === userId && auth.authorization?.roles?.[0]?.code === 'admin')).toBe(true);
    expect(fake.calls).toMatchObject({ check: 1, roles: 1, permissions: 1 });
    expect(guard.stats().authorization).toMatchObject({ upstreamCalls: 2, misses: 2, coalesced: 1_998 });
  });

  it('asks for the session and the roles at the same time on a cold request', async () => {
    const { fake } = harness();
    const gate = gatedFetch((url) => url.endsWith('/api/v3/check-session-status'));
    const guard = harness().guard({ fetch: gate.fetch });
    const userId = await liveUser();
    fake.assignRole(userId, 'admin');
    const pending = guard.authenticate(asUser(userId), APP, ADMIN);
    // The session answer is held: the roles call went out anyway.
    await until(() => gate.held === 1 && fake.calls.roles === 1, 'roles asked while the session answer is held');
    gate.release();
    await expect(pending).resolves.toMatchObject({ session: { source: 'upstream' }, authorization: { source: 'upstream' } });
  });

  it('a kicked user sees 401, not 403, even when the role is missing too', async () => {
    const { fake } = harness();
    const guard = harness().guard();
    const userId = await liveUser();
    fake.kick(userId);
    await expect(rejectionOf(guard.authenticate(asUser(userId), APP, ADMIN))).resolves.toMatchObject({ status: 401, code: 'session_inactive' });
    // Cached inactive: refused at once, no authorization call.
    fake.resetCalls();
    await expect(rejectionOf(guard.authenticate(asUser(userId), APP, ADMIN))).resolves.toMatchObject({ status: 401 });
    expect(fake.calls).toMatchObject({ check: 0, roles: 0 });
  });

  it('keeps an allowed answer ttlMs and a denied one inactiveTtlMs', async () => {
    const { fake, clock } = harness();
    const guard = harness().guard({ cache: { ttlMs: 5_000, inactiveTtlMs: 1_000, refreshAheadMs: 0 } });
    const userId = await liveUser();
    fake.assignRole(userId, 'admin');
    await guard.authenticate(asUser(userId), APP, ADMIN);
    fake.revokeRole(userId, 'admin');
    clock.advance(4_999);
    await expect(guard.authenticate(asUser(userId), APP, ADMIN)).resolves.toMatchObject({ authorization: { source: 'cache' } });
    clock.advance(1);
    await expect(rejectionOf(guard.authenticate(asUser(userId), APP, ADMIN))).resolves.toMatchObject({ status: 403 });
    expect(fake.calls.roles).toBe(2);
    fake.assignRole(userId, 'admin');
    clock.advance(999);
    await expect(rejectionOf(guard.authenticate(asUser(userId), APP, ADMIN))).resolves.toMatchObject({ status: 403 });
    expect(fake.calls.roles).toBe(2);
    clock.advance(1);
    await expect(guard.authenticate(asUser(userId), APP, ADMIN)).resolves.toMatchObject({ authorization: { source: 'upstream' } });
    expect(fake.calls.roles).toBe(3);
  });

  it('never keeps an answer past the credential expiry', async () => {
    const { fake, clock } = harness();
    const guard = harness().guard();
    const userId = await liveUser();
    fake.assignRole(userId, 'admin');
    await expect(guard.checkRoles(userId, ['admin'], { appId: APP, expiresAt: clock() + 100 })).resolves.toBe(true);
    await expect(guard.checkRoles(userId, ['admin'], { appId: APP, expiresAt: clock() + 100 })).resolves.toBe(true);
    expect(fake.calls.roles).toBe(1);
    clock.advance(100);
    fake.revokeRole(userId, 'admin');
    await expect(guard.checkRoles(userId, ['admin'], { appId: APP })).resolves.toBe(false);
    expect(fake.calls.roles).toBe(2);
  });

  it('expires answers stored at clock 0 (lru-cache alone would keep them forever)', async () => {
    const { fake } = harness();
    const clock = manualClock(0);
    const guard = harness().guard({ clock, cache: { ttlMs: 1_000, refreshAheadMs: 0 } });
    const userId = await liveUser();
    fake.assignRole(userId, 'admin');
    await expect(guard.checkRoles(userId, ['admin'])).resolves.toBe(true);
    fake.revokeRole(userId, 'admin');
    clock.advance(1_000);
    await expect(guard.checkRoles(userId, ['admin'])).resolves.toBe(false);
    expect(fake.calls.roles).toBe(2);
  });

  it('never caches a failure: 503 with Retry-After, then the next request asks again', async () => {
    const { fake } = harness();
    const guard = harness().guard();
    const userId = await liveUser();
    fake.assignRole(userId, 'admin');
    fake.fault({ kind: 'http-status', status: 502, html: true }, { endpoint: 'roles', times: 1 });
    const refusal = await rejectionOf(guard.authenticate(asUser(userId), APP, ADMIN));
    expect(refusal).toBeInstanceOf(SessionCheckUnavailableError);
    expect(refusal.headers['retry-after']).toBe('1');
    await expect(guard.authenticate(asUser(userId), APP, ADMIN)).resolves.toMatchObject({ authorization: { source: 'upstream' } });
    expect(fake.calls.roles).toBe(2);
  });

  it('an invalidation that lands while the roles are being asked keeps the earlier answer out of the cache', async () => {
    const { fake } = harness();
    const gate = gatedFetch((url) => url.endsWith('/api/v3/has-any-role'));
    const guard = harness().guard({ fetch: gate.fetch });
    const userId = await liveUser();
    fake.assignRole(userId, 'admin');
    const pending = rejectionOf(guard.authenticate(asUser(userId), APP, ADMIN));
    await until(() => gate.held === 1, 'the roles answer (admin: yes) is held');
    fake.revokeRole(userId, 'admin');
    guard.invalidateAuthorization(userId);
    gate.release();
    // The held "yes" predates the invalidation: the request asks again and is refused.
    await expect(pending).resolves.toMatchObject({ status: 403 });
    await expect(rejectionOf(guard.authenticate(asUser(userId), APP, ADMIN))).resolves.toMatchObject({ status: 403 });
    expect(fake.calls.roles).toBe(2);
  });

  it('invalidate(userId, appId) and invalidateAuthorization() drop authorization answers', async () => {
    const { fake } = harness();
    const guard = harness().guard();
    const userId = await liveUser();
    const other = await liveUser('bob');
    fake.assignRole(userId, 'admin');
    fake.assignRole(other, 'admin');
    await guard.authenticate(asUser(userId), APP, ADMIN);
    await guard.authenticate(asUser(other), APP, ADMIN);
    fake.revokeRole(userId, 'admin');
    expect(guard.invalidate(userId, APP)).toBe(2); // the session answer and the roles answer
    await expect(rejectionOf(guard.authenticate(asUser(userId), APP, ADMIN))).resolves.toMatchObject({ status: 403 });
    await expect(guard.authenticate(asUser(other), APP, ADMIN)).resolves.toMatchObject({ authorization: { source: 'cache' } });
    fake.revokeRole(other, 'admin');
    expect(guard.invalidateAuthorization()).toBe(2);
    await expect(rejectionOf(guard.authenticate(asUser(other), APP, ADMIN))).resolves.toMatchObject({ status: 403 });
    expect(guard.stats().authorization.size).toBe(1); // bob's new answer; alice's went with the rest
  });

  it('direct checks take the app ids a route takes (or the default), and refuse others before any call', async () => {
    const { fake } = harness();
    const guard = harness().guard();
    fake.assignRole('alice', 'admin');
    await expect(guard.checkRoles('alice', ['admin'])).resolves.toBe(true);
    await expect(guard.checkRoles('alice', ['admin'], { appId: APP })).resolves.toBe(true);
    for (const appId of [' ', 'x'.repeat(129), 'app\u0000', 'app\n1']) {
      await expect(guard.checkRoles('alice', ['admin'], { appId })).rejects.toMatchObject({ code: 'invalid_app_id', status: 400 });
      await expect(guard.checkPermissions('alice', { namespace: 'n', action: 'a', resources: ['r'] }, { appId })).rejects.toMatchObject({ code: 'invalid_app_id' });
    }
    expect(fake.calls.roles).toBe(2);
    expect(fake.calls.permissions).toBe(0);
  });

  it('with cache: false asks every time, sharing one call among concurrent identical lookups', async () => {
    const { fake } = harness();
    const guard = harness().guard({ cache: false });
    const userId = await liveUser();
    fake.assignRole(userId, 'admin');
    await Promise.all(Array.from({ length: 20 }, () => guard.authenticate(asUser(userId), APP, ADMIN)));
    expect(fake.calls.roles).toBe(1);
    fake.revokeRole(userId, 'admin');
    await expect(rejectionOf(guard.authenticate(asUser(userId), APP, ADMIN))).resolves.toMatchObject({ status: 403 });
    expect(fake.calls.roles).toBe(2);
  });

  it('works under the signature scheme too', async () => {
    const { fake } = harness();
    const guard = harness().guard({ auth: 'signature' });
    const userId = await liveUser();
    fake.assignRole(userId, 'auditor', 'finance');
    fake.grantPermission(userId, { namespace: 'orders', action: 'read', resource: 'order:1' });
    fake.grantPermission(userId, { namespace: 'orders', action: 'read', resource: 'order:2' });
    await expect(guard.authenticate(asUser(userId), APP, { roles: [{ code: 'auditor', namespace: 'finance' }], ...READ_ORDERS }))
      .resolves.toMatchObject({ authorization: { source: 'upstream' } });
    await expect(guard.checkPermissions(userId, { namespace: 'orders', action: 'write', resources: ['order:1'] })).resolves.toBe(false);
    expect(fake.calls).toMatchObject({ roles: 1, permissions: 2, refused: 0, token: 0 });
  });

  it('reads a missing or disabled entry of checkResultList as denied', async () => {
    const { fake } = harness();
    const lists: Record<string, unknown[]> = {
      missing: [{ namespaceCode: 'orders', action: 'read', resource: 'order:1', enabled: true }],
      conflicting: [
        { namespaceCode: 'orders', action: 'read', resource: 'order:1', enabled: true },
        { namespaceCode: 'orders', action: 'read', resource: 'order:2', enabled: true },
        { namespaceCode: 'orders', action: 'read', resource: 'order:2', enabled: false },
      ],
      complete: [
        { namespaceCode: 'orders', action: 'read', resource: 'order:2', enabled: true },
        { namespaceCode: 'orders', action: 'read', resource: 'order:1', enabled: true },
      ],
    };
    let current = 'missing';
    const rewrite = async (input: string | URL, init?: RequestInit): Promise<Response> => {
      const response = await fetch(input, init);
      if (!String(input).endsWith('/api/v3/check-permission')) return response;
      await response.arrayBuffer();
      return new Response(JSON.stringify({ statusCode: 200, message: 'ok', data: { checkResultList: lists[current] } }), {
        status: 200, headers: { 'content-type': 'application/json' },
      });
    };
    const guard = harness().guard({ fetch: rewrite, cache: false });
    const userId = await liveUser();
    await expect(rejectionOf(guard.authenticate(asUser(userId), APP, READ_ORDERS))).resolves.toMatchObject({ status: 403 });
    current = 'conflicting';
    await expect(rejectionOf(guard.authenticate(asUser(userId), APP, READ_ORDERS))).resolves.toMatchObject({ status: 403 });
    current = 'complete';
    await expect(guard.authenticate(asUser(userId), APP, READ_ORDERS)).resolves.toMatchObject({ userId });
  });

  it('refuses a malformed answer with 503, never a pass or a 403', async () => {
    const { fake } = harness();
    const guard = harness().guard();
    const userId = await liveUser();
    fake.assignRole(userId, 'admin');
    fake.fault({ kind: 'non-boolean-active' }, { endpoint: 'roles' });
    await expect(rejectionOf(guard.authenticate(asUser(userId), APP, ADMIN))).resolves.toMatchObject({ status: 503 });
    await expect(rejectionOf(guard.checkRoles(userId, ['admin']))).resolves.toBeInstanceOf(SessionCheckUnavailableError);
  });

  it('checks scopes locally against the token scope claim (string or array)', async () => {
    const guard = harness().guard({
      identity: (req) => ({ userId: String(req.headers['x-user-id']), claims: JSON.parse(String(req.headers['x-claims'])) as Record<string, unknown> }),
    });
    const { fake } = harness();
    const userId = await liveUser();
    const ask = (claims: unknown) => guard.authenticate({ headers: { 'x-user-id': userId, 'x-claims': JSON.stringify(claims) } }, APP, { scopes: ['a', 'b'] });
    await expect(ask({ scope: 'b  a c' })).resolves.toMatchObject({ authorization: { scopes: ['a', 'b'], source: 'local' } });
    await expect(ask({ scope: ['a', 'b'] })).resolves.toMatchObject({ authorization: { source: 'local' } });
    for (const claims of [{ scope: 'a' }, { scope: 'ab' }, {}, { scope: 42 }, { scope: ['a', 7] }]) {
      await expect(rejectionOf(ask(claims))).resolves.toMatchObject({ status: 403, code: 'insufficient_permission' });
    }
    expect(fake.calls).toMatchObject({ roles: 0, permissions: 0 });
  });
});

describe('authorization options are checked at construction', () => {
  const harness = useHarness();
  const bad: Array<[string, Record<string, unknown>]> = [
    ['an empty roles array', { roles: [] }],
    ['roles that are not an array', { roles: 'admin' }],
    ['a role without code', { roles: [{ namespace: 'ns' }] }],
    ['a role with an empty code', { roles: [''] }],
    ['a role with an empty namespace', { roles: [{ code: 'admin', namespace: '' }] }],
    ['permissions without namespace', { permissions: { action: 'read', resources: ['r'] } }],
    ['permissions without action', { permissions: { namespace: 'ns', resources: ['r'] } }],
    ['permissions without resources', { permissions: { namespace: 'ns', action: 'read' } }],
    ['permissions with empty resources', { permissions: { namespace: 'ns', action: 'read', resources: [] } }],
    ['permissions with a non-string resource', { permissions: { namespace: 'ns', action: 'read', resources: [1] } }],
    ['non-string scopes', { scopes: ['read', 1] }],
    ['scopes that are a string', { scopes: 'read' }],
  ];

  it.each(bad)('%s: TypeError from requireActiveSession (Express and Koa) and from authenticate', async (_name, policy) => {
    const guard = harness().guard();
    expect(() => requireActiveSession(APP, { guard, ...policy } as never)).toThrow(TypeError);
    expect(() => requireKoa(APP, { guard, ...policy } as never)).toThrow(TypeError);
    await expect(guard.authenticate(asUser('alice'), APP, policy as AuthenticateOptions)).rejects.toBeInstanceOf(TypeError);
  });

  it('takes the options with guard options too', () => {
    const { fake } = harness();
    const options = { host: fake.host, accessKeyId: 'id', accessKeySecret: 'secret', identity: header('x-user-id') } as SessionGuardOptions;
    expect(() => requireActiveSession(APP, { ...options, roles: [] } as never)).toThrow(TypeError);
    expect(() => createSessionGuard(options).close()).not.toThrow();
  });
});
