import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { channels, InvalidAppIdError, type DecisionEvent, type Identity } from '../../src/index';
import { APP, asUser, rejectionOf, useHarness } from './fixtures';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('checkSession(userId, appId, expiresAt): expiresAt is a finite number or undefined', () => {
  const h = useHarness();

  it.each<[string, unknown]>([
    ['NaN', Number.NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['null', null],
    ['a numeric string', '1800000000000'],
    ['a Date', new Date()],
    ['true', true],
  ])('%s is a TypeError, before any lookup', async (_label, expiresAt) => {
    const { fake } = h();
    const guard = h().guard();
    await fake.login('alice', APP);
    const error = await rejectionOf(guard.checkSession('alice', APP, expiresAt as number));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/`expiresAt`/);
    expect(fake.calls.check).toBe(0);
    expect(guard.stats()).toMatchObject({ size: 0, misses: 0 });
  });

  it('a token without exp (exp * 1000 is NaN) is refused rather than cached forever: after a kick, the answer ends with ttlMs', async () => {
    const { fake, clock } = h();
    const guard = h().guard({ cache: { ttlMs: 5_000, refreshAheadMs: 0 } });
    await fake.login('alice', APP);
    const claims: { exp?: number } = {};
    await expect(guard.checkSession('alice', APP, (claims.exp as number) * 1000)).rejects.toThrow(TypeError);
    await expect(guard.checkSession('alice', APP)).resolves.toMatchObject({ active: true, source: 'upstream' });
    fake.kick('alice');
    clock.advance(DAY_MS);
    await expect(guard.checkSession('alice', APP)).rejects.toMatchObject({ code: 'session_inactive' });
    await expect(guard.authenticate(asUser('alice'), APP)).rejects.toMatchObject({ code: 'session_inactive' });
  });

  it('a finite expiry in the past is accepted and caps the answer; no expiry means ttlMs', async () => {
    const { fake, clock } = h();
    const guard = h().guard({ cache: { ttlMs: 5_000, refreshAheadMs: 0 } });
    await fake.login('alice', APP);
    await expect(guard.checkSession('alice', APP, clock() - 1_000)).resolves.toMatchObject({ active: true });
    clock.advance(2);
    await expect(guard.checkSession('alice', APP, clock() + 60_000)).resolves.toMatchObject({ source: 'upstream' });
    expect(fake.calls.check).toBe(2);
  });

  it.each<[string, unknown]>([
    ['so large that it overflows in ms (1e306)', 1e306],
    ['NaN (a custom extractor)', Number.NaN],
    ['a string', '1800000000'],
  ])('an identity whose claims.exp is %s passes as "no expiry", and its answer ends with ttlMs', async (_label, exp) => {
    const { fake, clock } = h();
    const identity = (): Identity => ({ userId: 'alice', claims: { exp } });
    const guard = h().guard({ identity, cache: { ttlMs: 5_000, refreshAheadMs: 0 } });
    await fake.login('alice', APP);
    await expect(guard.authenticate(asUser('alice'), APP)).resolves.toMatchObject({ userId: 'alice' });
    await expect(guard.authenticate(asUser('alice'), APP)).resolves.toMatchObject({ session: { source: 'cache' } });
    fake.kick('alice');
    clock.advance(5_001);
    await expect(guard.authenticate(asUser('alice'), APP)).rejects.toMatchObject({ code: 'session_inactive' });
  });
});

describe('an unusable appId is refused before the extractor, the cache or GenAuth', () => {
  const h = useHarness();

  const unusable: Array<[string, string]> = [
    ['empty', ''],
    ['blank', '   '],
    ['129 characters', 'a'.repeat(129)],
    ['16 KB (an id taken from a path)', 'a'.repeat(16 * 1024)],
    ['a newline', 'app\n1'],
    ['a NUL', 'app\u00001'],
    ['DEL', 'app\u007f1'],
    ['a C1 control', 'app\u00851'],
  ];

  it.each(unusable)('%s: authenticate and checkSession reject with InvalidAppIdError (400), nothing cached or asked', async (_label, appId) => {
    const { fake } = h();
    const identity = jest.fn((): Identity => ({ userId: 'alice' }));
    const guard = h().guard({ identity });
    await fake.login('alice', APP);
    const refused = await rejectionOf(guard.authenticate(asUser('alice'), appId));
    expect(refused).toBeInstanceOf(InvalidAppIdError);
    expect(refused).toMatchObject({ code: 'invalid_app_id', status: 400, headers: {} });
    expect(refused.message).not.toContain(appId.slice(0, 10) || 'never');
    const checked = await rejectionOf(guard.checkSession('alice', appId));
    expect(checked).toBeInstanceOf(InvalidAppIdError);
    expect(identity).not.toHaveBeenCalled();
    expect(fake.calls.check).toBe(0);
    expect(guard.stats()).toMatchObject({ size: 0, misses: 0, hits: 0, upstreamCalls: 0 });
  });

  it('an app id that is not a string is a TypeError naming it, on a guard\'s very first request too', async () => {
    const identity = jest.fn((): Identity => ({ userId: 'alice' }));
    const guard = h().guard({ identity });
    for (const appId of [undefined, undefined, 42]) {
      const error = await guard.authenticate(asUser('alice'), appId as unknown as string).then(() => undefined, (thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toBe('genauth-session-guard: the appId of a route must be a string.');
    }
    expect(identity).not.toHaveBeenCalled();
  });

  it('128 characters is accepted', async () => {
    const { fake } = h();
    const guard = h().guard();
    const appId = 'a'.repeat(128);
    await fake.login('alice', appId);
    await expect(guard.authenticate(asUser('alice'), appId)).resolves.toMatchObject({ appId });
  });

  it('a decision event for an unusable appId does not echo it', async () => {
    const guard = h().guard();
    const events: DecisionEvent[] = [];
    const listener = (message: unknown) => events.push(message as DecisionEvent);
    subscribe(channels.decision, listener);
    h().defer(() => unsubscribe(channels.decision, listener));
    await rejectionOf(guard.authenticate(asUser('alice'), 'x'.repeat(4096)));
    expect(events).toEqual([{ appId: '', userId: undefined, outcome: 'refuse', code: 'invalid_app_id' }]);
  });
});

describe('checkSession(userId, ...): userId is checked as checkRoles checks it (issue 18, item 6)', () => {
  const h = useHarness();

  it.each<[string, unknown]>([
    ['a number', 42],
    ['undefined', undefined],
    ['null', null],
    ['an object', { userId: 'alice' }],
    ['empty', ''],
    ['blank', '   '],
    ['257 characters', 'a'.repeat(257)],
    ['1 MB', 'a'.repeat(1024 * 1024)],
    ['a newline', 'alice\nbob'],
    ['a NUL', 'alice\u0000'],
  ])('%s: a TypeError, no GenAuth call, nothing cached', async (_label, userId) => {
    const { fake } = h();
    const guard = h().guard();
    await fake.login('alice', APP);
    const error = await rejectionOf(guard.checkSession(userId as string, APP));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('genauth-session-guard: a valid user id is required: a non-blank string of at most 256 characters without control characters.');
    const roles = await rejectionOf(guard.checkRoles(userId as string, ['admin']));
    expect(roles).toBeInstanceOf(TypeError);
    expect(roles.message).toBe(error.message);
    expect(fake.calls).toMatchObject({ token: 0, check: 0, roles: 0 });
    expect(guard.stats()).toMatchObject({ size: 0, misses: 0, errors: 0, upstreamCalls: 0 });
  });

  it('256 characters is accepted, and asked as usual', async () => {
    const { fake } = h();
    const guard = h().guard();
    const userId = 'a'.repeat(256);
    await fake.login(userId, APP);
    await expect(guard.checkSession(userId, APP)).resolves.toMatchObject({ active: true, source: 'upstream' });
    expect(fake.calls.check).toBe(1);
  });
});
