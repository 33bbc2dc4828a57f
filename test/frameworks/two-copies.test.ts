import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { createSessionGuard, isSessionGuardError, SessionCheckUnavailableError, SessionGuardError, type SessionGuard } from '../../src/index';
import type * as ErrorsModule from '../../src/core/errors';
import type * as ExtractorsModule from '../../src/extractors';
import { frameworks, type RunningApp } from '../support/frameworks';

/**
 * A second copy of the package's extractors and errors, as when `bearerJwt` comes from the CommonJS build and the
 * guard from the ES module build (or two versions sit in node_modules): its classes are other classes, so
 * `instanceof` between the copies is false, exactly as between `dist/index.cjs` and `dist/index.js`.
 */
let second!: { errors: typeof ErrorsModule; extractors: typeof ExtractorsModule };
jest.isolateModules(() => {
  second = {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    errors: require('../../src/core/errors') as typeof ErrorsModule,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    extractors: require('../../src/extractors') as typeof ExtractorsModule,
  };
});

const APP = 'app-1';

describe('refusals from another copy of the package', () => {
  it('are other classes (the set-up reproduces two copies), and the brand tells them apart all the same', () => {
    const foreign = new second.errors.SessionCheckUnavailableError();
    expect(second.errors.SessionGuardError).not.toBe(SessionGuardError);
    expect(foreign).not.toBeInstanceOf(SessionGuardError);
    expect(isSessionGuardError(foreign)).toBe(true);
    expect(second.errors.isSessionGuardError(new SessionCheckUnavailableError())).toBe(true);
  });
});

describe.each(frameworks)('$name: a guard with bearerJwt from another copy of the package', (framework) => {
  let fake: FakeGenAuth;
  let guard: SessionGuard;
  let app: RunningApp;
  const reached = { count: 0 };

  beforeEach(async () => {
    reached.count = 0;
    fake = await createFakeGenAuth();
    guard = createSessionGuard({
      host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, retries: 0,
      identity: second.extractors.bearerJwt({ issuer: fake.issuer, audience: ({ appId }) => appId }),
    });
    app = await framework.start(APP, { guard }, reached);
  });
  afterEach(async () => {
    await app.close();
    await guard.close();
    await fake.close();
  });

  const get = (token: string) => fetch(`${app.url}/admin`, { headers: { authorization: `Bearer ${token}` } });

  it('a JWKS outage stays 503 session_check_unavailable with Retry-After, never a 401 that logs users out', async () => {
    const token = await fake.login('alice', APP);
    fake.fault({ kind: 'http-status', status: 502 }, { endpoint: 'jwks' });
    const response = await get(token);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(await response.json()).toEqual({ error: 'session_check_unavailable', message: expect.stringMatching(/signing keys are unavailable/) });
    expect(fake.calls.jwks).toBeGreaterThan(0);
    expect(fake.calls.check).toBe(0);
    fake.clearFaults();
    expect((await get(token)).status).toBe(200); // nothing failed was cached
    expect(reached.count).toBe(1);
  });

  it("a bad token keeps the extractor's own 401 and message", async () => {
    const token = await fake.login('alice', 'another-app');
    const response = await get(token);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid_token', message: 'The token audience is not accepted.' });
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="${APP}", error="invalid_token", error_description="The token audience is not accepted."`,
    );
    expect(reached.count).toBe(0);
  });
});
