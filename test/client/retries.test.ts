import { SessionCheckUnavailableError, SessionInactiveError, type SessionGuardError } from '../../src/index';
import type { Fault } from '../../src/testing';
import { APP, rejectionOf, useHarness } from '../core/fixtures';

describe('retries and status classification of check-session-status (counted at the fake)', () => {
  const h = useHarness();

  it.each<[string, Fault]>([
    ['HTTP 502 (HTML)', { kind: 'http-status', status: 502, html: true }],
    ['HTTP 503 (envelope)', { kind: 'http-status', status: 503 }],
    ['body statusCode 500', { kind: 'body-status', statusCode: 500 }],
    ['body statusCode 503', { kind: 'body-status', statusCode: 503 }],
    ['HTTP 429 with Retry-After: 0', { kind: 'throttle', retryAfterSec: 0 }],
    ['body statusCode 429', { kind: 'throttle', inBody: true }],
    ['a connection reset', { kind: 'reset' }],
  ])('one %s with retries: 1 → the retry passes; the fake saw 2 calls', async (_label, fault) => {
    const { fake } = h();
    const guard = h().guard({ retries: 1 });
    await fake.login('alice', APP);
    fake.fault(fault, { times: 1 });
    await expect(h().ask(guard, 'alice')).resolves.toMatchObject({ session: { source: 'upstream' } });
    expect(fake.calls.check).toBe(2);
    expect(guard.stats()).toMatchObject({ upstreamCalls: 1, errors: 0 });
  });

  it('a timeout is retried (a hang, then an answer)', async () => {
    const { fake } = h();
    const guard = h().guard({ retries: 1, timeoutMs: 1_000 }); // the retry, a healthy call, needs room on a busy machine
    await fake.login('alice', APP);
    fake.fault({ kind: 'hang' }, { times: 1 });
    await expect(h().ask(guard, 'alice')).resolves.toMatchObject({ userId: 'alice' });
    expect(fake.calls.check).toBe(2);
  });

  it.each([0, 1, 2, 3])('a lasting 502 with retries: %i → 503 after exactly retries + 1 calls', async (retries) => {
    const { fake } = h();
    const guard = h().guard({ retries, circuitBreaker: false });
    await fake.login('alice', APP);
    fake.fault({ kind: 'http-status', status: 502 });
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionCheckUnavailableError);
    expect(fake.calls.check).toBe(retries + 1);
  });

  it.each<[string, 'inactive' | 'unavailable', Fault]>([
    ['body statusCode 400', 'unavailable', { kind: 'body-status', statusCode: 400 }],
    ['body statusCode 403', 'unavailable', { kind: 'body-status', statusCode: 403 }],
    ['body statusCode 404, apiCode 2011 (application not found)', 'unavailable', { kind: 'body-status', statusCode: 404, apiCode: 2011 }],
    ['body statusCode 404, apiCode 2004 (user not found)', 'inactive', { kind: 'body-status', statusCode: 404, apiCode: 2004 }],
    ['body statusCode 401, apiCode 1300 (signature)', 'unavailable', { kind: 'body-status', statusCode: 401, apiCode: 1300 }],
    ['HTTP 404 with an HTML page', 'unavailable', { kind: 'http-status', status: 404, html: true }],
    ['a body that is not JSON', 'unavailable', { kind: 'malformed' }],
    ['data.active missing', 'unavailable', { kind: 'missing-active' }],
    ['data.active a string', 'unavailable', { kind: 'non-boolean-active' }],
  ])('%s → %s, not retried (retries: 3 → one call)', async (_label, expected, fault) => {
    const { fake } = h();
    const guard = h().guard({ retries: 3, auth: 'signature' });
    await fake.login('alice', APP);
    fake.fault(fault);
    const error = await rejectionOf(h().ask(guard, 'alice'));
    expect(error).toBeInstanceOf(expected === 'inactive' ? SessionInactiveError : SessionCheckUnavailableError);
    expect(fake.calls.check).toBe(1);
  });

  describe('Retry-After', () => {
    it('HTTP 429 with Retry-After: 2 (> 1 s) is not waited for: one call, 503 passing on Retry-After: 2', async () => {
      const { fake } = h();
      const guard = h().guard({ retries: 3 });
      await fake.login('alice', APP);
      fake.fault({ kind: 'throttle', retryAfterSec: 2 }, { times: 1 });
      const error = await rejectionOf(h().ask(guard, 'alice'));
      expect(error).toBeInstanceOf(SessionCheckUnavailableError);
      expect(error.headers).toEqual({ 'retry-after': '2' });
      expect(fake.calls.check).toBe(1);
    });

    it('body statusCode 429 with a Retry-After header of 7 s is not waited for either, and the 503 carries it', async () => {
      const { fake } = h();
      const guard = h().guard({ retries: 3 });
      await fake.login('alice', APP);
      fake.fault({ kind: 'throttle', inBody: true, retryAfterSec: 7 }, { times: 1 });
      const error = await rejectionOf(h().ask(guard, 'alice'));
      expect((error as SessionGuardError).headers).toEqual({ 'retry-after': '7' });
      expect(fake.calls.check).toBe(1);
    });

    it('a 503 without Retry-After from GenAuth still answers Retry-After: 1', async () => {
      const { fake } = h();
      const guard = h().guard();
      await fake.login('alice', APP);
      fake.fault({ kind: 'http-status', status: 503 });
      expect((await rejectionOf(h().ask(guard, 'alice'))).headers).toEqual({ 'retry-after': '1' });
    });
  });

  it('HTTP 500 carrying a success envelope is not taken as an answer', async () => {
    const { fake } = h();
    const body = JSON.stringify({ statusCode: 200, message: 'ok', data: { active: true } });
    const guard = h().guard({
      retries: 0,
      fetch: async (input: string | URL, init?: RequestInit) => {
        const real = await fetch(input, init);
        if (!String(input).endsWith('/check-session-status')) return real;
        await real.body?.cancel();
        return new Response(body, { status: 500, headers: { 'content-type': 'application/json' } });
      },
    });
    await fake.login('alice', APP);
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionCheckUnavailableError);
  });
});
