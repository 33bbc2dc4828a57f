import { ManagementClient } from 'authing-node-sdk';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';

describe('the fake: roles and permissions', () => {
  let fake: FakeGenAuth;
  let sdk: ManagementClient;

  beforeEach(async () => {
    fake = await createFakeGenAuth();
    // The official SDK signs every request (nested `roles` and `options` JSON-stringified in the string to sign).
    sdk = new ManagementClient({ accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, host: fake.host });
  });
  afterEach(async () => {
    await fake.close();
  });

  const hasAnyRole = (userId: string, roles: Array<{ code: string; namespace?: string }>) =>
    sdk.hasAnyRole({ userId, roles, options: { userIdType: 'user_id' } } as Parameters<ManagementClient['hasAnyRole']>[0]);
  const checkPermission = (userId: string, resources: string[], action = 'read', namespaceCode = 'orders') =>
    sdk.checkPermission({ userId, resources, action, namespaceCode } as Parameters<ManagementClient['checkPermission']>[0]);

  it('answers has-any-role to the official SDK, with namespaces', async () => {
    fake.assignRole('u1', 'admin');
    fake.assignRole('u1', 'auditor', 'finance');
    await expect(hasAnyRole('u1', [{ code: 'admin' }])).resolves.toMatchObject({ statusCode: 200, data: { hasAnyRole: true } });
    await expect(hasAnyRole('u1', [{ code: 'owner' }, { code: 'auditor', namespace: 'finance' }])).resolves.toMatchObject({ data: { hasAnyRole: true } });
    await expect(hasAnyRole('u1', [{ code: 'auditor' }])).resolves.toMatchObject({ data: { hasAnyRole: false } });
    fake.revokeRole('u1', 'admin');
    await expect(hasAnyRole('u1', [{ code: 'admin' }])).resolves.toMatchObject({ data: { hasAnyRole: false } });
    await expect(hasAnyRole('nobody', [{ code: 'admin' }])).resolves.toMatchObject({ statusCode: 404, apiCode: 2004 });
    expect(fake.calls).toMatchObject({ roles: 5, refused: 0 });
  });

  it('answers check-permission to the official SDK, one entry per resource', async () => {
    fake.grantPermission('u1', { namespace: 'orders', action: 'read', resource: 'order:1' });
    const answer = await checkPermission('u1', ['order:1', 'order:2']);
    expect(answer).toMatchObject({
      statusCode: 200,
      data: {
        checkResultList: [
          { namespaceCode: 'orders', action: 'read', resource: 'order:1', enabled: true },
          { namespaceCode: 'orders', action: 'read', resource: 'order:2', enabled: false },
        ],
      },
    });
    fake.revokePermission('u1', { namespace: 'orders', action: 'read', resource: 'order:1' });
    await expect(checkPermission('u1', ['order:1'])).resolves.toMatchObject({ data: { checkResultList: [{ enabled: false }] } });
    await expect(checkPermission('u1', ['order:1'], 'write')).resolves.toMatchObject({ data: { checkResultList: [{ enabled: false }] } });
    expect(fake.calls).toMatchObject({ permissions: 3, refused: 0 });
  });

  it('refuses a wrong signature and bad bodies', async () => {
    const wrong = new ManagementClient({ accessKeyId: fake.accessKeyId, accessKeySecret: 'not-it', host: fake.host });
    fake.assignRole('u1', 'admin');
    await expect(wrong.hasAnyRole({ userId: 'u1', roles: [{ code: 'admin' }] } as never)).resolves.toMatchObject({ statusCode: 401, apiCode: 1300 });
    await expect(hasAnyRole('u1', [])).resolves.toMatchObject({ statusCode: 400 });
    await expect(checkPermission('u1', [])).resolves.toMatchObject({ statusCode: 400 });
    expect(fake.calls.refused).toBe(1);
  });

  it('lets faults target the roles and permissions endpoints', async () => {
    fake.assignRole('u1', 'admin');
    fake.fault({ kind: 'body-status', statusCode: 503 }, { endpoint: 'roles', times: 1 });
    fake.fault({ kind: 'missing-active' }, { endpoint: 'permissions', times: 1 });
    await expect(hasAnyRole('u1', [{ code: 'admin' }])).resolves.toMatchObject({ statusCode: 503 });
    await expect(checkPermission('u1', ['r'])).resolves.toMatchObject({ statusCode: 200, data: {} });
    await expect(hasAnyRole('u1', [{ code: 'admin' }])).resolves.toMatchObject({ data: { hasAnyRole: true } });
    fake.resetCalls();
    expect(fake.calls).toMatchObject({ roles: 0, permissions: 0 });
  });

  it('checks its helpers’ arguments', () => {
    expect(() => fake.assignRole('u1', '')).toThrow(TypeError);
    expect(() => fake.grantPermission('u1', { namespace: 'n', action: '', resource: 'r' })).toThrow(TypeError);
  });
});
