import { createFakeGenAuth, type FakeGenAuth, type Fault } from '../../src/testing';
import { bearerJwt, createSessionGuard, type SessionGuard, type SessionGuardOptions } from '../../src/index';
import { frameworks, manualClock, type RunningApp } from '../support/frameworks';

const APP = 'app-1';

type Clock = ReturnType<typeof manualClock>;

/**
 * GenAuth's timeout for the tests that make a call time out (a hang, a slow answer, a drip): short, so that they
 * stay quick, yet long enough for the healthy calls of the same test on a loaded machine. Every other test uses
 * {@link ROOMY_TIMEOUT_MS}: no test is about a timeout by chance.
 */
const TIMING_OUT_MS = 1_000;
const ROOMY_TIMEOUT_MS = 10_000;

/** Waits (on real time, bounded) for background work such as a refresh ahead to finish. */
async function until(condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.each(frameworks)('$name', (framework) => {
  let fake: FakeGenAuth;
  let clock: Clock;
  let running: RunningApp[];
  let guards: SessionGuard[];

  beforeEach(async () => {
    clock = manualClock();
    fake = await createFakeGenAuth({ clock });
    running = [];
    guards = [];
  });

  afterEach(async () => {
    await Promise.all(running.map((app) => app.close()));
    await Promise.all(guards.map((guard) => guard.close()));
    await fake.close();
  });

  function guardOf(overrides: Partial<SessionGuardOptions> = {}): SessionGuard {
    const guard = createSessionGuard({
      host: fake.host,
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      identity: bearerJwt({ issuer: fake.issuer, audience: ({ appId }) => appId, clock }),
      clock,
      timeoutMs: ROOMY_TIMEOUT_MS,
      retries: 0,
      ...overrides,
    } as SessionGuardOptions);
    guards.push(guard);
    return guard;
  }

  async function start(options: unknown, appId = APP) {
    const reached = { count: 0 };
    const app = await framework.start(appId, options, reached);
    running.push(app);
    const get = (headers: Record<string, string> = {}) => fetch(`${app.url}/admin`, { headers });
    return { app, reached, get };
  }

  async function bodyOf(response: Response) {
    return (await response.json()) as Record<string, any>;
  }

  describe('answers', () => {
    it('passes a live session and sets auth', async () => {
      const guard = guardOf();
      const { get, reached } = await start({ guard });
      const token = await fake.login('alice', APP);
      const response = await get({ authorization: `Bearer ${token}` });
      expect(response.status).toBe(200);
      const { auth } = await bodyOf(response);
      expect(auth).toMatchObject({ userId: 'alice', appId: APP, session: { active: true, source: 'upstream', checkedAt: clock() } });
      expect(auth.claims).toMatchObject({ sub: 'alice', aud: APP, iss: fake.issuer });
      expect(reached.count).toBe(1);
    });

    it('401 missing_credentials with a bare Bearer challenge when no credential is sent', async () => {
      const { get, reached } = await start({ guard: guardOf() });
      const response = await get();
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${APP}"`);
      expect(await bodyOf(response)).toEqual({ error: 'missing_credentials', message: expect.any(String) });
      expect(reached.count).toBe(0);
      expect(fake.calls.check).toBe(0);
    });

    it.each([
      ['a token signed by someone else', async () => {
        const other = await createFakeGenAuth();
        try {
          const token = await other.login('alice', APP);
          return token;
        } finally {
          await other.close();
        }
      }],
      ['an expired token', async () => fake.login('alice', APP, { expiresInSec: -60 })],
      ['a token for another application', async () => fake.login('alice', 'other-app')],
      ['a malformed token', async () => 'not.a.jwt'],
      ['a token whose signature was tampered with', async () => {
        const token = await fake.login('alice', APP);
        return `${token.slice(0, -4)}AAAA`;
      }],
    ])('401 invalid_token for %s', async (_label, makeToken) => {
      const { get, reached } = await start({ guard: guardOf() });
      const token = await makeToken();
      const response = await get({ authorization: `Bearer ${token}` });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(new RegExp(`^Bearer realm="${APP}", error="invalid_token", error_description="[^"]+"$`));
      const body = await bodyOf(response);
      expect(body.error).toBe('invalid_token');
      expect(JSON.stringify(body)).not.toContain(token);
      expect(reached.count).toBe(0);
      expect(fake.calls.check).toBe(0);
    });

    it('401 session_inactive after the user is kicked (invalidate) and for a signed-out user', async () => {
      const guard = guardOf();
      const { get, reached } = await start({ guard });
      const token = await fake.login('alice', APP);
      expect((await get({ authorization: `Bearer ${token}` })).status).toBe(200);
      fake.kick('alice');
      guard.invalidate('alice');
      const response = await get({ authorization: `Bearer ${token}` });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer realm="${APP}", error="invalid_token", error_description="The session is no longer active."`,
      );
      expect((await bodyOf(response)).error).toBe('session_inactive');
      expect(reached.count).toBe(1);
    });

    it('401 session_inactive for a user GenAuth does not know (apiCode 2004)', async () => {
      const { get } = await start({ guard: guardOf() });
      const token = await fake.signToken({ sub: 'ghost', aud: APP, iss: fake.issuer });
      const response = await get({ authorization: `Bearer ${token}` });
      expect(response.status).toBe(401);
      expect((await bodyOf(response)).error).toBe('session_inactive');
    });

    it('onReject replaces the default answer', async () => {
      const guard = guardOf();
      const onReject = framework.onReject(418, (error) => ({ custom: error.code }));
      const { get } = await start({ guard, onReject });
      const response = await get();
      expect(response.status).toBe(418);
      expect(await bodyOf(response)).toEqual({ custom: 'missing_credentials' });
    });

    it('builds its own guard from guard options', async () => {
      const { get } = await start({
        host: fake.host,
        accessKeyId: fake.accessKeyId,
        accessKeySecret: fake.accessKeySecret,
        identity: bearerJwt({ issuer: fake.issuer, audience: APP, clock }),
        clock,
      });
      const token = await fake.login('bob', APP);
      expect((await get({ authorization: `Bearer ${token}` })).status).toBe(200);
    });
  });

  describe.each(['token', 'signature'] as const)('auth scheme %s', (auth) => {
    it('passes and refuses against the fake, which checks the scheme for real', async () => {
      const { get } = await start({ guard: guardOf({ auth, cache: false }) });
      const token = await fake.login('alice', APP);
      expect((await get({ authorization: `Bearer ${token}` })).status).toBe(200);
      fake.logout('alice', APP);
      expect((await get({ authorization: `Bearer ${token}` })).status).toBe(401);
      expect(fake.calls.refused).toBe(0);
      expect(fake.calls.token).toBe(auth === 'token' ? 1 : 0);
    });

    it('503 when the fake refuses a wrong secret, with nothing secret in the answer', async () => {
      const { get } = await start({ guard: guardOf({ auth, accessKeySecret: 'wrong-secret' }) });
      const token = await fake.login('alice', APP);
      const response = await get({ authorization: `Bearer ${token}` });
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(text).not.toContain('wrong-secret');
      expect(JSON.parse(text).error).toBe('session_check_unavailable');
      expect(fake.calls.refused).toBeGreaterThan(0);
    });
  });

  describe('cache', () => {
    it('serves a hit, expires after ttlMs, and re-asks', async () => {
      const guard = guardOf({ cache: { ttlMs: 5_000, refreshAheadMs: 0 } });
      const { get } = await start({ guard });
      const token = await fake.login('alice', APP);
      const headers = { authorization: `Bearer ${token}` };
      expect((await bodyOf(await get(headers))).auth.session.source).toBe('upstream');
      expect((await bodyOf(await get(headers))).auth.session.source).toBe('cache');
      expect(fake.calls.check).toBe(1);
      fake.kick('alice');
      clock.advance(4_999);
      expect((await get(headers)).status).toBe(200); // the documented revocation delay
      clock.advance(2);
      expect((await get(headers)).status).toBe(401);
      expect(fake.calls.check).toBe(2);
      expect(guard.stats()).toMatchObject({ hits: 2, misses: 2, upstreamCalls: 2, errors: 0 });
    });

    it('refreshes ahead in the background, and never serves an answer past its ttlMs', async () => {
      const guard = guardOf({ cache: { ttlMs: 5_000, refreshAheadMs: 1_000 }, timeoutMs: TIMING_OUT_MS });
      const { get } = await start({ guard });
      const token = await fake.login('alice', APP);
      const headers = { authorization: `Bearer ${token}` };
      expect((await get(headers)).status).toBe(200);
      clock.advance(4_100);
      // Within refreshAheadMs of the expiry: served from the cache at once, GenAuth asked in the background.
      expect((await bodyOf(await get(headers))).auth.session).toMatchObject({ source: 'cache', checkedAt: clock() - 4_100 });
      await until(() => guard.stats().inFlight === 0 && fake.calls.check === 2);
      clock.advance(1_000);
      // Past the first answer's expiry, the refreshed one serves: nobody waited on GenAuth.
      expect((await bodyOf(await get(headers))).auth.session).toMatchObject({ source: 'cache', checkedAt: clock() - 1_000 });
      expect(guard.stats()).toMatchObject({ refreshes: 1, misses: 1, upstreamCalls: 2 });

      // A refresh that does not come back in time does not stretch the answer: past its ttlMs it is not served.
      fake.kick('alice');
      fake.fault({ kind: 'hang' }, { times: 1 });
      clock.advance(3_100); // 4,100 ms into the refreshed answer: a hit, and a refresh that hangs
      expect((await get(headers)).status).toBe(200);
      clock.advance(901); // 5,001 ms: expired; the request joins the hanging refresh, which times out
      expect((await get(headers)).status).toBe(503);
      expect((await get(headers)).status).toBe(401); // asked again: the kick is seen
    });

    it('never keeps an active answer past the token exp', async () => {
      const guard = guardOf({ cache: { ttlMs: 60_000 } });
      const { get } = await start({ guard });
      const token = await fake.login('alice', APP, { expiresInSec: 10 });
      const later = await fake.login('alice', APP, { expiresInSec: 3600 });
      expect((await get({ authorization: `Bearer ${token}` })).status).toBe(200);
      clock.advance(11_000);
      // The first token's answer is gone with its exp: a fresh token makes GenAuth be asked again.
      expect((await bodyOf(await get({ authorization: `Bearer ${later}` }))).auth.session.source).toBe('upstream');
      expect(fake.calls.check).toBe(2);
    });

    it('coalesces concurrent cold requests for one user into one upstream call', async () => {
      const guard = guardOf();
      const { get } = await start({ guard });
      const token = await fake.login('alice', APP);
      fake.fault({ kind: 'latency', ms: 50 }, { times: 1 });
      const responses = await Promise.all(Array.from({ length: 200 }, () => get({ authorization: `Bearer ${token}` })));
      expect(responses.every((response) => response.status === 200)).toBe(true);
      expect(fake.calls.check).toBe(1);
      expect(guard.stats()).toMatchObject({ misses: 1, upstreamCalls: 1 });
      expect(guard.stats().coalesced + guard.stats().hits).toBe(199);
    });
  });

  describe('faults: GenAuth cannot answer, the policy denies', () => {
    const faults: Array<[string, Fault]> = [
      ['HTTP 502 with an HTML page', { kind: 'http-status', status: 502, html: true }],
      ['body statusCode 500', { kind: 'body-status', statusCode: 500 }],
      ['HTTP 429', { kind: 'throttle', retryAfterSec: 7 }],
      ['body statusCode 429', { kind: 'throttle', inBody: true }],
      ['a body that is not JSON', { kind: 'malformed' }],
      ['truncated JSON', { kind: 'truncated' }],
      ['an empty body', { kind: 'empty' }],
      ['data.active missing', { kind: 'missing-active' }],
      ['data.active not a boolean', { kind: 'non-boolean-active' }],
      ['a huge body', { kind: 'huge', bytes: 1_000_000 }],
      ['a hang (timeout)', { kind: 'hang' }],
      ['latency past the timeout', { kind: 'latency', ms: 10 * TIMING_OUT_MS }],
      ['a connection reset', { kind: 'reset' }],
      ['a slow drip', { kind: 'drip', ms: 100 }],
    ];

    const faultsBothSchemes = (['token', 'signature'] as const).flatMap((auth) =>
      faults.map(([label, fault]) => [`${label} (auth: ${auth})`, fault, auth] as const));

    const timesOut = (fault: Fault) => fault.kind === 'hang' || fault.kind === 'latency' || fault.kind === 'drip';

    it.each(faultsBothSchemes)('503 session_check_unavailable with Retry-After on %s, nothing cached', async (_label, fault, auth) => {
      const guard = guardOf({ auth, ...(timesOut(fault) ? { timeoutMs: TIMING_OUT_MS } : {}) });
      const { get, reached } = await start({ guard });
      const token = await fake.login('alice', APP);
      fake.fault(fault, { times: 1 });
      const response = await get({ authorization: `Bearer ${token}` });
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      if (fault.kind === 'throttle' && fault.retryAfterSec) expect(response.headers.get('retry-after')).toBe('7');
      expect((await bodyOf(response)).error).toBe('session_check_unavailable');
      expect(reached.count).toBe(0);
      // Errors are never cached: the next request asks again and passes.
      expect((await get({ authorization: `Bearer ${token}` })).status).toBe(200);
      expect(guard.stats().errors).toBe(1);
    });

    it('503 when GenAuth is not reachable at all', async () => {
      const host = fake.host;
      await fake.close();
      const guard = createSessionGuard({
        host, accessKeyId: 'id', accessKeySecret: 'secret', identity: () => ({ userId: 'alice' }), timeoutMs: ROOMY_TIMEOUT_MS, retries: 0,
      });
      guards.push(guard);
      fake = await createFakeGenAuth({ clock });
      const { get } = await start({ guard });
      const response = await get();
      expect(response.status).toBe(503);
    });

    it('503 when the token endpoint is down (token scheme)', async () => {
      const { get } = await start({ guard: guardOf({ auth: 'token' }) });
      const token = await fake.login('alice', APP);
      fake.fault({ kind: 'http-status', status: 503 }, { endpoint: 'token', times: 1 });
      expect((await get({ authorization: `Bearer ${token}` })).status).toBe(503);
      expect((await get({ authorization: `Bearer ${token}` })).status).toBe(200);
    });

    it('refreshes a management token that expired mid-flight once and goes on', async () => {
      const guard = guardOf({ auth: 'token', cache: false });
      const { get } = await start({ guard });
      const token = await fake.login('alice', APP);
      expect((await get({ authorization: `Bearer ${token}` })).status).toBe(200);
      fake.expireManagementTokens();
      expect((await get({ authorization: `Bearer ${token}` })).status).toBe(200);
      expect(fake.calls.token).toBe(2);
      expect(guard.stats().tokenFetches).toBe(2);
    });
  });

  describe("onUpstreamError: 'allow-stale'", () => {
    it('serves a confirmed active answer no older than staleIfErrorMs, marked stale, then refuses', async () => {
      const guard = guardOf({ onUpstreamError: 'allow-stale', staleIfErrorMs: 30_000, cache: { ttlMs: 5_000 } });
      const { get } = await start({ guard });
      const token = await fake.login('alice', APP);
      const headers = { authorization: `Bearer ${token}` };
      expect((await get(headers)).status).toBe(200);
      clock.advance(10_000);
      fake.fault({ kind: 'http-status', status: 503 });
      const stale = await get(headers);
      expect(stale.status).toBe(200);
      expect((await bodyOf(stale)).auth.session).toMatchObject({ source: 'stale', checkedAt: clock() - 10_000 });
      clock.advance(20_001);
      expect((await get(headers)).status).toBe(503);
      expect(guard.stats().stale).toBe(1);
    });

    it('never serves a stale inactive answer', async () => {
      const guard = guardOf({ onUpstreamError: 'allow-stale', cache: { ttlMs: 5_000, inactiveTtlMs: 1_000 } });
      const { get } = await start({ guard });
      const token = await fake.login('alice', APP);
      fake.logout('alice', APP);
      expect((await get({ authorization: `Bearer ${token}` })).status).toBe(401);
      clock.advance(2_000);
      fake.fault({ kind: 'http-status', status: 503 });
      expect((await get({ authorization: `Bearer ${token}` })).status).toBe(503);
    });
  });
});
