import { SessionInactiveError } from '../../src/index';
import { APP, gatedFetch, rejectionOf, until, useHarness } from './fixtures';

const settle = <T>(promises: Array<Promise<T>>) => Promise.allSettled(promises);

describe('invalidate()', () => {
  const h = useHarness();

  it('returns 0 when nothing is cached for the user (and for the app)', async () => {
    const { fake } = h();
    const guard = h().guard();
    expect(guard.invalidate('nobody')).toBe(0);
    expect(guard.invalidate('nobody', APP)).toBe(0);
    await fake.login('alice', APP);
    await h().ask(guard, 'alice');
    expect(guard.invalidate('alice', 'other-app')).toBe(0);
    expect(guard.invalidate('bob')).toBe(0);
    // A user id that is a suffix or prefix of a cached one is a different user.
    expect(guard.invalidate('alic')).toBe(0);
    expect(guard.invalidate('lice')).toBe(0);
    expect(guard.stats().size).toBe(1);
  });

  it('returns 0 with cache: false', async () => {
    const guard = h().guard({ cache: false });
    await h().fake.login('alice', APP);
    await h().ask(guard, 'alice');
    expect(guard.invalidate('alice')).toBe(0);
  });

  it('refuses an empty or non-string user id with a TypeError', () => {
    const guard = h().guard();
    expect(() => guard.invalidate('')).toThrow(TypeError);
    expect(() => guard.invalidate(undefined as unknown as string)).toThrow(TypeError);
  });

  it('invalidate(userId, appId) drops that app only; invalidate(userId) drops every app of that user only', async () => {
    const { fake } = h();
    const guard = h().guard();
    for (const app of ['app-a', 'app-b', 'app-c']) await fake.login('alice', app);
    await fake.login('bob', 'app-a');
    // App ids and user ids that would collide under a naive "app:user" key.
    await fake.login('x:y', 'app-a');
    await fake.login('y', 'app-a:x');
    for (const app of ['app-a', 'app-b', 'app-c']) await h().ask(guard, 'alice', app);
    await h().ask(guard, 'bob', 'app-a');
    await h().ask(guard, 'x:y', 'app-a');
    await h().ask(guard, 'y', 'app-a:x');
    expect(fake.calls.check).toBe(6);
    expect(guard.stats().size).toBe(6);

    expect(guard.invalidate('alice', 'app-b')).toBe(1);
    expect(guard.invalidate('alice', 'app-b')).toBe(0);
    await h().ask(guard, 'alice', 'app-a');
    await h().ask(guard, 'alice', 'app-c');
    expect(fake.calls.check).toBe(6);
    await h().ask(guard, 'alice', 'app-b');
    expect(fake.calls.check).toBe(7);

    expect(guard.invalidate('alice')).toBe(3);
    expect(guard.invalidate('y')).toBe(1);
    expect(guard.stats().size).toBe(2); // bob and x:y untouched
    await h().ask(guard, 'bob', 'app-a');
    await h().ask(guard, 'x:y', 'app-a');
    expect(fake.calls.check).toBe(7);
  });

  it('a kicked user is refused at once after invalidate, even inside the TTL', async () => {
    const { fake } = h();
    const guard = h().guard({ cache: { ttlMs: 60_000 } });
    await fake.login('alice', APP);
    await h().ask(guard, 'alice');
    fake.kick('alice');
    expect((await h().ask(guard, 'alice')).session.source).toBe('cache'); // the documented delay
    expect(guard.invalidate('alice')).toBe(1);
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionInactiveError);
  });

  it.each([
    ['invalidate(userId)', (guard: { invalidate(u: string, a?: string): number }) => guard.invalidate('alice')],
    ['invalidate(userId, appId)', (guard: { invalidate(u: string, a?: string): number }) => guard.invalidate('alice', APP)],
  ])('%s while a lookup is in flight: the waiting requests ask again and get the fresh answer, not the pre-kick one, not a 503', async (_label, drop) => {
    const { fake } = h();
    const gate = gatedFetch();
    const guard = h().guard({ fetch: gate.fetch, timeoutMs: 10_000 });
    await fake.login('alice', APP);

    const waiting = settle(Array.from({ length: 50 }, () => h().ask(guard, 'alice')));
    // GenAuth has answered "active" (alice is not kicked yet); the answer is on its way.
    await until(() => gate.held === 1, 'first check held');
    fake.kick('alice');
    expect(drop(guard)).toBe(1);
    gate.release();

    const outcomes = await waiting;
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(SessionInactiveError);
    }
    expect(fake.calls.check).toBe(2); // the aborted call and one fresh call shared by all 50
    // The fresh answer (inactive) is what is cached, not the pre-kick one.
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionInactiveError);
    expect(fake.calls.check).toBe(2);
  });

  it('a second invalidate during the re-asked lookup still finds it (no pre-kick answer is cached)', async () => {
    const { fake } = h();
    const gate = gatedFetch();
    const guard = h().guard({ fetch: gate.fetch, timeoutMs: 10_000 });
    await fake.login('alice', APP);

    const waiting = settle(Array.from({ length: 20 }, () => h().ask(guard, 'alice')));
    await until(() => gate.held === 1, 'first check held');
    expect(guard.invalidate('alice')).toBe(1); // e.g. a kick in another app
    // The lookup is asked again; GenAuth answers "active" (still true at this moment), held on its way back.
    await until(() => gate.held === 2, 'second check held');
    fake.kick('alice');
    const second = guard.invalidate('alice'); // must find the re-asked lookup under way
    gate.release();

    const outcomes = await waiting;
    expect(second).toBe(1);
    // Never the pre-kick "active": each waiter is refused (inactive, or unavailable after two kicks in a row).
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    // And nothing stale was cached: the next request asks GenAuth and is refused as inactive.
    const checksBefore = fake.calls.check;
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionInactiveError);
    expect(fake.calls.check).toBeGreaterThanOrEqual(checksBefore);
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionInactiveError);
  });
});
