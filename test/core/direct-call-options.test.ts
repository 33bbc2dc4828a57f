/**
 * The options of the guard's direct calls fail closed (issue 18, item 4): `authenticate(req, appId, { role })` used
 * to pass every signed-in user. Direct calls reject (never throw synchronously), before the extractor or GenAuth.
 */
import type { AuthenticateOptions, Identity } from '../../src/index';
import { APP, asUser, rejectionOf, useHarness } from './fixtures';

/** Calls `call` and returns its promise; a synchronous throw fails the test. */
function settles<T>(call: () => Promise<T>): Promise<T> {
  let promise: Promise<T> | undefined;
  expect(() => {
    promise = call();
  }).not.toThrow();
  return promise!;
}

describe('guard.authenticate(req, appId, options): an unknown key rejects with a TypeError', () => {
  const h = useHarness();

  it.each<[string, Record<string, unknown>, string]>([
    ['role', { role: ['admin'] }, 'unknown option "role" in authenticate options; did you mean "roles"?'],
    ['permission', { permission: { namespace: 'n', action: 'a', resources: ['r'] } }, 'unknown option "permission" in authenticate options; did you mean "permissions"?'],
    ['scope', { scope: ['s'] }, 'unknown option "scope" in authenticate options; did you mean "scopes"?'],
    ['guard', { guard: {} }, 'unknown option "guard" in authenticate options; it takes "identity", "roles", "permissions", "scopes"'],
  ])('%s', async (_label, options, message) => {
    const { fake } = h();
    const identity = jest.fn((): Identity => ({ userId: 'alice' }));
    const guard = h().guard({ identity });
    await fake.login('alice', APP);
    const error = await rejectionOf(settles(() => guard.authenticate(asUser('alice'), APP, options as AuthenticateOptions)));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(`genauth-session-guard: ${message}`);
    expect(identity).not.toHaveBeenCalled();
    expect(fake.calls).toMatchObject({ token: 0, check: 0, roles: 0, permissions: 0 });
    expect(guard.stats()).toMatchObject({ size: 0, misses: 0, authorization: { size: 0, misses: 0 } });
  });

  it('an options object that is not an object rejects with a TypeError', async () => {
    const guard = h().guard();
    const error = await rejectionOf(settles(() => guard.authenticate(asUser('alice'), APP, 'roles' as never)));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('genauth-session-guard: the options of authenticate must be an object.');
  });

  it('a route\'s options object is checked once: its keys are not read again on later requests', async () => {
    const { fake } = h();
    const guard = h().guard();
    await fake.login('alice', APP);
    let enumerations = 0;
    const options = new Proxy({ scopes: [] as string[] }, {
      ownKeys(target) {
        enumerations++;
        return Reflect.ownKeys(target);
      },
    });
    for (let i = 0; i < 5; i++) await guard.authenticate(asUser('alice'), APP, options);
    expect(enumerations).toBeLessThanOrEqual(1);
    expect(fake.calls.check).toBe(1);
  });
});

describe('guard.checkRoles / checkPermissions options: an unknown key rejects with a TypeError, nothing asked', () => {
  const h = useHarness();
  const PERMISSIONS = { namespace: 'orders', action: 'read', resources: ['order:1'] };

  it.each<[string, Record<string, unknown>, string]>([
    ['appid', { appid: APP }, 'unknown option "appid" in checkRoles/checkPermissions options; did you mean "appId"?'],
    ['expires', { expires: 1 }, 'unknown option "expires" in checkRoles/checkPermissions options; did you mean "expiresAt"?'],
    ['ttlMs', { ttlMs: 1 }, 'unknown option "ttlMs" in checkRoles/checkPermissions options; it takes "appId", "expiresAt"'],
    ['roles (a policy is not an option here)', { roles: ['admin'] }, 'unknown option "roles" in checkRoles/checkPermissions options; it takes "appId", "expiresAt"'],
  ])('%s', async (_label, options, message) => {
    const { fake } = h();
    const guard = h().guard();
    fake.assignRole('alice', 'admin');
    fake.grantPermission('alice', { namespace: 'orders', action: 'read', resource: 'order:1' });
    for (const call of [
      () => guard.checkRoles('alice', ['admin'], options as never),
      () => guard.checkPermissions('alice', PERMISSIONS, options as never),
    ]) {
      const error = await rejectionOf(settles(call));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe(`genauth-session-guard: ${message}`);
    }
    expect(fake.calls).toMatchObject({ token: 0, roles: 0, permissions: 0 });
    expect(guard.stats().authorization).toMatchObject({ size: 0, misses: 0, upstreamCalls: 0 });
  });

  it('a role entry or the permissions with an unknown key rejects too (a misspelt namespace would ask for another role)', async () => {
    const { fake } = h();
    const guard = h().guard();
    const role = await rejectionOf(guard.checkRoles('alice', [{ code: 'auditor', namesapce: 'finance' } as never]));
    expect(role).toBeInstanceOf(TypeError);
    expect(role.message).toBe('genauth-session-guard: unknown option "namesapce" in `roles[0]`; did you mean "namespace"?');
    const permission = await rejectionOf(guard.checkPermissions('alice', { ...PERMISSIONS, resource: 'order:2' } as never));
    expect(permission).toBeInstanceOf(TypeError);
    expect(permission.message).toBe('genauth-session-guard: unknown option "resource" in `permissions`; did you mean "resources"?');
    expect(fake.calls).toMatchObject({ token: 0, roles: 0, permissions: 0 });
  });

  it('the documented keys are accepted', async () => {
    const { fake, clock } = h();
    const guard = h().guard();
    fake.assignRole('alice', 'admin');
    await expect(guard.checkRoles('alice', ['admin'], { appId: APP, expiresAt: clock() + 60_000 })).resolves.toBe(true);
    await expect(guard.checkPermissions('alice', PERMISSIONS, { appId: undefined, expiresAt: undefined })).resolves.toBe(false);
  });
});
