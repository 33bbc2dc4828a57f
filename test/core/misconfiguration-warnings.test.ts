import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import request from 'supertest';
import { bearerJwt, channels, type DecisionEvent, type SessionGuardOptions, type UpstreamEvent } from '../../src/index';
import { frameworks, type RunningApp } from '../support/frameworks';
import { APP, useHarness } from './fixtures';

interface Seen {
  warnings: Array<{ code: string | undefined; message: string }>;
  decision: DecisionEvent[];
  upstream: UpstreamEvent[];
  logged: Array<[string, Record<string, unknown> | undefined]>;
}

const express5 = frameworks[0]!;

describe('a misconfiguration is visible, not a wall of silent 503s', () => {
  const h = useHarness();
  let seen: Seen;
  // Jest's sandboxed `process` does not receive the real process's 'warning' events: watch emitWarning instead.
  let emitWarning: jest.SpyInstance;
  const onDecision = (message: unknown) => void seen.decision.push(message as DecisionEvent);
  const onUpstream = (message: unknown) => void seen.upstream.push(message as UpstreamEvent);

  beforeEach(() => {
    seen = { warnings: [], decision: [], upstream: [], logged: [] };
    emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(((warning: string | Error, options?: { code?: string }) => {
      const message = typeof warning === 'string' ? warning : warning.message;
      if (options?.code?.startsWith('GENAUTH_SESSION_GUARD_')) seen.warnings.push({ code: options.code, message });
    }) as typeof process.emitWarning);
    subscribe(channels.decision, onDecision);
    subscribe(channels.upstream, onUpstream);
  });
  afterEach(() => {
    emitWarning.mockRestore();
    unsubscribe(channels.decision, onDecision);
    unsubscribe(channels.upstream, onUpstream);
  });

  const logger = { debug: (message: string, details?: Record<string, unknown>) => void seen.logged.push([message, details]) };

  /** An Express app guarded by a guard made with `overrides`; `count` requests sent one after another. */
  async function hammer(overrides: Partial<SessionGuardOptions>, headers: () => Promise<Record<string, string>>, count = 12): Promise<number[]> {
    const guard = h().guard({ ...overrides, logger } as Partial<SessionGuardOptions>);
    const app: RunningApp = await express5.start(APP, { guard }, { count: 0 });
    h().defer(() => app.close());
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const sent = request(app.url).get('/admin');
      for (const [name, value] of Object.entries(await headers())) sent.set(name, value);
      statuses.push((await sent).status);
    }
    return statuses;
  }

  function expectNoSecret(...secrets: string[]): void {
    const everything = JSON.stringify(seen);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  }

  it.each(['token', 'signature'] as const)('%s scheme, wrong access key secret: one warning naming the cause, reasons on the channels', async (auth) => {
    const { fake } = h();
    const secret = 'wrong-secret-7c2b';
    await fake.login('alice', APP);
    const statuses = await hammer(
      { auth, accessKeySecret: secret, circuitBreaker: false },
      async () => ({ 'x-user-id': 'alice' }),
    );
    expect(statuses).toEqual(Array(12).fill(503));

    expect(seen.warnings).toEqual([{ code: 'GENAUTH_SESSION_GUARD_CREDENTIALS_REFUSED', message: expect.any(String) }]);
    const [warning] = seen.warnings;
    expect(warning!.message).toContain('GenAuth refused the management credentials');
    expect(warning!.message).toContain('GENAUTH_ACCESS_KEY_SECRET');
    expect(warning!.message).toContain('npx genauth-session-guard doctor');

    const refusals = seen.decision.filter((event) => event.outcome === 'refuse');
    expect(refusals).toHaveLength(12);
    for (const event of refusals) {
      expect(event).toMatchObject({ code: 'session_check_unavailable', reason: expect.stringContaining('GenAuth refused the management credentials') });
    }
    const failedAttempts = seen.upstream.filter((event) => event.outcome === 'credentials');
    expect(failedAttempts.length).toBeGreaterThanOrEqual(12);
    for (const event of failedAttempts) expect(event.reason).toContain('refused the management credentials');
    expect(seen.logged.filter(([message]) => message === 'genauth-session-guard warning')).toHaveLength(1);
    expect(seen.logged.some(([, details]) => String(details?.reason).includes('refused the management credentials'))).toBe(true);
    expectNoSecret(secret);
  });

  it('a clock too far off (signature scheme) is its own cause', async () => {
    const { fake } = h();
    fake.fault({ kind: 'body-status', statusCode: 401, apiCode: 1305 });
    const statuses = await hammer({ auth: 'signature', circuitBreaker: false }, async () => ({ 'x-user-id': 'alice' }), 5);
    expect(statuses).toEqual(Array(5).fill(503));
    expect(seen.warnings.map((w) => w.code)).toEqual(['GENAUTH_SESSION_GUARD_CLOCK_SKEW']);
    expect(seen.warnings[0]!.message).toContain('the date of this machine is too far');
  });

  it('an outage is not a misconfiguration: no warning, but the reason is on the channel', async () => {
    const { fake } = h();
    fake.fault({ kind: 'http-status', status: 502, html: true });
    expect(await hammer({ circuitBreaker: false }, async () => ({ 'x-user-id': 'alice' }), 3)).toEqual([503, 503, 503]);
    expect(seen.warnings).toEqual([]);
    expect(seen.decision.at(-1)?.reason).toContain('GenAuth answered with an HTTP error');
  });

  it('an issuer with a trailing slash: one warning saying so, reasons on the decisions', async () => {
    const { fake } = h();
    const token = await fake.login('alice', APP);
    const statuses = await hammer(
      { identity: bearerJwt({ issuer: `${fake.issuer}/`, audience: APP, clock: h().clock }) },
      async () => ({ authorization: `Bearer ${token}` }),
    );
    expect(statuses).toEqual(Array(12).fill(503));
    expect(seen.warnings).toEqual([{ code: 'GENAUTH_SESSION_GUARD_ISSUER_MISMATCH', message: expect.stringContaining('the trailing slash differs') }]);
    expect(fake.calls.discovery).toBe(12); // a failed discovery is not kept: each request tries again
    for (const event of seen.decision) {
      expect(event).toMatchObject({ outcome: 'refuse', code: 'session_check_unavailable', reason: expect.stringContaining('the trailing slash differs') });
    }
    expectNoSecret(token, fake.accessKeySecret);
  });

  it('an issuer whose document names another issuer, and one without discovery: one warning each', async () => {
    const { fake } = h();
    const token = await fake.login('alice', APP);
    const otherName = fake.issuer.replace('127.0.0.1', 'localhost');
    await hammer({ identity: bearerJwt({ issuer: otherName, audience: APP }) }, async () => ({ authorization: `Bearer ${token}` }), 4);
    await hammer({ identity: bearerJwt({ issuer: `${fake.host}/missing`, audience: APP }) }, async () => ({ authorization: `Bearer ${token}` }), 4);
    expect(seen.warnings.map((w) => w.code)).toEqual(['GENAUTH_SESSION_GUARD_ISSUER_MISMATCH', 'GENAUTH_SESSION_GUARD_ISSUER_NO_DISCOVERY']);
    expect(seen.warnings[0]!.message).not.toContain('trailing slash');
    expect(seen.warnings[1]!.message).toContain('HTTP status 404');
    expectNoSecret(token);
  });
});

describe('ready() reports the cause itself', () => {
  const h = useHarness();

  it('no warning for what ready() rejected with; the first request after it still warns', async () => {
    const warnings: string[] = [];
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(((_warning: string, options?: { code?: string }) => {
      warnings.push(String(options?.code));
    }) as typeof process.emitWarning);
    h().defer(() => spy.mockRestore());
    const guard = h().guard({ accessKeySecret: 'wrong-wrong' });
    await expect(guard.ready()).rejects.toThrow('refused the management credentials');
    expect(warnings).toEqual([]);
    await expect(h().ask(guard, 'alice')).rejects.toMatchObject({ status: 503 });
    expect(warnings).toEqual(['GENAUTH_SESSION_GUARD_CREDENTIALS_REFUSED']);
  });
});
