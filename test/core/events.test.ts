import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  channels,
  SessionInactiveError,
  type CacheEvent,
  type DecisionEvent,
  type UpstreamEvent,
} from '../../src/index';
import { APP, asUser, rejectionOf, useHarness } from './fixtures';

interface Seen {
  decision: DecisionEvent[];
  cache: CacheEvent[];
  upstream: UpstreamEvent[];
}

describe('diagnostics_channel events and the logger', () => {
  const h = useHarness();
  let seen: Seen;
  const listeners: Array<[string, (message: unknown) => void]> = [];

  beforeEach(() => {
    seen = { decision: [], cache: [], upstream: [] };
    for (const name of ['decision', 'cache', 'upstream'] as const) {
      const listener = (message: unknown) => {
        (seen[name] as unknown[]).push(message);
      };
      subscribe(channels[name], listener);
      listeners.push([channels[name], listener]);
    }
  });
  afterEach(() => {
    for (const [name, listener] of listeners.splice(0)) unsubscribe(name, listener);
  });

  it('uses the documented channel names', () => {
    expect(channels).toMatchObject({
      decision: 'genauth-session-guard:decision',
      cache: 'genauth-session-guard:cache',
      upstream: 'genauth-session-guard:upstream',
    });
  });

  it('pass: miss + coalesced, then hit; one upstream attempt per call with its outcome', async () => {
    const { fake } = h();
    const guard = h().guard({ auth: 'token' });
    await fake.login('alice', APP);
    fake.fault({ kind: 'latency', ms: 30 }, { times: 1 });
    await Promise.all([1, 2, 3].map(() => h().ask(guard, 'alice')));
    expect(seen.cache.map((e) => e.event).sort()).toEqual(['coalesced', 'coalesced', 'miss']);
    expect(seen.cache.every((e) => e.appId === APP && e.userId === 'alice')).toBe(true);
    expect(seen.decision).toEqual(Array(3).fill({ appId: APP, userId: 'alice', outcome: 'pass', source: 'upstream' }));
    expect(seen.upstream).toEqual([
      { endpoint: 'get-management-token', attempt: 1, durationMs: expect.any(Number), outcome: 'ok', httpStatus: 200, statusCode: 200, apiCode: undefined },
      { endpoint: 'check-session-status', attempt: 1, durationMs: expect.any(Number), outcome: 'ok', httpStatus: 200, statusCode: 200, apiCode: undefined },
    ]);
    expect(seen.upstream.every((e) => e.durationMs >= 0)).toBe(true);

    await h().ask(guard, 'alice');
    expect(seen.cache.at(-1)).toEqual({ appId: APP, userId: 'alice', event: 'hit' });
    expect(seen.decision.at(-1)).toEqual({ appId: APP, userId: 'alice', outcome: 'pass', source: 'cache' });
    expect(seen.upstream).toHaveLength(2);
  });

  it('refusals carry their code; no identity means no userId and no cache event', async () => {
    const { fake } = h();
    const guard = h().guard({ auth: 'signature' });
    fake.addUser('bob');
    await rejectionOf(guard.authenticate({ headers: {} }, APP));
    await rejectionOf(guard.authenticate({ headers: { 'x-user-id': 'bad\u0007id' } }, APP));
    await rejectionOf(h().ask(guard, 'bob'));
    await rejectionOf(h().ask(guard, 'ghost'));
    expect(seen.decision).toEqual([
      { appId: APP, userId: undefined, outcome: 'refuse', code: 'missing_credentials' },
      { appId: APP, userId: undefined, outcome: 'refuse', code: 'invalid_token' },
      { appId: APP, userId: 'bob', outcome: 'refuse', code: 'session_inactive' },
      { appId: APP, userId: 'ghost', outcome: 'refuse', code: 'session_inactive' },
    ]);
    expect(seen.cache).toEqual([
      { appId: APP, userId: 'bob', event: 'miss' },
      { appId: APP, userId: 'ghost', event: 'miss' },
    ]);
    expect(seen.upstream.map((e) => [e.outcome, e.statusCode, e.apiCode])).toEqual([
      ['ok', 200, undefined],
      ['rejected', 404, 2004],
    ]);
  });

  it('upstream attempts: a failed attempt and its retry are two events with their own outcome', async () => {
    const { fake } = h();
    const guard = h().guard({ auth: 'signature', retries: 1 });
    await fake.login('alice', APP);
    fake.fault({ kind: 'http-status', status: 502, html: true }, { times: 1 });
    await h().ask(guard, 'alice');
    expect(seen.upstream).toEqual([
      expect.objectContaining({ endpoint: 'check-session-status', attempt: 1, outcome: 'http', httpStatus: 502 }),
      expect.objectContaining({ endpoint: 'check-session-status', attempt: 2, outcome: 'ok', httpStatus: 200 }),
    ]);
  });

  it('unavailable and stale: the refusal code, then a stale serve marked on the cache and decision channels', async () => {
    const { fake, clock } = h();
    const deny = h().guard({ auth: 'signature', circuitBreaker: false });
    await fake.login('alice', APP);
    fake.fault({ kind: 'http-status', status: 503 });
    await rejectionOf(h().ask(deny, 'alice'));
    expect(seen.decision).toEqual([{ appId: APP, userId: 'alice', outcome: 'refuse', code: 'session_check_unavailable', reason: 'GenAuth had a server error (check-session-status: statusCode 503)' }]);
    expect(seen.upstream).toEqual([expect.objectContaining({ outcome: 'server', httpStatus: 503, statusCode: 503 })]);
    fake.clearFaults();

    seen.decision.length = 0;
    seen.cache.length = 0;
    const stale = h().guard({ auth: 'signature', onUpstreamError: 'allow-stale', cache: { ttlMs: 1_000 }, circuitBreaker: false });
    await h().ask(stale, 'alice');
    clock.advance(1_500);
    fake.fault({ kind: 'reset' });
    expect((await h().ask(stale, 'alice')).session.source).toBe('stale');
    expect(seen.cache.map((e) => e.event).sort()).toEqual(['miss', 'miss', 'stale']);
    expect(seen.decision.at(-1)).toEqual({ appId: APP, userId: 'alice', outcome: 'pass', source: 'stale' });
    expect(seen.upstream.at(-1)).toEqual(expect.objectContaining({ outcome: 'network' }));
  });

  it('the logger receives the same events at debug level', async () => {
    const { fake } = h();
    const lines: Array<[string, Record<string, unknown> | undefined]> = [];
    const guard = h().guard({ auth: 'signature', logger: { debug: (message: string, details?: Record<string, unknown>) => lines.push([message, details]) } });
    await fake.login('alice', APP);
    await h().ask(guard, 'alice');
    await h().ask(guard, 'alice');
    await rejectionOf(guard.authenticate({ headers: {} }, APP));
    const of = (kind: string) => lines.filter(([message]) => message === `genauth-session-guard ${kind}`).map(([, details]) => details);
    expect(of('decision')).toEqual(seen.decision);
    expect(of('cache')).toEqual(seen.cache);
    expect(of('upstream')).toEqual(seen.upstream);
    expect(lines).toHaveLength(seen.decision.length + seen.cache.length + seen.upstream.length);
  });

  it('a logger that throws changes no decision', async () => {
    const { fake } = h();
    const guard = h().guard({
      auth: 'token',
      logger: {
        debug() {
          throw new Error('log sink down');
        },
      },
    });
    await fake.login('alice', APP);
    fake.addUser('bob');
    await expect(h().ask(guard, 'alice')).resolves.toMatchObject({ session: { source: 'upstream' } });
    await expect(h().ask(guard, 'alice')).resolves.toMatchObject({ session: { source: 'cache' } });
    expect(await rejectionOf(h().ask(guard, 'bob'))).toBeInstanceOf(SessionInactiveError);
    expect(guard.stats()).toMatchObject({ errors: 0, circuit: 'closed' });
    expect(fake.calls.check).toBe(2);
  });

  it('publishes nothing and costs nothing when nobody listens (no logger, no subscriber)', async () => {
    for (const [name, listener] of listeners.splice(0)) unsubscribe(name, listener);
    const { fake } = h();
    const guard = h().guard();
    await fake.login('alice', APP);
    await expect(guard.authenticate(asUser('alice'), APP)).resolves.toBeDefined();
    expect(seen.decision).toHaveLength(0);
  });
});
