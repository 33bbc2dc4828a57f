import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { createSessionGuard, header, type SessionGuard } from '../../src/index';

const APP = 'app-1';
const ask = (guard: SessionGuard, userId: string) => guard.authenticate({ headers: { 'x-user-id': userId } }, APP);

describe('cache: false', () => {
  let fake: FakeGenAuth;
  let guard: SessionGuard;
  beforeEach(async () => {
    fake = await createFakeGenAuth();
    guard = createSessionGuard({
      host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret,
      identity: header('x-user-id'), cache: false,
    });
  });
  afterEach(async () => {
    await guard.close();
    await fake.close();
  });

  it('asks GenAuth for every request made after the last answer came back', async () => {
    await fake.login('alice', APP);
    for (let i = 0; i < 5; i++) await ask(guard, 'alice');
    expect(fake.calls.check).toBe(5);
    expect(guard.stats()).toMatchObject({ misses: 5, upstreamCalls: 5, hits: 0, size: 0 });
  });

  it('shares one call among identical lookups under way at the same moment (1,000 → 1)', async () => {
    await fake.login('alice', APP);
    fake.fault({ kind: 'latency', ms: 50 }, { times: 1 });
    const results = await Promise.all(Array.from({ length: 1_000 }, () => ask(guard, 'alice')));
    expect(results.every((auth) => auth.session.source === 'upstream')).toBe(true);
    expect(fake.calls.check).toBe(1);
    expect(guard.stats()).toMatchObject({ misses: 1, coalesced: 999, upstreamCalls: 1 });
  });

  it('invalidate makes the lookups waiting on a shared call ask again', async () => {
    await fake.login('alice', APP);
    fake.fault({ kind: 'latency', ms: 200 }, { times: 1 });
    const waiting = Promise.allSettled(Array.from({ length: 20 }, () => ask(guard, 'alice')));
    while (fake.calls.check === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    fake.kick('alice');
    guard.invalidate('alice');
    const results = await waiting;
    expect(results.every((result) => result.status === 'rejected' && (result.reason as { code: string }).code === 'session_inactive')).toBe(true);
    expect(fake.calls.check).toBe(2);
  });

  it('never shares a failure with later requests', async () => {
    await fake.login('alice', APP);
    fake.fault({ kind: 'http-status', status: 502 }, { times: 2 }); // the attempt and its one retry
    await expect(ask(guard, 'alice')).rejects.toMatchObject({ code: 'session_check_unavailable' });
    await expect(ask(guard, 'alice')).resolves.toMatchObject({ userId: 'alice' });
  });
});
