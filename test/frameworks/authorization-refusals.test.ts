import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { bearerJwt, createSessionGuard, type SessionGuard, type SessionGuardOptions } from '../../src/index';
import { frameworks, manualClock, type RunningApp } from '../support/frameworks';

const APP = 'app-1';
const PERMISSIONS = { namespace: 'orders', action: 'read', resources: ['order:1', 'order:2'] };

/**
 * Two security-relevant lines, each pinned directly (an audit found each caught by one test only):
 * - src/core/session-guard.ts `#decideWithPolicy`: a cached inactive session answer refuses before anything else,
 *   even when the route's roles are cached as allowed (without it, a kicked user holding the role passes from the
 *   cache);
 * - src/client/genauth-client.ts `checkPermission`: a resource missing from `checkResultList` is not granted.
 */
describe.each(frameworks)('$name: authorization refusals that must hold', (framework) => {
  let fake: FakeGenAuth;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    fake = await createFakeGenAuth({ clock: manualClock() });
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await fake.close();
  });

  async function start(route: Record<string, unknown>, guardOptions: Partial<SessionGuardOptions> = {}) {
    const guard: SessionGuard = createSessionGuard({
      host: fake.host,
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      identity: bearerJwt({ issuer: fake.issuer, audience: APP }),
      timeoutMs: 10_000,
      retries: 0,
      circuitBreaker: false,
      ...guardOptions,
    } as SessionGuardOptions);
    const reached = { count: 0 };
    const app: RunningApp = await framework.start(APP, { guard, ...route }, reached);
    closers.push(() => guard.close(), () => app.close());
    return { guard, app, reached };
  }

  async function get(app: RunningApp, token: string) {
    const response = await fetch(`${app.url}/admin`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { error?: string };
    return { status: response.status, error: body.error };
  }

  it('refuses a kicked user who holds the role, and again from the cache (roles cached as allowed)', async () => {
    const { guard, app, reached } = await start({ roles: ['admin'] });
    const token = await fake.login('alice', APP);
    fake.assignRole('alice', 'admin');
    await expect(get(app, token)).resolves.toEqual({ status: 200, error: undefined });
    expect(fake.calls).toMatchObject({ check: 1, roles: 1 });

    fake.kick('alice');
    guard.invalidate('alice');
    // The first request after the kick asks both questions: the session is inactive, the role is still held.
    await expect(get(app, token)).resolves.toEqual({ status: 401, error: 'session_inactive' });
    expect(fake.calls).toMatchObject({ check: 2, roles: 2 });
    expect(guard.stats().authorization).toMatchObject({ upstreamCalls: 2 });

    // Both answers are now cached: inactive session, role allowed. The cached inactive answer must win.
    await expect(get(app, token)).resolves.toEqual({ status: 401, error: 'session_inactive' });
    await expect(get(app, token)).resolves.toEqual({ status: 401, error: 'session_inactive' });
    expect(fake.calls).toMatchObject({ check: 2, roles: 2 }); // served from the cache, nothing asked
    expect(reached.count).toBe(1);
  });

  it('reads a resource missing from checkResultList as not granted (403), never as a pass', async () => {
    // GenAuth answering for order:1 only (as if order:2 were unknown to it); everything else is the fake's own answer.
    const withoutOrder2 = async (input: string | URL, init?: RequestInit): Promise<Response> => {
      const response = await fetch(input, init);
      if (!String(input).endsWith('/api/v3/check-permission')) return response;
      const envelope = (await response.json()) as { data: { checkResultList: Array<{ resource: string }> } };
      const checkResultList = envelope.data.checkResultList.filter((entry) => entry.resource !== 'order:2');
      expect(checkResultList).toHaveLength(1); // the fake did answer for order:1
      return Response.json({ ...envelope, data: { checkResultList } });
    };
    const { guard, app, reached } = await start({ permissions: PERMISSIONS }, { fetch: withoutOrder2 });
    const token = await fake.login('alice', APP);
    fake.grantPermission('alice', { namespace: 'orders', action: 'read', resource: 'order:1' });
    fake.grantPermission('alice', { namespace: 'orders', action: 'read', resource: 'order:2' });

    await expect(get(app, token)).resolves.toEqual({ status: 403, error: 'insufficient_permission' });
    await expect(get(app, token)).resolves.toEqual({ status: 403, error: 'insufficient_permission' }); // cached denial
    expect(fake.calls.permissions).toBe(1);
    // The direct call (its own cache entries, app '') asks again and reads the same answer the same way.
    await expect(guard.checkPermissions('alice', PERMISSIONS)).resolves.toBe(false);
    expect(fake.calls.permissions).toBe(2);
    // The same user and grants pass once the answer names every resource: the refusal above was the missing entry.
    await expect(guard.checkPermissions('alice', { ...PERMISSIONS, resources: ['order:1'] })).resolves.toBe(true);
    expect(fake.calls.permissions).toBe(3);
    expect(reached.count).toBe(0);
  });
});
