/**
 * The fake GenAuth's options fail closed too (issue 18, item 4): `createFakeGenAuth({ app: [...] })` used to be
 * ignored, so a test meant to exercise unknown applications passed without doing so.
 */
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';

describe('createFakeGenAuth and its methods reject unknown option keys', () => {
  it('createFakeGenAuth rejects (no server is started)', async () => {
    await expect(createFakeGenAuth({ app: ['app-1'] } as never)).rejects.toThrow(
      new TypeError('genauth-session-guard: unknown option "app" in createFakeGenAuth options; did you mean "apps"?'),
    );
    await expect(createFakeGenAuth({ tokenLifetime: 60 } as never)).rejects.toThrow(
      new TypeError('genauth-session-guard: unknown option "tokenLifetime" in createFakeGenAuth options; did you mean "tokenLifetimeSec"?'),
    );
  });

  describe('methods', () => {
    let fake: FakeGenAuth;
    beforeAll(async () => {
      fake = await createFakeGenAuth();
    });
    afterAll(() => fake.close());

    it('login and signToken reject; fault, webhookFault and addWebhook throw', async () => {
      await expect(fake.login('alice', 'app-1', { expiresIn: 60 } as never)).rejects.toThrow(
        new TypeError('genauth-session-guard: unknown option "expiresIn" in login options; did you mean "expiresInSec"?'),
      );
      expect(fake.isActive('alice', 'app-1')).toBe(false);
      await expect(fake.signToken({ sub: 'alice' }, { algorithm: 'RS256' } as never)).rejects.toThrow(
        new TypeError('genauth-session-guard: unknown option "algorithm" in signToken options; it takes "expiresInSec", "alg", "header"'),
      );
      expect(() => fake.fault({ kind: 'hang' }, { endpoints: 'roles' } as never)).toThrow(
        new TypeError('genauth-session-guard: unknown option "endpoints" in fault options; did you mean "endpoint"?'),
      );
      expect(() => fake.webhookFault({ kind: 'drop' }, { time: 1 } as never)).toThrow(
        new TypeError('genauth-session-guard: unknown option "time" in webhookFault options; did you mean "times"?'),
      );
      expect(() => fake.addWebhook({ url: 'http://127.0.0.1:1/hooks', secrets: 'x' } as never)).toThrow(
        new TypeError('genauth-session-guard: unknown option "secrets" in addWebhook options; did you mean "secret"?'),
      );
      expect(fake.calls).toMatchObject({ check: 0, webhook: 0 });
    });
  });
});
