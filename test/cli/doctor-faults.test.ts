import { startServer } from '../core/fixtures';
import { APP, doctor, useFake } from './support';

/** Each fault of the fake gives the documented message and exit code 1; no secret or token is ever printed. */
describe('genauth-session-guard doctor: what each failure says', () => {
  const current = useFake();

  it.each(['token', 'signature'] as const)('%s scheme, wrong secret: credentials ✗ naming the cause, session skipped', async (auth) => {
    const { fake, env } = current();
    const secret = 'wrong-secret-0b7e55';
    const run = await doctor(['doctor', '--auth', auth, '--app-id', APP, '--user-id', 'alice', '--access-key-secret', secret], env, [secret, fake.accessKeySecret]);
    expect(run.code).toBe(1);
    expect(run.check(`credentials accepted (${auth} scheme)`)).toEqual({
      mark: '✗',
      detail: expect.stringMatching(/^GenAuth refused the management credentials \(.*statusCode 401.*\): check accessKeyId and accessKeySecret/),
    });
    expect(run.check('live session check')).toEqual({ mark: '-', detail: 'the credentials were not accepted' });
    expect(run.out).toMatch(/1 check failed\.\n$/);
  });

  it('GenAuth hangs: the step fails after --timeout', async () => {
    const { fake, env } = current();
    fake.fault({ kind: 'hang' }, { endpoint: 'token' });
    const run = await doctor(['doctor', '--timeout', '200'], env, [fake.accessKeySecret]);
    expect(run.code).toBe(1);
    expect(run.check('credentials accepted').detail).toBe('GenAuth did not answer in time (get-management-token: no answer within 200 ms)');
  });

  it('discovery hangs, or the JWKS hangs: named, with the timeout', async () => {
    const { fake, env } = current();
    fake.fault({ kind: 'hang' }, { endpoint: 'discovery', times: 1 });
    const discovery = await doctor(['doctor', '--timeout', '200'], env);
    expect(discovery.code).toBe(1);
    expect(discovery.check('issuer discovery')).toEqual({ mark: '✗', detail: expect.stringMatching(/^OIDC discovery at .* failed: the request did not complete \(timed out\)$/) });
    expect(discovery.check('signing keys (JWKS) load').mark).toBe('-');

    fake.fault({ kind: 'hang' }, { endpoint: 'jwks', times: 1 });
    const jwks = await doctor(['doctor', '--timeout', '200'], env);
    expect(jwks.code).toBe(1);
    expect(jwks.check('signing keys (JWKS) load')).toEqual({ mark: '✗', detail: 'the JWKS endpoint did not answer in time' });
  });

  it.each([
    [{ kind: 'malformed' } as const, 'token', "GenAuth's answer was not understood (get-management-token: HTTP 200 with a body that is not JSON)"],
    [{ kind: 'empty' } as const, 'token', "GenAuth's answer was not understood (get-management-token: HTTP 200 with a body that is not JSON)"],
    [{ kind: 'http-status', status: 502, html: true } as const, 'token', 'GenAuth answered with an HTTP error (get-management-token: HTTP 502 with a body that is not JSON): check the host (GENAUTH_HOST)'],
    [{ kind: 'body-status', statusCode: 404, apiCode: 2224 } as const, 'token', 'GenAuth rejected the call (get-management-token: statusCode 404 apiCode 2224): the user pool was not found; check accessKeyId'],
    [{ kind: 'throttle', retryAfterSec: 30 } as const, 'token', 'GenAuth is throttling the calls (get-management-token: HTTP 429)'],
  ])('credentials step, fault %j', async (fault, endpoint, message) => {
    const { fake, env } = current();
    fake.fault(fault, { endpoint: endpoint as 'token' });
    const run = await doctor(['doctor'], env, [fake.accessKeySecret]);
    expect(run.code).toBe(1);
    expect(run.check('credentials accepted')).toEqual({ mark: '✗', detail: message });
  });

  it('malformed session answers: the session step fails, the guard would answer 503', async () => {
    const { fake, env } = current();
    await fake.login('alice', APP);
    fake.fault({ kind: 'non-boolean-active' }, { endpoint: 'check' });
    const run = await doctor(['doctor', '--app-id', APP, '--user-id', 'alice'], env);
    expect(run.code).toBe(1);
    expect(run.check('live session check')).toEqual({
      mark: '✗',
      detail: "GenAuth's answer was not understood (check-session-status: the answer's data is not of the documented shape); the guard would answer 503",
    });
  });

  it('malformed discovery document and JWKS', async () => {
    const { fake, env } = current();
    fake.fault({ kind: 'malformed' }, { endpoint: 'discovery', times: 1 });
    expect((await doctor(['doctor'], env)).check('issuer discovery').detail).toMatch(/failed: the answer is not JSON$/);
    fake.fault({ kind: 'malformed' }, { endpoint: 'jwks', times: 1 });
    expect((await doctor(['doctor'], env)).check('signing keys (JWKS) load').detail).toBe('Failed to parse the JSON Web Key Set HTTP response as JSON');
  });

  it('an issuer with a trailing slash, or without discovery', async () => {
    const { fake, env } = current();
    const slash = await doctor(['doctor', '--issuer', `${fake.issuer}/`], env);
    expect(slash.code).toBe(1);
    expect(slash.check('issuer discovery').detail).toContain(`set issuer to "${fake.issuer}" exactly (the trailing slash differs)`);
    const none = await doctor(['doctor', '--issuer', `${fake.host}/elsewhere`], env);
    expect(none.check('issuer discovery').detail).toMatch(/failed: HTTP status 404$/);
  });

  it('a signed-out user: the session step says the guard would answer 401', async () => {
    const { fake, env } = current();
    await fake.login('alice', APP);
    fake.kick('alice');
    const run = await doctor(['doctor', '--app-id', APP, '--user-id', 'alice'], env);
    expect(run.code).toBe(1);
    expect(run.check('live session check').detail).toBe(
      'GenAuth says user "alice" holds no live session in app "app-1" (signed out, kicked, or not a user of this pool): the guard would answer 401 session_inactive',
    );
  });

  it('tokens the guard would refuse: expired, for another app, from another issuer, badly signed', async () => {
    const { fake, env } = current();
    const expired = await fake.login('alice', APP, { expiresInSec: -600 });
    const run = await doctor(['doctor', '--app-id', APP, '--token', expired], env, [expired]);
    expect(run.code).toBe(1);
    expect(run.check('token verified').detail).toMatch(/^The token has expired \(exp \d{4}-.*Z, 10 min ago\)\. The guard would answer 401 invalid_token\.$/);
    expect(run.check('live session check').mark).toBe('-'); // no user id to ask about

    const otherApp = await fake.login('alice', 'app-2');
    expect((await doctor(['doctor', '--app-id', APP, '--token', otherApp], env, [otherApp])).check('token verified').detail).toBe(
      'The token audience is not accepted (the token\'s aud is "app-2"; expected "app-1"). The guard would answer 401 invalid_token.',
    );
    const otherIssuer = await fake.signToken({ sub: 'alice', aud: APP, iss: 'https://elsewhere.example/oidc' });
    expect((await doctor(['doctor', '--app-id', APP, '--token', otherIssuer], env, [otherIssuer])).check('token verified').detail).toBe(
      `The token issuer is not accepted (the token's iss is "https://elsewhere.example/oidc"; expected "${fake.issuer}"). The guard would answer 401 invalid_token.`,
    );
    const [head, body] = expired.split('.');
    const forged = `${head}.${body}.${'A'.repeat(342)}`;
    expect((await doctor(['doctor', '--token', forged], env, [forged])).check('token verified').detail).toMatch(/^The token (signature is not valid|has expired)/);
    expect((await doctor(['doctor', '--token', 'not-a-jwt'], env, ['not-a-jwt'])).check('token verified').detail).toBe(
      'The token is malformed. The guard would answer 401 invalid_token.',
    );
  });

  it('a valid token without an audience to check passes, saying the audience was not checked', async () => {
    const { fake, env } = current();
    const token = await fake.login('alice', APP);
    const run = await doctor(['doctor', '--token', token], env, [token]);
    expect(run.code).toBe(0);
    expect(run.check('token verified').detail).toContain('audience NOT checked');
  });

  it('configuration mistakes: no secret, plain http to a remote host, a bad issuer', async () => {
    const missing = await doctor(['doctor'], { GENAUTH_ACCESS_KEY_ID: 'id' });
    expect(missing.code).toBe(1);
    expect(missing.check('configuration')).toEqual({ mark: '✗', detail: 'GENAUTH_ACCESS_KEY_SECRET (or --access-key-secret) is not set' });
    expect(missing.check('credentials accepted').detail).toBe('the access key or the host is missing');

    const plain = await doctor(['doctor', '--host', 'http://api.genauth.ai', '--issuer', 'http://example.com/oidc'], { GENAUTH_ACCESS_KEY_ID: 'id', GENAUTH_ACCESS_KEY_SECRET: 'secret-xyz' }, ['secret-xyz']);
    expect(plain.check('configuration').detail).toBe(
      '`host` must use https (plain http is accepted for loopback hosts only).; the issuer must use https (plain http is accepted for loopback hosts only)',
    );
    expect(plain.check('host answers').mark).toBe('-');
  });

  it('unreachable host, and TLS verification switched off', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    const run = await doctor(['doctor', '--host', closed.url], { GENAUTH_ACCESS_KEY_ID: 'id', GENAUTH_ACCESS_KEY_SECRET: 'secret-xyz' });
    expect(run.code).toBe(1);
    expect(run.check('host answers')).toEqual({ mark: '✗', detail: `${closed.url} could not be reached (ECONNREFUSED): check GENAUTH_HOST and the network` });
    expect(run.check('credentials accepted').detail).toBe('the host did not answer');

    const unverified = await doctor(['doctor'], { GENAUTH_ACCESS_KEY_ID: 'id', GENAUTH_ACCESS_KEY_SECRET: 'secret-xyz', NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    expect(unverified.check('host answers').detail).toMatch(/^NODE_TLS_REJECT_UNAUTHORIZED=0 turns certificate verification off/);
  });
});
