import type { SharedStore, StoreRead } from '../../src/redis';
import { APP, asUser, until, useHarness } from './fixtures';

/** A store that is always up, never holds an answer, and records what the guard asks of it. */
function recordingStore(authorization: boolean | undefined) {
  const reads: Array<{ userId: string; policy: string | undefined }> = [];
  const invalidations: Array<{ userId: string; appId: string | undefined; authorizationOnly: boolean }> = [];
  const store: SharedStore = {
    settings: { timeoutMs: 200, retryAfterMs: 1_000 },
    attach: () => ({
      ready: true,
      ...(authorization === undefined ? {} : { authorization }),
      whenReady: async () => undefined,
      read: async (_appId, userId, request): Promise<StoreRead> => {
        reads.push({ userId, policy: request.policy });
        return { kind: 'locked', generation: '0', storeNow: Date.now() };
      },
      write: async () => true,
      release: async () => undefined,
      invalidate: async (userId, appId, request) => {
        invalidations.push({ userId, appId, authorizationOnly: request.authorizationOnly === true });
      },
      close: async () => undefined,
    }),
  };
  return { store, reads, invalidations };
}

/**
 * A `store` of its own make, written before authorization answers existed, would read `policy` as nothing and hand
 * a session answer to a role check: authorization answers go through a store only when it says it keeps them apart.
 */
describe('authorization answers and a store of another make', () => {
  const h = useHarness();

  it.each([
    ['without `authorization`', undefined, false],
    ['with `authorization: false`', false, false],
    ['with `authorization: true`', true, true],
  ])('%s', async (_name, flag, shared) => {
    const { store, reads, invalidations } = recordingStore(flag);
    const guard = h().guard({ store });
    await h().fake.login('alice', APP);
    h().fake.assignRole('alice', 'admin');
    await expect(guard.authenticate(asUser('alice'), APP, { roles: ['admin'] })).resolves.toMatchObject({ userId: 'alice' });
    await expect(guard.checkRoles('alice', ['admin'])).resolves.toBe(true);
    const policies = reads.map((read) => read.policy);
    expect(policies.filter((policy) => policy === undefined)).toHaveLength(1); // the session answer
    expect(policies.filter((policy) => policy !== undefined)).toHaveLength(shared ? 2 : 0);
    guard.invalidateAuthorization('alice');
    await until(() => invalidations.length === 1);
    expect(invalidations[0]).toEqual({ userId: 'alice', appId: undefined, authorizationOnly: shared });
  });
});
