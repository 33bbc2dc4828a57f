import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { bearerJwt, channels, createSessionGuard, type SessionGuard, type SessionGuardOptions } from '../../src/index';
import { frameworks } from '../support/frameworks';
import { APP, useHarness } from './fixtures';

const WRONG_SECRET = 'wrong-secret-5e1d0c7b9a';

function causeChain(error: unknown): string[] {
  const out: string[] = [];
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    if (current instanceof Error) {
      out.push(current.message, String(current), JSON.stringify(current));
      current = (current as { cause?: unknown }).cause;
    } else {
      out.push(String(current));
      break;
    }
  }
  return out;
}

describe.each(['token', 'signature'] as const)('nothing secret leaves the guard (auth %s)', (auth) => {
  const h = useHarness();
  let published: string[];
  const listeners: Array<[string, (message: unknown) => void]> = [];

  beforeEach(() => {
    published = [];
    for (const name of Object.values(channels)) {
      const listener = (message: unknown) => published.push(JSON.stringify(message));
      subscribe(name, listener);
      listeners.push([name, listener]);
    }
  });
  afterEach(() => {
    for (const [name, listener] of listeners.splice(0)) unsubscribe(name, listener);
  });

  it.each(frameworks)('$name: pass, refusal, fault and wrong-secret paths; logs, events, errors, responses', async (framework) => {
    const { fake, clock } = h();
    const logLines: string[] = [];
    const managementTokens: string[] = [];
    const errors: string[] = [];
    const responses: string[] = [];
    const logger = { debug: (message: string, details?: Record<string, unknown>) => logLines.push(JSON.stringify([message, details])) };
    // Reads the management token as it comes back, to look for it everywhere else.
    const spyingFetch = async (input: string | URL, init?: RequestInit) => {
      const response = await fetch(input, init);
      if (String(input).endsWith('/get-management-token')) {
        const body = JSON.parse(await response.clone().text()) as { data?: { access_token?: string } };
        if (body.data?.access_token) managementTokens.push(body.data.access_token);
      }
      return response;
    };
    const guardOptions = (overrides: Partial<SessionGuardOptions> = {}) => ({
      host: fake.host,
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      auth,
      identity: bearerJwt({ issuer: fake.issuer, audience: ({ appId }) => appId, clock }),
      clock,
      retries: 0,
      timeoutMs: 1_000, // one hang below times out; the healthy calls need room on a busy machine
      circuitBreaker: false as const,
      logger,
      fetch: spyingFetch,
      ...overrides,
    }) as SessionGuardOptions;
    const good: SessionGuard = createSessionGuard(guardOptions());
    const wrong: SessionGuard = createSessionGuard(guardOptions({ accessKeySecret: WRONG_SECRET }));
    h().defer(() => good.close());
    h().defer(() => wrong.close());

    const alice = await fake.login('alice', APP);
    const bob = await fake.login('bob', APP);
    fake.kick('bob');
    const tampered = `${alice.slice(0, -6)}AAAAAA`;
    const expired = await fake.login('alice', APP, { expiresInSec: -120 });
    const otherApp = await fake.login('alice', 'other-app');
    const userTokens = [alice, bob, tampered, expired, otherApp];

    const apps = await Promise.all([good, wrong].map((guard) => framework.start(APP, { guard }, { count: 0 })));
    h().defer(() => Promise.all(apps.map((app) => app.close())));
    const call = async (url: string, token?: string) => {
      const response = await fetch(`${url}/admin`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      responses.push(`${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`);
      return response.status;
    };
    const [goodApp, wrongApp] = apps.map((app) => app.url) as [string, string];

    expect(await call(goodApp, alice)).toBe(200); // pass (upstream)
    expect(await call(goodApp, alice)).toBe(200); // pass (cache)
    expect(await call(goodApp)).toBe(401); // missing
    expect(await call(goodApp, tampered)).toBe(401); // invalid signature
    expect(await call(goodApp, expired)).toBe(401); // expired
    expect(await call(goodApp, otherApp)).toBe(401); // wrong audience
    expect(await call(goodApp, bob)).toBe(401); // session inactive
    for (const fault of [{ kind: 'http-status', status: 502, html: true }, { kind: 'malformed' }, { kind: 'hang' }] as const) {
      good.invalidate('alice');
      fake.fault(fault, { times: 1 });
      expect(await call(goodApp, alice)).toBe(503);
    }
    // A body statusCode 401: the token scheme refreshes its token once and passes; the signature scheme cannot.
    good.invalidate('alice');
    fake.fault({ kind: 'body-status', statusCode: 401 }, { times: 1 });
    expect(await call(goodApp, alice)).toBe(auth === 'token' ? 200 : 503);
    expect(await call(wrongApp, alice)).toBe(503); // credentials refused by the fake
    expect(fake.calls.refused).toBeGreaterThan(0);

    // The same paths through authenticate() directly, to look at the error objects and their causes.
    for (const [guard, token] of [[good, tampered], [good, bob], [wrong, alice], [good, undefined]] as const) {
      const outcome = await guard.authenticate({ headers: token ? { authorization: `Bearer ${token}` } : {} }, APP).then(() => undefined, (e: unknown) => e);
      errors.push(...causeChain(outcome), JSON.stringify((outcome as { headers?: unknown }).headers));
    }

    if (auth === 'token') expect(managementTokens.length).toBeGreaterThan(0);
    expect(logLines.length).toBeGreaterThan(10);
    expect(published.length).toBeGreaterThan(10);
    const secrets = [fake.accessKeySecret, WRONG_SECRET, ...managementTokens, ...userTokens, ...userTokens.map((t) => t.split('.')[2] ?? '')];
    for (const [where, texts] of [['log lines', logLines], ['events', published], ['errors', errors], ['responses', responses]] as const) {
      for (const text of texts) {
        for (const secret of secrets) {
          if (text.includes(secret)) throw new Error(`a secret (${secret.slice(0, 6)}…) appears in ${where}: ${text.slice(0, 200)}`);
        }
      }
    }
  });
});
