/**
 * Only outages count toward the circuit breaker (issue 8, item 9): timeouts, network errors, 5xx, 429 and malformed
 * answers. GenAuth refusing one request (an unknown application, a bad argument, refused management credentials)
 * must not open it: an `appId` taken from the path is chosen by the client, and five requests for unknown apps
 * used to give every user 503 for the whole cool-down.
 */
import { createFakeGenAuth, type FakeGenAuth, type Fault } from '../../src/testing';
import { createSessionGuard, header, SessionCheckUnavailableError, type SessionGuard, type SessionGuardOptions } from '../../src/index';
import { manualClock } from '../support/frameworks';

const APP = 'app-1';

describe('only outages count toward the circuit breaker', () => {
  let fake: FakeGenAuth;
  let clock: ReturnType<typeof manualClock>;
  let guard: SessionGuard;

  beforeEach(async () => {
    clock = manualClock();
    fake = await createFakeGenAuth({ clock, apps: [APP] });
    await fake.login('alice', APP);
    await fake.login('bob', APP);
  });
  afterEach(async () => {
    await guard?.close();
    await fake.close();
  });

  function makeGuard(overrides: Partial<SessionGuardOptions> = {}) {
    guard = createSessionGuard({
      host: fake.host,
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      auth: 'signature',
      identity: header('x-user-id'),
      clock,
      timeoutMs: 10_000, // roomy: the failures here are answers, never a timeout (a busy machine must not add one)
      retries: 0,
      cache: { ttlMs: 1_000, inactiveTtlMs: 1 },
      ...overrides,
    } as SessionGuardOptions);
    return guard;
  }

  const ask = (userId: string, appId = APP) => guard.authenticate({ headers: { 'x-user-id': userId } }, appId);
  const refused = (userId: string, appId = APP) =>
    expect(ask(userId, appId)).rejects.toBeInstanceOf(SessionCheckUnavailableError);

  it('the fake answers apiCode 2011 (application not found) for an app it does not know', async () => {
    const response = await fetch(`${fake.host}/api/v3/get-management-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret }),
    });
    const token = ((await response.json()) as { data: { access_token: string } }).data.access_token;
    const check = await fetch(`${fake.host}/api/v3/check-session-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-authing-userpool-id': fake.userPoolId },
      body: JSON.stringify({ appId: 'no-such-app', userId: 'alice' }),
    });
    expect(await check.json()).toMatchObject({ statusCode: 404, apiCode: 2011 });
  });

  it('requests for unknown apps (apiCode 2011) are refused 503 but never open the circuit: other users still pass', async () => {
    makeGuard(); // default breaker: 5 failures
    await expect(ask('alice')).resolves.toMatchObject({ userId: 'alice' });
    // Sequential, then concurrent: 20 requests for apps GenAuth does not know, each asked and refused (fail closed).
    for (let i = 0; i < 10; i++) await refused('alice', `unknown-app-${i}`);
    await Promise.all(Array.from({ length: 10 }, (_, i) => refused('mallory', `path-app-${i}`)));
    expect(fake.calls.check).toBe(1 + 20);
    expect(guard.stats()).toMatchObject({ circuit: 'closed', circuitOpened: 0 });
    await expect(ask('bob')).resolves.toMatchObject({ userId: 'bob' });
    expect(fake.calls.check).toBe(22);
  });

  it.each<[string, Fault]>([
    ['a body 400 (bad argument)', { kind: 'body-status', statusCode: 400 }],
    ['a body 404 apiCode 2011', { kind: 'body-status', statusCode: 404, apiCode: 2011 }],
    ['a body 403 (credentials kind)', { kind: 'body-status', statusCode: 403 }],
  ])('%s does not count', async (_name, fault) => {
    makeGuard({ circuitBreaker: { failureThreshold: 2 } });
    fake.fault(fault, { times: 8 });
    for (let i = 0; i < 8; i++) await refused(`user-${i}`);
    expect(fake.calls.check).toBe(8);
    expect(guard.stats()).toMatchObject({ circuit: 'closed', circuitOpened: 0 });
    await expect(ask('alice')).resolves.toMatchObject({ userId: 'alice' });
  });

  it('refused management credentials (a wrong secret) fail closed on every call and do not open the circuit', async () => {
    makeGuard({ accessKeySecret: 'not-the-secret', circuitBreaker: { failureThreshold: 2 } });
    for (let i = 0; i < 6; i++) await refused('alice');
    expect(fake.calls.refused).toBe(6);
    expect(guard.stats()).toMatchObject({ circuit: 'closed', circuitOpened: 0 });
  });

  it.each<[string, Fault]>([
    ['HTTP 502', { kind: 'http-status', status: 502, html: true }],
    ['body 500', { kind: 'body-status', statusCode: 500 }],
    ['body 429', { kind: 'throttle', inBody: true }],
    ['HTTP 429', { kind: 'throttle', retryAfterSec: 0 }],
    ['malformed', { kind: 'malformed' }],
    ['missing data.active', { kind: 'missing-active' }],
    ['reset', { kind: 'reset' }],
  ])('an outage (%s) counts: failureThreshold of them open the circuit', async (_name, fault) => {
    makeGuard({ circuitBreaker: { failureThreshold: 2 } });
    fake.fault(fault);
    await refused('alice');
    expect(guard.stats().circuit).toBe('closed');
    await refused('bob');
    expect(guard.stats()).toMatchObject({ circuit: 'open', circuitOpened: 1 });
    await refused('alice');
    expect(fake.calls.check).toBe(2);
  });

  it('an unknown-app request that takes the probe slot neither closes nor re-opens the circuit; the next request probes', async () => {
    makeGuard({ circuitBreaker: { failureThreshold: 2, initialCooldownMs: 1_000, cooldownMs: 1_000 } });
    fake.fault({ kind: 'body-status', statusCode: 500 }, { times: 2 });
    await refused('alice');
    await refused('bob');
    expect(guard.stats()).toMatchObject({ circuit: 'open', circuitOpened: 1 });
    clock.advance(1_000);
    await refused('mallory', 'unknown-app'); // the probe: GenAuth answers 2011
    expect(fake.calls.check).toBe(3);
    expect(guard.stats()).toMatchObject({ circuit: 'half-open', circuitOpened: 1 });
    await expect(ask('alice')).resolves.toMatchObject({ userId: 'alice' }); // the next probe, good: closes it
    expect(guard.stats()).toMatchObject({ circuit: 'closed', circuitOpened: 1 });
  });
});
