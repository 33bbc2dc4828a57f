import { bearerJwt, firstOf, GuardNotReadyError, header, WARM_UP, type SessionGuard } from '../../src/index';
import { APP, rejectionOf, startServer, useHarness } from './fixtures';

/** Warnings are not what these tests are about; keep them from being printed. */
const quiet = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
afterAll(() => quiet.mockRestore());

async function notReady(guard: SessionGuard): Promise<GuardNotReadyError> {
  const error = (await rejectionOf(guard.ready())) as unknown as GuardNotReadyError;
  expect(error).toBeInstanceOf(GuardNotReadyError);
  expect(error.code).toBe('GENAUTH_SESSION_GUARD_NOT_READY');
  return error;
}

describe('guard.ready()', () => {
  const h = useHarness();

  it('token scheme: fetches the management token once, which the first request then uses', async () => {
    const { fake } = h();
    const guard = h().guard({ auth: 'token' });
    await guard.ready();
    expect(fake.calls).toMatchObject({ token: 1, check: 0 });
    await fake.login('alice', APP);
    await h().ask(guard, 'alice');
    expect(fake.calls).toMatchObject({ token: 1, check: 1 });
    await guard.ready();
    expect(fake.calls).toMatchObject({ token: 1, check: 1 }); // already warm: no call
    expect(guard.stats().tokenFetches).toBe(1);
  });

  it('concurrent calls share one warm-up', async () => {
    const { fake } = h();
    const guard = h().guard({ auth: 'token' });
    await Promise.all([guard.ready(), guard.ready(), guard.ready()]);
    expect(fake.calls.token).toBe(1);
  });

  it('signature scheme: one signed call, accepted (a placeholder user is "not found"); none once warm', async () => {
    const { fake } = h();
    const guard = h().guard({ auth: 'signature' });
    await guard.ready();
    expect(fake.calls).toMatchObject({ token: 0, check: 1, refused: 0 });
    await guard.ready();
    expect(fake.calls.check).toBe(1);
    // Not a session answer: nothing was cached, and the breaker did not count it.
    expect(guard.stats()).toMatchObject({ size: 0, upstreamCalls: 0, circuitOpened: 0 });
  });

  it.each(['token', 'signature'] as const)('%s scheme: a wrong secret rejects naming the cause, never the secret', async (auth) => {
    const secret = 'wrong-secret-4d1f9e';
    const guard = h().guard({ auth, accessKeySecret: secret });
    const error = await notReady(guard);
    expect(error.message).toMatch(/^genauth-session-guard is not ready: GenAuth refused the management credentials/);
    expect(error.message).toContain('GENAUTH_ACCESS_KEY_SECRET');
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain(secret);
    expect(guard.health()).toMatchObject({ ok: false, lastFailure: { kind: 'credentials', at: h().clock() } });
  });

  it('an unreachable host rejects with the network error', async () => {
    const dead = await startServer(() => undefined);
    await dead.close();
    const guard = h().guard({ host: dead.url });
    const error = await notReady(guard);
    expect(error.message).toContain('GenAuth could not be reached');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('a GenAuth that does not answer rejects after the timeout', async () => {
    const { fake } = h();
    fake.fault({ kind: 'hang' }, { endpoint: 'token' });
    const guard = h().guard({ timeoutMs: 100 });
    const error = await notReady(guard);
    expect(error.message).toContain('GenAuth did not answer in time');
    expect(error.message).toContain('no answer within 100 ms');
  });

  it('a malformed answer rejects as not understood', async () => {
    const { fake } = h();
    fake.fault({ kind: 'malformed' }, { endpoint: 'token' });
    const error = await notReady(h().guard());
    expect(error.message).toContain("GenAuth's answer was not understood");
  });

  it('bearerJwt: loads discovery and the JWKS; the first token then costs no key request', async () => {
    const { fake } = h();
    const guard = h().guard({ identity: bearerJwt({ issuer: fake.issuer, audience: APP, clock: h().clock }) });
    await guard.ready();
    expect(fake.calls).toMatchObject({ token: 1, discovery: 1, jwks: 1 });
    const token = await fake.login('alice', APP);
    await guard.authenticate({ headers: { authorization: `Bearer ${token}` } }, APP);
    expect(fake.calls).toMatchObject({ token: 1, discovery: 1, jwks: 1, check: 1 });
    await guard.ready();
    expect(fake.calls).toMatchObject({ token: 1, discovery: 1, jwks: 1 });
  });

  it('bearerJwt: an issuer with a trailing slash rejects saying so', async () => {
    const { fake } = h();
    const guard = h().guard({ identity: bearerJwt({ issuer: `${fake.issuer}/`, audience: APP }) });
    const error = await notReady(guard);
    expect(error.message).toContain('the signing keys could not be loaded: OIDC discovery at');
    expect(error.message).toContain('the trailing slash differs');
    expect(fake.calls.jwks).toBe(0);
  });

  it('bearerJwt: an issuer without discovery, and a JWKS that does not load, are named', async () => {
    const { fake } = h();
    const noDiscovery = h().guard({ identity: bearerJwt({ issuer: `${fake.host}/nowhere`, audience: APP }) });
    expect((await notReady(noDiscovery)).message).toContain('failed: HTTP status 404');

    fake.fault({ kind: 'http-status', status: 500 }, { endpoint: 'jwks' });
    const badJwks = h().guard({ identity: bearerJwt({ jwksUri: fake.jwksUri, issuer: fake.issuer, audience: 'app-1' }) });
    expect((await notReady(badJwks)).message).toContain('the signing keys could not be loaded: Expected 200 OK');
  });

  it('both causes at once are both named', async () => {
    const { fake } = h();
    const guard = h().guard({ accessKeySecret: 'nope-nope', identity: bearerJwt({ issuer: `${fake.issuer}/`, audience: APP }) });
    const { message } = await notReady(guard);
    expect(message).toContain('refused the management credentials');
    expect(message).toContain('trailing slash');
  });

  it('firstOf warms every extractor that has a warm-up', async () => {
    const { fake } = h();
    const calls: string[] = [];
    const custom = Object.assign(() => undefined, { [WARM_UP]: async () => void calls.push('custom') });
    const identity = firstOf(header('x-user-id'), custom, bearerJwt({ issuer: fake.issuer, audience: 'app-1' }));
    const guard = h().guard({ identity });
    await guard.ready();
    expect(calls).toEqual(['custom']);
    expect(fake.calls).toMatchObject({ discovery: 1, jwks: 1 });
  });

  it('a failing custom warm-up is reported without its message', async () => {
    const custom = Object.assign(() => undefined, {
      [WARM_UP]: async () => {
        throw new Error('my key store is down');
      },
    });
    const error = await notReady(h().guard({ identity: custom }));
    expect(error.message).toContain("the identity extractor's warm-up failed");
    expect((error.cause as Error).message).toBe('my key store is down');
  });

  it('a closed guard is not ready', async () => {
    const guard = h().guard();
    await guard.close();
    expect((await notReady(guard)).message).toContain('the guard is closed');
  });

  it('is optional: a guard never made ready answers requests', async () => {
    const { fake } = h();
    await fake.login('alice', APP);
    await expect(h().ask(h().guard(), 'alice')).resolves.toMatchObject({ userId: 'alice' });
  });
});
