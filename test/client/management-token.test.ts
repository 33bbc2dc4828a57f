import { SessionCheckUnavailableError } from '../../src/index';
import { APP, asUser, rejectionOf, useHarness } from '../core/fixtures';

describe("management token (auth: 'token'), counted at the fake", () => {
  describe('with the default token lifetime', () => {
    const h = useHarness();

    it('is fetched lazily, once, and shared by many concurrent cold callers', async () => {
      const { fake } = h();
      const guard = h().guard({ auth: 'token', timeoutMs: 10_000 });
      expect(fake.calls.token).toBe(0); // nothing at construction
      const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
      for (const user of users) await fake.login(user, APP);
      await Promise.all(users.map((user) => guard.authenticate(asUser(user), APP)));
      expect(fake.calls.token).toBe(1);
      expect(fake.calls.check).toBe(200);
      expect(guard.stats().tokenFetches).toBe(1);
    });

    it('a body statusCode 401 on check: the token is refreshed once and the call retried once', async () => {
      const { fake } = h();
      const guard = h().guard({ auth: 'token', cache: false });
      await fake.login('alice', APP);
      await guard.authenticate(asUser('alice'), APP);
      expect(fake.calls).toMatchObject({ token: 1, check: 1 });
      fake.expireManagementTokens();
      await expect(guard.authenticate(asUser('alice'), APP)).resolves.toMatchObject({ userId: 'alice' });
      expect(fake.calls).toMatchObject({ token: 2, check: 3, refused: 1 });
      // The new token goes on being used.
      await guard.authenticate(asUser('alice'), APP);
      expect(fake.calls).toMatchObject({ token: 2, check: 4, refused: 1 });
    });

    it('concurrent callers refused with the same expired token share one refresh', async () => {
      const { fake } = h();
      const guard = h().guard({ auth: 'token', cache: false, timeoutMs: 10_000 });
      const users = Array.from({ length: 50 }, (_, i) => `user-${i}`);
      for (const user of users) await fake.login(user, APP);
      await guard.authenticate(asUser('user-0'), APP);
      fake.expireManagementTokens();
      await Promise.all(users.map((user) => guard.authenticate(asUser(user), APP)));
      expect(fake.calls.token).toBe(2);
    });

    it('a lasting body 401 on check is not a refresh loop: one refresh, one retry, then 503', async () => {
      const { fake } = h();
      const guard = h().guard({ auth: 'token', retries: 3, circuitBreaker: false });
      await fake.login('alice', APP);
      fake.fault({ kind: 'body-status', statusCode: 401 });
      expect(await rejectionOf(guard.authenticate(asUser('alice'), APP))).toBeInstanceOf(SessionCheckUnavailableError);
      expect(fake.calls).toMatchObject({ token: 2, check: 2 });
    });

    it('a body 403 on check is not a reason to refresh the token', async () => {
      const { fake } = h();
      const guard = h().guard({ auth: 'token', retries: 3 });
      await fake.login('alice', APP);
      fake.fault({ kind: 'body-status', statusCode: 403 });
      expect(await rejectionOf(guard.authenticate(asUser('alice'), APP))).toBeInstanceOf(SessionCheckUnavailableError);
      expect(fake.calls).toMatchObject({ token: 1, check: 1 });
    });

    it('a body 401 from the token endpoint (wrong secret) is not retried nor refreshed, and not cached', async () => {
      const { fake } = h();
      const guard = h().guard({ auth: 'token', retries: 3, accessKeySecret: 'not-the-secret', circuitBreaker: false });
      await fake.login('alice', APP);
      expect(await rejectionOf(guard.authenticate(asUser('alice'), APP))).toBeInstanceOf(SessionCheckUnavailableError);
      expect(fake.calls).toMatchObject({ token: 1, check: 0, refused: 1 });
      expect(await rejectionOf(guard.authenticate(asUser('bob'), APP))).toBeInstanceOf(SessionCheckUnavailableError);
      expect(fake.calls).toMatchObject({ token: 2, check: 0, refused: 2 });
    });

    it('a 5xx from the token endpoint is retried like any call', async () => {
      const { fake } = h();
      const guard = h().guard({ auth: 'token', retries: 1 });
      await fake.login('alice', APP);
      fake.fault({ kind: 'http-status', status: 502, html: true }, { endpoint: 'token', times: 1 });
      await expect(guard.authenticate(asUser('alice'), APP)).resolves.toMatchObject({ userId: 'alice' });
      expect(fake.calls).toMatchObject({ token: 2, check: 1 });
    });

    it('sends the bearer token with x-authing-userpool-id from its scoped_userpool_id claim', async () => {
      const { fake } = h();
      const seen: Array<Record<string, string>> = [];
      const guard = h().guard({
        auth: 'token',
        fetch: (input: string | URL, init?: RequestInit) => {
          if (String(input).endsWith('/check-session-status')) seen.push(init?.headers as Record<string, string>);
          return fetch(input, init);
        },
      });
      await fake.login('alice', APP);
      await guard.authenticate(asUser('alice'), APP);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        authorization: expect.stringMatching(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/),
        'x-authing-userpool-id': fake.userPoolId,
        'content-type': 'application/json',
        'x-authing-lang': 'en-US',
        'x-authing-sdk-version': expect.stringMatching(/^genauth-session-guard:/),
      });
    });
  });

  describe('refresh before expiry (fake tokens live 100 s)', () => {
    const h = useHarness({ tokenLifetimeSec: 100 });

    it('is refreshed ahead of its expiry (10% of its life), so the fake never sees an expired token', async () => {
      const { fake, clock } = h();
      const guard = h().guard({ auth: 'token', cache: false });
      await fake.login('alice', APP, { expiresInSec: 10_000 });
      await guard.authenticate(asUser('alice'), APP);
      clock.advance(89_000);
      await guard.authenticate(asUser('alice'), APP);
      expect(fake.calls.token).toBe(1);
      clock.advance(2_000); // 91 s: inside the last 10%
      await guard.authenticate(asUser('alice'), APP);
      expect(fake.calls.token).toBe(2);
      clock.advance(95_000);
      await guard.authenticate(asUser('alice'), APP);
      expect(fake.calls.token).toBe(3);
      expect(fake.calls.refused).toBe(0);
      expect(fake.calls.check).toBe(4);
    });
  });
});
