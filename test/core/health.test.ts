import type { SharedStore, SharedStoreListener } from '../../src/core/shared-store';
import { APP, rejectionOf, useHarness } from './fixtures';

const quiet = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
afterAll(() => quiet.mockRestore());

/** A store that never answers a call but reports its connection as the test says. */
function switchableStore(): { store: SharedStore; connected(up: boolean): void } {
  let listener: SharedStoreListener | undefined;
  const never = () => new Promise<never>(() => undefined);
  const store: SharedStore = {
    settings: { timeoutMs: 50, retryAfterMs: 1_000 },
    attach(scope) {
      listener = scope.listener;
      return { ready: false, whenReady: never, read: never, write: never, release: never, invalidate: never, close: async () => undefined };
    },
  };
  return { store, connected: (up) => listener!.status({ commands: up, subscribed: up }) };
}

describe('guard.health()', () => {
  const h = useHarness();

  it('a new guard: ok, no success yet, no failure', () => {
    expect(h().guard().health()).toEqual({ ok: true, circuit: 'closed', store: 'off', lastSuccessAt: null });
  });

  it('records the last success and the last failure, with their times', async () => {
    const { fake, clock } = h();
    const guard = h().guard();
    await fake.login('alice', APP);
    await h().ask(guard, 'alice');
    const firstSuccess = clock();
    expect(guard.health()).toEqual({ ok: true, circuit: 'closed', store: 'off', lastSuccessAt: firstSuccess });

    clock.advance(60_000);
    fake.fault({ kind: 'http-status', status: 502, html: true }, { times: 1 });
    await rejectionOf(h().ask(guard, 'bob'));
    expect(guard.health()).toEqual({
      ok: true, // one 502 is an outage, not a misconfiguration; the circuit is still closed
      circuit: 'closed',
      store: 'off',
      lastSuccessAt: firstSuccess,
      lastFailure: { kind: 'http', at: firstSuccess + 60_000 },
    });
  });

  it('a refused secret makes it not ok until a call succeeds again', async () => {
    const { fake } = h();
    const guard = h().guard({ accessKeySecret: 'not-the-secret' });
    await rejectionOf(h().ask(guard, 'alice'));
    expect(guard.health()).toMatchObject({ ok: false, circuit: 'closed', lastSuccessAt: null, lastFailure: { kind: 'credentials' } });
    expect(JSON.stringify(guard.health())).not.toContain('not-the-secret');
    // the same guard cannot heal (the secret is fixed at creation); the signature scheme shows the flip back
    const signed = h().guard({ auth: 'signature' });
    fake.fault({ kind: 'body-status', statusCode: 401, apiCode: 1300 }, { times: 1 });
    await rejectionOf(h().ask(signed, 'alice'));
    expect(signed.health().ok).toBe(false);
    await fake.login('alice', APP);
    await h().ask(signed, 'alice');
    expect(signed.health()).toMatchObject({ ok: true, lastFailure: { kind: 'credentials' } });
  });

  it('an open circuit is not ok; calls failed fast are not counted as failures', async () => {
    const { fake, clock } = h();
    const guard = h().guard({ circuitBreaker: { failureThreshold: 2, cooldownMs: 1_000 } });
    fake.fault({ kind: 'http-status', status: 503 });
    await rejectionOf(h().ask(guard, 'a'));
    await rejectionOf(h().ask(guard, 'b'));
    const failedAt = clock();
    clock.advance(10);
    await rejectionOf(h().ask(guard, 'c')); // failed fast
    expect(guard.health()).toMatchObject({ ok: false, circuit: 'open', lastFailure: { kind: 'server', at: failedAt } });
  });

  it('a store that is down is not ok', async () => {
    const { store, connected } = switchableStore();
    const guard = h().guard({ store });
    expect(guard.health()).toMatchObject({ ok: true, store: 'connecting' });
    connected(true);
    expect(guard.health()).toMatchObject({ ok: true, store: 'up' });
    connected(false);
    expect(guard.health()).toMatchObject({ ok: false, store: 'down' });
  });

  it('a closed guard is not ok', async () => {
    const guard = h().guard();
    await guard.close();
    expect(guard.health().ok).toBe(false);
  });
});
