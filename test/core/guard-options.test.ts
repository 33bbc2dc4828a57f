import { createSessionGuard, header, type SessionGuardOptions } from '../../src/index';
import { APP, asUser, useHarness } from './fixtures';

const SECRET = 'sk-VERY-SECRET-7f3a9c';
const identity = header('x-user-id');
const base = { accessKeyId: 'key-id', accessKeySecret: SECRET, identity, env: {} } as const;

function constructionError(options: unknown): TypeError {
  let caught: unknown;
  try {
    createSessionGuard(options as SessionGuardOptions);
  } catch (error) {
    caught = error;
  }
  if (!(caught instanceof TypeError)) throw new Error(`expected a TypeError, got ${String(caught)}`);
  return caught;
}

describe('createSessionGuard option validation: every mistake is a TypeError at construction', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['no options', undefined, /options are required/],
    ['null options', null, /options are required/],
    ['no identity', { ...base, identity: undefined }, /`identity` is required.*bearerJwt/],
    ['identity not a function', { ...base, identity: 'x-user-id' }, /`identity` is required/],
    ['no accessKeyId', { ...base, accessKeyId: undefined }, /`accessKeyId` is required.*GENAUTH_ACCESS_KEY_ID/],
    ['blank accessKeyId', { ...base, accessKeyId: '  ' }, /GENAUTH_ACCESS_KEY_ID/],
    ['no accessKeySecret', { ...base, accessKeySecret: undefined }, /`accessKeySecret` is required.*GENAUTH_ACCESS_KEY_SECRET/],
    ['empty accessKeySecret', { ...base, accessKeySecret: '' }, /GENAUTH_ACCESS_KEY_SECRET/],
    ['a host that is not a URL', { ...base, host: 'https://exa mple.com' }, /`host` is not a valid URL/],
    ['an empty host', { ...base, host: ' ' }, /`host` must be a non-empty string/],
    ['a host that is not http(s)', { ...base, host: 'ftp://api.genauth.ai' }, /must use https/],
    ['plain http to a non-loopback host', { ...base, host: 'http://api.genauth.ai' }, /plain http is accepted for loopback hosts only/],
    ['plain http to a look-alike of loopback', { ...base, host: 'http://127.0.0.1.example.com' }, /loopback hosts only/],
    ['a host with credentials', { ...base, host: 'https://user:pw@api.genauth.ai' }, /must not carry credentials/],
    ['a host with a query', { ...base, host: 'https://api.genauth.ai/?x=1' }, /query/],
    ['a host with a fragment', { ...base, host: 'https://api.genauth.ai/#x' }, /fragment/],
    ['a host with the API path (would give /api/v3/api/v3/...)', { ...base, host: 'example.com/api/v3' }, /without a path/],
    ['a host with any path', { ...base, host: 'https://gw.example.com/genauth/' }, /without a path/],
    ['a GENAUTH_HOST with a path', { ...base, env: { GENAUTH_HOST: 'https://api.genauth.ai/api/v3/' } }, /without a path/],
    ['a bad auth scheme', { ...base, auth: 'basic' }, /`auth` must be 'token' or 'signature'/],
    ['a bad onUpstreamError', { ...base, onUpstreamError: 'allow' }, /`onUpstreamError` must be 'deny' or 'allow-stale'/],
    ['staleIfErrorMs with the default deny policy', { ...base, staleIfErrorMs: 1_000 }, /`staleIfErrorMs` only applies with onUpstreamError: 'allow-stale'/],
    ['staleIfErrorMs with deny', { ...base, onUpstreamError: 'deny', staleIfErrorMs: 1_000 }, /only applies/],
    ['allow-stale with cache: false', { ...base, onUpstreamError: 'allow-stale', cache: false }, /'allow-stale' needs the cache/],
    ['staleIfErrorMs 0', { ...base, onUpstreamError: 'allow-stale', staleIfErrorMs: 0 }, /`staleIfErrorMs` must be a positive integer/],
    ['cache not an object', { ...base, cache: 'yes' }, /`cache` must be an object/],
    ['cache null', { ...base, cache: null }, /`cache` must be an object/],
    ['cache.ttlMs 0', { ...base, cache: { ttlMs: 0 } }, /`cache.ttlMs` must be a positive integer, got 0/],
    ['cache.ttlMs negative', { ...base, cache: { ttlMs: -5 } }, /`cache.ttlMs`/],
    ['cache.ttlMs fractional', { ...base, cache: { ttlMs: 1.5 } }, /`cache.ttlMs`/],
    ['cache.ttlMs NaN', { ...base, cache: { ttlMs: Number.NaN } }, /`cache.ttlMs`/],
    ['cache.ttlMs Infinity', { ...base, cache: { ttlMs: Infinity } }, /`cache.ttlMs`/],
    ['cache.ttlMs a string', { ...base, cache: { ttlMs: '5000' } }, /`cache.ttlMs`/],
    ['cache.inactiveTtlMs 0', { ...base, cache: { inactiveTtlMs: 0 } }, /`cache.inactiveTtlMs`/],
    ['cache.max 0', { ...base, cache: { max: 0 } }, /`cache.max`/],
    ['cache.max fractional', { ...base, cache: { max: 2.5 } }, /`cache.max`/],
    ['cache.refreshAheadMs >= ttlMs', { ...base, cache: { ttlMs: 1_000, refreshAheadMs: 1_000 } }, /`cache.refreshAheadMs` must be smaller/],
    ['timeoutMs 0', { ...base, timeoutMs: 0 }, /`timeoutMs` must be a positive integer/],
    ['timeoutMs negative', { ...base, timeoutMs: -1 }, /`timeoutMs`/],
    ['timeoutMs beyond what a timer can wait (it would fire after 1 ms)', { ...base, timeoutMs: 3_000_000_000 }, /`timeoutMs` must be at most 2147483647/],
    ['retries negative', { ...base, retries: -1 }, /`retries` must be a non-negative integer/],
    ['retries fractional', { ...base, retries: 0.5 }, /`retries`/],
    ['retries unbounded', { ...base, retries: 1_000_000 }, /`retries` must be at most 10/],
    ['retries 11', { ...base, retries: 11 }, /`retries` must be at most 10/],
    ['maxResponseBytes 0', { ...base, maxResponseBytes: 0 }, /`maxResponseBytes`/],
    ['maxInFlight 0', { ...base, maxInFlight: 0 }, /`maxInFlight`/],
    ['circuitBreaker not an object', { ...base, circuitBreaker: 'on' }, /`circuitBreaker` must be/],
    ['circuitBreaker.cooldownMs too long', { ...base, circuitBreaker: { cooldownMs: 60_000 } }, /`circuitBreaker.cooldownMs` must be at most 30000/],
    ['fetch not a function', { ...base, fetch: 'fetch' }, /`fetch` must be a function/],
    ['clock not a function', { ...base, clock: 1234 }, /`clock` must be a function/],
    ['logger without debug', { ...base, logger: { info() {} } }, /`logger` must have a debug/],
    ['a bad GENAUTH_HOST from the environment', { ...base, env: { GENAUTH_HOST: 'http://api.genauth.ai' } }, /loopback hosts only/],
  ];

  it.each(cases)('%s', (_label, options, message) => {
    const error = constructionError(options);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^genauth-session-guard:/);
    expect(error.message).not.toContain(SECRET);
  });

  it('accepts the limits themselves', () => {
    for (const options of [
      { retries: 0 },
      { retries: 10 },
      { timeoutMs: 1 },
      { timeoutMs: 2_147_483_647 },
      { cache: false as const },
      { cache: { ttlMs: 1, refreshAheadMs: 0 } },
      { onUpstreamError: 'allow-stale' as const, staleIfErrorMs: 1 },
      { host: 'http://127.0.0.1:1' },
      { host: 'http://localhost:8080' },
      { host: 'http://[::1]:8080' },
      { host: 'https://api.genauth.ai///' },
    ]) {
      const guard = createSessionGuard({ ...base, ...options } as SessionGuardOptions);
      void guard.close();
    }
  });

  it('the process environment is not read when `env` is given', () => {
    const saved = { ...process.env };
    try {
      process.env.GENAUTH_ACCESS_KEY_ID = 'from-process';
      process.env.GENAUTH_ACCESS_KEY_SECRET = SECRET;
      expect(() => createSessionGuard({ identity, env: {} })).toThrow(/GENAUTH_ACCESS_KEY_ID/);
      void createSessionGuard({ identity }).close(); // without `env`, process.env is the default
    } finally {
      process.env = saved;
    }
  });
});

describe('createSessionGuard environment defaults and host normalisation, against the fake', () => {
  const h = useHarness();

  it('takes GENAUTH_HOST / _ACCESS_KEY_ID / _ACCESS_KEY_SECRET from `env`', async () => {
    const { fake, clock } = h();
    const guard = createSessionGuard({
      identity,
      clock,
      env: { GENAUTH_HOST: fake.host, GENAUTH_ACCESS_KEY_ID: fake.accessKeyId, GENAUTH_ACCESS_KEY_SECRET: fake.accessKeySecret },
    });
    h().defer(() => guard.close());
    await fake.login('alice', APP);
    await expect(guard.authenticate(asUser('alice'), APP)).resolves.toMatchObject({ userId: 'alice', appId: APP });
    expect(fake.calls).toMatchObject({ token: 1, check: 1, refused: 0 });
  });

  it('options win over `env`', async () => {
    const { fake, clock } = h();
    const guard = createSessionGuard({
      identity,
      clock,
      host: fake.host,
      accessKeySecret: fake.accessKeySecret,
      env: { GENAUTH_HOST: 'https://unreachable.invalid', GENAUTH_ACCESS_KEY_ID: fake.accessKeyId, GENAUTH_ACCESS_KEY_SECRET: 'wrong' },
    });
    h().defer(() => guard.close());
    await fake.login('alice', APP);
    await expect(guard.authenticate(asUser('alice'), APP)).resolves.toMatchObject({ userId: 'alice' });
    expect(fake.calls.refused).toBe(0);
  });

  it.each([
    ['no scheme: https is added', 'api.example.com', 'https://api.example.com/api/v3/check-session-status'],
    ['trailing slashes are dropped', 'https://api.example.com///', 'https://api.example.com/api/v3/check-session-status'],
    ['the default host', undefined, 'https://api.genauth.ai/api/v3/check-session-status'],
  ])('%s', async (_label, host, expected) => {
    const urls: string[] = [];
    const guard = createSessionGuard({
      ...base,
      host,
      auth: 'signature',
      retries: 0,
      fetch: async (input) => {
        urls.push(String(input));
        return new Response(JSON.stringify({ statusCode: 200, data: { active: true } }), { status: 200 });
      },
    } as SessionGuardOptions);
    h().defer(() => guard.close());
    await guard.authenticate(asUser('alice'), APP);
    expect(urls).toEqual([expected]);
  });
});

describe('createSessionGuard: an unknown key, top-level or nested, is a TypeError naming it (it used to be ignored)', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['timeout (for timeoutMs)', { timeout: 100 }, 'unknown option "timeout" in createSessionGuard options; did you mean "timeoutMs"?'],
    ['retry', { retry: 3 }, 'unknown option "retry" in createSessionGuard options; did you mean "retries"?'],
    ['access_key_id', { access_key_id: 'x' }, 'unknown option "access_key_id" in createSessionGuard options; did you mean "accessKeyId"?'],
    ['a route option on the guard', { roles: ['admin'] }, 'unknown option "roles" in createSessionGuard options; it takes "host", '],
    ['cache.ttl', { cache: { ttl: 60_000 } }, 'unknown option "ttl" in createSessionGuard `cache`; did you mean "ttlMs"?'],
    ['cache.maxSize', { cache: { ttlMs: 1_000, maxSize: 5 } }, 'unknown option "maxSize" in createSessionGuard `cache`; it takes "ttlMs", "inactiveTtlMs", "max", "refreshAheadMs"'],
    ['circuitBreaker.threshold', { circuitBreaker: { threshold: 1 } }, 'unknown option "threshold" in createSessionGuard `circuitBreaker`; it takes '],
    ['circuitBreaker.cooldown', { circuitBreaker: { cooldown: 1_000 } }, 'unknown option "cooldown" in createSessionGuard `circuitBreaker`; did you mean "cooldownMs"?'],
  ])('%s', (_label, extra, message) => {
    const error = constructionError({ ...base, ...extra });
    expect(error.message).toContain(`genauth-session-guard: ${message}`);
    expect(error.message).not.toContain(SECRET);
  });

  it('the message names the key, never its value', () => {
    const error = constructionError({ ...base, accessKeySecrte: SECRET });
    expect(error.message).toBe('genauth-session-guard: unknown option "accessKeySecrte" in createSessionGuard options; did you mean "accessKeySecret"?');
  });

  it('every documented key, false for the nested ones, and undefined values are accepted', () => {
    const guard = createSessionGuard({
      ...base,
      host: 'http://127.0.0.1:1',
      auth: 'token',
      cache: { ttlMs: 1_000, inactiveTtlMs: 500, max: 10, refreshAheadMs: 0 },
      store: undefined,
      timeoutMs: 100,
      retries: 0,
      maxResponseBytes: 1_000,
      circuitBreaker: { failureThreshold: 2, cooldownMs: 1_000, initialCooldownMs: 100 },
      maxInFlight: 2,
      logger: undefined,
      fetch: undefined,
      clock: Date.now,
      onUpstreamError: 'allow-stale',
      staleIfErrorMs: 1_000,
    });
    void guard.close();
    void createSessionGuard({ ...base, cache: false, circuitBreaker: false }).close();
  });
});
