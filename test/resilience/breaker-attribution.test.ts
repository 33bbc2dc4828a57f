import { SessionCheckUnavailableError, type AuthenticateOptions } from '../../src/index';
import { APP, asUser, rejectionOf, startServer, useHarness } from '../core/fixtures';

const ADMIN: AuthenticateOptions = { roles: ['admin'] };
const READ: AuthenticateOptions = { permissions: { namespace: 'orders', action: 'read', resources: ['order:1'] } };

/**
 * Issue 18, item 7: failures are attributed per endpoint. An answer the host gave (5xx, 429, malformed) counts for
 * its endpoint only; no answer at all (network, timeout) counts for every endpoint.
 */
describe('circuit breakers per endpoint', () => {
  const h = useHarness();

  it('five failing has-any-role calls do not refuse session-only routes of other users', async () => {
    const { fake } = h();
    const guard = h().guard();
    await fake.login('bob', APP);
    fake.fault({ kind: 'http-status', status: 500 }, { endpoint: 'roles' });
    for (let i = 0; i < 5; i++) {
      await expect(guard.checkRoles(`user-${i}`, ['admin'])).rejects.toBeInstanceOf(SessionCheckUnavailableError);
    }
    expect(fake.calls.roles).toBe(5);
    await expect(h().ask(guard, 'bob')).resolves.toMatchObject({ userId: 'bob', session: { source: 'upstream' } });
    expect(guard.health()).toMatchObject({ ok: true, circuit: 'closed' });
    expect(guard.stats().circuits).toEqual({ 'check-session-status': 'closed', 'has-any-role': 'open', 'check-permission': 'closed' });
    // The role circuit itself is open: the next role call fails fast, GenAuth not asked.
    await expect(guard.checkRoles('user-6', ['admin'])).rejects.toBeInstanceOf(SessionCheckUnavailableError);
    expect(fake.calls.roles).toBe(5);
  });

  it('a failing role endpoint on role routes (session answers cached): session-only and permission routes pass', async () => {
    const { fake } = h();
    const guard = h().guard();
    await fake.login('alice', APP);
    await fake.login('bob', APP);
    fake.grantPermission('bob', { namespace: 'orders', action: 'read', resource: 'order:1' });
    await h().ask(guard, 'alice'); // alice's session answer cached
    fake.fault({ kind: 'body-status', statusCode: 503 }, { endpoint: 'roles' });
    for (let i = 0; i < 6; i++) {
      expect(await rejectionOf(guard.authenticate(asUser('alice'), APP, ADMIN))).toMatchObject({ status: 503 });
    }
    await expect(h().ask(guard, 'bob')).resolves.toMatchObject({ userId: 'bob' });
    await expect(guard.authenticate(asUser('bob'), APP, READ)).resolves.toMatchObject({ userId: 'bob' });
    expect(guard.stats().circuits['has-any-role']).toBe('open');
  });

  it('a failing check-permission does not close role routes', async () => {
    const { fake } = h();
    const guard = h().guard();
    fake.assignRole('carol', 'admin');
    fake.fault({ kind: 'malformed' }, { endpoint: 'permissions' });
    for (let i = 0; i < 5; i++) {
      await expect(guard.checkPermissions('carol', READ.permissions!)).rejects.toBeInstanceOf(SessionCheckUnavailableError);
    }
    await expect(guard.checkRoles('carol', ['admin'])).resolves.toBe(true);
    expect(guard.stats().circuits).toMatchObject({ 'has-any-role': 'closed', 'check-permission': 'open' });
  });

  it('a host that does not answer (connection reset on has-any-role) still opens the session circuit as fast', async () => {
    const { fake } = h();
    const guard = h().guard();
    await fake.login('bob', APP);
    fake.fault({ kind: 'reset' }, { endpoint: 'roles' });
    for (let i = 0; i < 5; i++) {
      await expect(guard.checkRoles(`user-${i}`, ['admin'])).rejects.toBeInstanceOf(SessionCheckUnavailableError);
    }
    expect(guard.stats().circuits).toEqual({ 'check-session-status': 'open', 'has-any-role': 'open', 'check-permission': 'open' });
    const checks = fake.calls.check;
    expect(await rejectionOf(h().ask(guard, 'bob'))).toMatchObject({ status: 503 });
    expect(fake.calls.check).toBe(checks); // failed fast
  });

  it('an unreachable host opens every circuit after five failed calls of any kind, as one breaker did', async () => {
    const dead = await startServer(() => undefined);
    await dead.close();
    const guard = h().guard({ host: dead.url, auth: 'signature' });
    await rejectionOf(guard.checkRoles('a', ['admin']));
    await rejectionOf(guard.checkPermissions('a', READ.permissions!));
    await rejectionOf(h().ask(guard, 'a'));
    await rejectionOf(guard.checkRoles('b', ['admin']));
    expect(guard.stats().circuit).toBe('closed');
    await rejectionOf(h().ask(guard, 'b'));
    expect(guard.stats().circuits).toEqual({ 'check-session-status': 'open', 'has-any-role': 'open', 'check-permission': 'open' });
    expect(guard.health()).toMatchObject({ ok: false, circuit: 'open' });
  });

  it('a failed management token call counts for every endpoint (every call needs it)', async () => {
    const { fake } = h();
    const guard = h().guard({ auth: 'token' });
    fake.fault({ kind: 'http-status', status: 502 }, { endpoint: 'token' });
    for (let i = 0; i < 5; i++) await rejectionOf(guard.checkRoles(`user-${i}`, ['admin']));
    expect(guard.stats().circuits).toEqual({ 'check-session-status': 'open', 'has-any-role': 'open', 'check-permission': 'open' });
  });
});
