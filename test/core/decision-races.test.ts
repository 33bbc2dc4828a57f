import { InsufficientPermissionError, SessionInactiveError, type AuthenticateOptions } from '../../src/index';
import { APP, asUser, gatedFetch, rejectionOf, until, useHarness } from './fixtures';

const ADMIN: AuthenticateOptions = { roles: ['admin'] };
const READ: AuthenticateOptions = { permissions: { namespace: 'orders', action: 'read', resources: ['order:1'] } };
/** Lets answers that have arrived reach their waiters (real time: the fake answers over HTTP). */
const settleFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SESSION = (url: string) => url.endsWith('/api/v3/check-session-status');
const ROLES = (url: string) => url.endsWith('/api/v3/has-any-role');

/**
 * A decision built from several answers holds against an invalidation that lands while it is being made (issue 18,
 * item 1; docs/consistency.md). Each case holds one GenAuth call open (the fake has answered: the held answer is the
 * state before the revocation), revokes at GenAuth and invalidates the guard meanwhile, then lets the call through.
 */
describe('an invalidation during a decision that waits for an answer', () => {
  const h = useHarness();

  async function adminAlice() {
    const { fake } = h();
    await fake.login('alice', APP);
    fake.assignRole('alice', 'admin');
  }

  it('role answer cached, session call slow, role revoked and invalidated during it: 403, not a pass', async () => {
    const { fake } = h();
    await adminAlice();
    const gate = gatedFetch(SESSION);
    const guard = h().guard({ fetch: gate.fetch, circuitBreaker: false });
    await expect(guard.checkRoles('alice', ['admin'], { appId: APP })).resolves.toBe(true); // cached: allowed
    const request = guard.authenticate(asUser('alice'), APP, ADMIN);
    await until(() => gate.held === 1, 'session call held');
    fake.revokeRole('alice', 'admin');
    guard.invalidateAuthorization('alice'); // what a role:unassigned webhook does
    gate.release();
    const refusal = await rejectionOf(request);
    expect(refusal).toBeInstanceOf(InsufficientPermissionError);
    expect(fake.calls.roles).toBe(2); // asked again after the revocation
  });

  it('the same through applyWebhookEvent (role:unassigned names the user): 403', async () => {
    const { fake } = h();
    await adminAlice();
    const gate = gatedFetch(SESSION);
    const guard = h().guard({ fetch: gate.fetch, circuitBreaker: false });
    await guard.checkRoles('alice', ['admin'], { appId: APP });
    const request = guard.authenticate(asUser('alice'), APP, ADMIN);
    await until(() => gate.held === 1, 'session call held');
    fake.revokeRole('alice', 'admin');
    expect(guard.applyWebhookEvent({ eventName: 'role:unassigned', data: { userIds: ['alice'] } } as never).outcome).toBe('authorization');
    gate.release();
    await expect(rejectionOf(request)).resolves.toBeInstanceOf(InsufficientPermissionError);
  });

  it('session answer cached, has-any-role slow, user kicked and invalidated during it: 401, not a pass', async () => {
    const { fake } = h();
    await adminAlice();
    const gate = gatedFetch(ROLES);
    const guard = h().guard({ fetch: gate.fetch, circuitBreaker: false });
    await guard.checkSession('alice', APP); // cached: active
    const request = guard.authenticate(asUser('alice'), APP, ADMIN);
    await until(() => gate.held === 1, 'role call held');
    fake.kick('alice');
    guard.invalidate('alice');
    gate.release();
    await expect(rejectionOf(request)).resolves.toBeInstanceOf(SessionInactiveError);
    expect(fake.calls.check).toBe(2);
  });

  it('session answer kept from a prefix guard of the same request (cache off), has-any-role slow, kick invalidated during it: 401', async () => {
    const { fake } = h();
    await adminAlice();
    const gate = gatedFetch(ROLES);
    const guard = h().guard({ fetch: gate.fetch, cache: false, circuitBreaker: false });
    const req = asUser('alice');
    await guard.authenticate(req, APP); // the prefix guard: its answer is kept for this request
    const request = guard.authenticate(req, APP, ADMIN); // the route: the kept answer, and the roles asked
    await until(() => gate.held === 1, 'role call held');
    expect(fake.calls.check).toBe(1); // the route did not ask for the session
    fake.kick('alice');
    guard.invalidate('alice');
    gate.release();
    await expect(rejectionOf(request)).resolves.toBeInstanceOf(SessionInactiveError);
    expect(fake.calls.check).toBe(2); // asked again after the revocation
  });

  it('both asked, the session answer in first, kick invalidated while the role call is still out: 401', async () => {
    const { fake } = h();
    await adminAlice();
    const gate = gatedFetch(ROLES);
    const guard = h().guard({ fetch: gate.fetch, circuitBreaker: false });
    const request = guard.authenticate(asUser('alice'), APP, ADMIN);
    await until(() => gate.held === 1 && fake.calls.check === 1, 'both calls made, the role call held');
    // Let the session answer reach the cache (it is in before the role answer).
    await settleFor(50);
    fake.kick('alice');
    guard.invalidate('alice');
    gate.release();
    await expect(rejectionOf(request)).resolves.toBeInstanceOf(SessionInactiveError);
  });

  it('roles and permissions both asked, one answered before a revocation of both and one after: not a pass', async () => {
    const { fake } = h();
    await adminAlice();
    fake.grantPermission('alice', { namespace: 'orders', action: 'read', resource: 'order:1' });
    const gate = gatedFetch(ROLES);
    const guard = h().guard({ fetch: gate.fetch, circuitBreaker: false });
    await guard.checkSession('alice', APP);
    const request = guard.authenticate(asUser('alice'), APP, { ...ADMIN, ...READ });
    await until(() => gate.held === 1 && fake.calls.permissions === 1, 'both calls made, the role call held');
    // Let the permission answer reach its waiter (lru-cache's size counts the role lookup under way too).
    await settleFor(50);
    fake.revokePermission('alice', { namespace: 'orders', action: 'read', resource: 'order:1' });
    guard.invalidateAuthorization('alice');
    gate.release();
    await expect(rejectionOf(request)).resolves.toBeInstanceOf(InsufficientPermissionError);
  });

  it('invalidated on every ask: a 503 in the end, never a pass', async () => {
    const { fake } = h();
    await adminAlice();
    const gate = gatedFetch(ROLES);
    const guard = h().guard({ fetch: gate.fetch, circuitBreaker: false });
    await guard.checkSession('alice', APP);
    const request = guard.authenticate(asUser('alice'), APP, ADMIN).then(() => 'passed', (error: { status?: number }) => error.status);
    for (let round = 1; round <= 3; round++) {
      await until(() => gate.held === round, `role call ${round} held`);
      guard.invalidate('alice');
      // Each new round finds no session answer: let it in before the next role call is held.
      gate.releaseHeld();
    }
    gate.release();
    await expect(request).resolves.toBe(503);
  });
});
