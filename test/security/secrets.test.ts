/**
 * Secrets stay secret. With a logger taking every debug line and a subscriber on every diagnostics channel, every
 * path (pass, each refusal, each fault kind of the fake, JWKS down, GenAuth unreachable, wrong credentials,
 * management token expired mid-flight) runs under both auth schemes, through `guard.authenticate` directly and
 * through Express 5 and Koa 3 apps. No user token, management token or access key secret may appear in any log
 * line, event, error (message, cause, full inspection) or answer (status line, headers, body).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import {
  bearerJwt,
  channels,
  cookie,
  createSessionGuard,
  firstOf,
  header,
  type FetchLike,
  type IdentityExtractor,
  type RequestLike,
  type SessionGuard,
  type SessionGuardOptions,
} from '../../src/index';
import { createFakeGenAuth, type FakeGenAuth, type Fault } from '../../src/testing';
import type { RunningApp } from '../support/frameworks';
import { currentFrameworks, jwtShaped } from './support';

const APP = 'app-secrets';
const ACCESS_KEY_SECRET = `sk-${randomUUID()}-very-secret`;
const WRONG_SECRET = `sk-${randomUUID()}-wrong-but-still-secret`;

type Scheme = 'token' | 'signature';

let fake: FakeGenAuth;
let identity: IdentityExtractor;
let deadHost: string;

// --- What must stay secret -------------------------------------------------------------------------------------
const userTokens = new Set<string>();
const managementTokens = new Set<string>();
const captures: Array<Promise<void>> = [];

/** The strings that must never show: each token whole, and its payload and signature segments. */
function secrets(): Array<[kind: string, value: string]> {
  const list: Array<[string, string]> = [
    ['access key secret', ACCESS_KEY_SECRET],
    ['wrong access key secret', WRONG_SECRET],
  ];
  const pieces = (kind: string, token: string) => {
    list.push([kind, token]);
    const [, payload, signature] = token.split('.');
    if (payload && payload.length >= 16) list.push([`${kind} (payload segment)`, payload]);
    if (signature && signature.length >= 16) list.push([`${kind} (signature segment)`, signature]);
  };
  for (const token of userTokens) pieces('user token', token);
  for (const token of managementTokens) pieces('management token', token);
  return list;
}

/** Wraps fetch to read every get-management-token answer, as an attacker with the logs would not be able to. */
const capturingFetch: FetchLike = async (input, init) => {
  const response = await fetch(input, init);
  if (String(input).endsWith('/api/v3/get-management-token')) {
    captures.push(
      response
        .clone()
        .json()
        .then((body: unknown) => {
          const accessToken = (body as { data?: { access_token?: unknown } } | null)?.data?.access_token;
          if (typeof accessToken === 'string') managementTokens.add(accessToken);
        })
        .catch(() => undefined),
    );
  }
  return response;
};

// --- Everything observable --------------------------------------------------------------------------------------
const observed: Array<[where: string, text: string]> = [];
const see = (where: string, value: unknown) => {
  observed.push([where, typeof value === 'string' ? value : `${safeJson(value)}\n${inspect(value, { depth: 10 })}`]);
};
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

const logger = {
  debug(message: string, details?: Record<string, unknown>) {
    see('log line', message);
    see('log details', details);
  },
};
const listeners = Object.values(channels).map((name) => {
  const listener = (message: unknown) => see(`event on ${name}`, message);
  return [name, listener] as const;
});

// --- A guard per run, behind one stable object the apps are started with ------------------------------------------
let current: SessionGuard;
/** Forwards every method to the guard current at call time (a Proxy, so it keeps up with the SessionGuard interface). */
const delegate = new Proxy({} as SessionGuard, {
  get: (_target, property) => (...args: unknown[]) =>
    (current as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>)[property]!(...args),
});
const opened: SessionGuard[] = [];

function freshGuard(scheme: Scheme, overrides: Partial<SessionGuardOptions> = {}): SessionGuard {
  const guard = createSessionGuard({
    host: fake.host,
    accessKeyId: fake.accessKeyId,
    accessKeySecret: ACCESS_KEY_SECRET,
    auth: scheme,
    identity,
    cache: false,
    // Roomy: a busy machine must not turn a healthy call into a timeout. The scenarios that make a call time out
    // set a short one (their only calls are the one that times out and, token scheme, the token fetch: a 503 either way).
    timeoutMs: 10_000,
    retries: 0,
    logger,
    fetch: capturingFetch,
    ...overrides,
  } as SessionGuardOptions);
  opened.push(guard);
  return guard;
}

// --- The paths ---------------------------------------------------------------------------------------------------
interface Scenario {
  name: string;
  /** The status every target must answer with. */
  status: (scheme: Scheme) => 200 | 401 | 503;
  /** The request headers; tokens made here are registered as secrets. */
  headers: () => Promise<Record<string, string>>;
  guard?: (scheme: Scheme) => Partial<SessionGuardOptions>;
  /** Run on the fresh guard before the request. */
  setup?: (guard: SessionGuard) => Promise<void> | void;
}

const token = async (make: () => Promise<string>) => {
  const value = await make();
  userTokens.add(value);
  return value;
};
const bearer = async (make: () => Promise<string>) => ({ authorization: `Bearer ${await token(make)}` });
const aliceClaims = (extra: Record<string, unknown> = {}) => ({ sub: 'alice', aud: APP, iss: fake.issuer, ...extra });
const aliceBearer = () => bearer(() => fake.login('alice', APP));

/** The guard's timeout where a fault makes the call time out (its answer is a 503 whatever else fails). */
const TIMING_OUT_MS = 300;
const timesOut = (fault: Fault) => fault.kind === 'hang' || fault.kind === 'latency' || fault.kind === 'drip';

/** `true`: the token scheme refreshes its management token on a 401 and asks again, which the fault (once) lets pass. */
const checkFaults: Array<[string, Fault, passesWithTokenRefresh?: boolean]> = [
  ['latency past the timeout', { kind: 'latency', ms: 10 * TIMING_OUT_MS }],
  ['HTTP 500 with JSON', { kind: 'http-status', status: 500 }],
  ['HTTP 502 with an HTML page', { kind: 'http-status', status: 502, html: true }],
  ['HTTP 401', { kind: 'http-status', status: 401 }, true],
  ['body statusCode 500', { kind: 'body-status', statusCode: 500 }],
  ['body statusCode 403', { kind: 'body-status', statusCode: 403, apiCode: 2333 }],
  ['HTTP 429', { kind: 'throttle', retryAfterSec: 3 }],
  ['body statusCode 429', { kind: 'throttle', inBody: true }],
  ['malformed JSON', { kind: 'malformed' }],
  ['truncated JSON', { kind: 'truncated' }],
  ['an empty body', { kind: 'empty' }],
  ['data.active missing', { kind: 'missing-active' }],
  ['data.active not a boolean', { kind: 'non-boolean-active' }],
  ['a huge body', { kind: 'huge', bytes: 200_000 }],
  ['a huge chunked body', { kind: 'huge', bytes: 200_000, chunked: true }],
  ['a hang', { kind: 'hang' }],
  ['a connection reset', { kind: 'reset' }],
  ['a slow drip', { kind: 'drip', ms: 100 }],
];

const tokenFaults: Array<[string, Fault]> = [
  ['HTTP 503', { kind: 'http-status', status: 503 }],
  ['malformed JSON', { kind: 'malformed' }],
  ['a hang', { kind: 'hang' }],
  ['a connection reset', { kind: 'reset' }],
  ['body statusCode 401', { kind: 'body-status', statusCode: 401, apiCode: 2333 }],
];

const scenarios: Scenario[] = [
  { name: 'pass (bearer)', status: () => 200, headers: aliceBearer },
  { name: 'pass (cookie)', status: () => 200, headers: async () => ({ cookie: `theme=dark; session=${await token(() => fake.login('alice', APP))}` }) },
  { name: 'pass (identity header)', status: () => 200, headers: async () => ({ 'x-user-id': 'alice' }) },
  { name: 'missing_credentials', status: () => 401, headers: async () => ({}) },
  { name: 'invalid_token: expired', status: () => 401, headers: () => bearer(() => fake.login('alice', APP, { expiresInSec: -60 })) },
  { name: 'invalid_token: expired, in the cookie', status: () => 401, headers: async () => ({ cookie: `session=${await token(() => fake.login('alice', APP, { expiresInSec: -60 }))}` }) },
  { name: 'invalid_token: wrong audience', status: () => 401, headers: () => bearer(() => fake.login('alice', 'other-app')) },
  { name: 'invalid_token: wrong issuer', status: () => 401, headers: () => bearer(() => fake.signToken(aliceClaims({ iss: 'https://evil.example' }))) },
  { name: 'invalid_token: tampered signature', status: () => 401, headers: () => bearer(async () => `${(await fake.login('alice', APP)).slice(0, -6)}AAAAAA`) },
  { name: 'invalid_token: unknown kid', status: () => 401, headers: () => bearer(() => fake.signToken(aliceClaims(), { header: { kid: randomUUID() } })) },
  { name: 'invalid_token: alg none', status: () => 401, headers: () => bearer(async () => jwtShaped({ alg: 'none' }, { ...aliceClaims(), jti: randomUUID() })) },
  { name: 'invalid_token: too long', status: () => 401, headers: () => bearer(() => fake.signToken(aliceClaims({ pad: 'p'.repeat(9_000) }))) },
  { name: 'invalid_token: sub not a string', status: () => 401, headers: () => bearer(() => fake.signToken(aliceClaims({ sub: 7 }))) },
  { name: 'invalid_token: garbage bearer', status: () => 401, headers: () => bearer(async () => `garbage-${randomUUID()}-garbage`) },
  { name: 'invalid_token: malformed Authorization', status: () => 401, headers: async () => ({ authorization: `Bearer ${await token(() => fake.login('alice', APP))} extra` }) },
  { name: 'invalid_token: cookie badly percent-encoded', status: () => 401, headers: async () => ({ cookie: `session=${await token(() => fake.login('alice', APP))}%zz` }) },
  { name: 'session_inactive: signed out', status: () => 401, headers: () => bearer(async () => {
    const value = await fake.login('bob', APP);
    fake.logout('bob', APP);
    return value;
  }) },
  { name: 'session_inactive: kicked', status: () => 401, headers: () => bearer(async () => {
    const value = await fake.login('carol', APP);
    fake.kick('carol');
    return value;
  }) },
  { name: 'session_inactive: unknown user', status: () => 401, headers: () => bearer(() => fake.signToken({ ...aliceClaims(), sub: `ghost-${randomUUID()}` })) },
  ...checkFaults.map(([label, fault, passesWithTokenRefresh]): Scenario => ({
    name: `check-session-status fault: ${label}`,
    status: (scheme) => (passesWithTokenRefresh && scheme === 'token' ? 200 : 503),
    headers: aliceBearer,
    ...(timesOut(fault) ? { guard: () => ({ timeoutMs: TIMING_OUT_MS }) } : {}),
    setup: () => fake.fault(fault, { times: 1 }),
  })),
  ...tokenFaults.map(([label, fault]): Scenario => ({
    name: `get-management-token fault: ${label}`,
    status: (scheme) => (scheme === 'token' ? 503 : 200), // the signature scheme never asks for a token
    headers: aliceBearer,
    // Short for the token scheme only: the signature scheme's check call is a healthy one.
    ...(timesOut(fault) ? { guard: (scheme: Scheme) => (scheme === 'token' ? { timeoutMs: TIMING_OUT_MS } : {}) } : {}),
    setup: () => fake.fault(fault, { endpoint: 'token', times: 1 }),
  })),
  { name: 'wrong access key secret', status: () => 503, headers: aliceBearer, guard: () => ({ accessKeySecret: WRONG_SECRET }) },
  { name: 'wrong access key id', status: () => 503, headers: aliceBearer, guard: () => ({ accessKeyId: 'not-the-key-id' }) },
  {
    name: 'management token expired mid-flight (refreshed)',
    status: () => 200,
    headers: aliceBearer,
    setup: async (guard) => {
      await guard.checkSession('alice', APP);
      fake.expireManagementTokens();
    },
  },
  {
    name: 'management token expired mid-flight, the token endpoint down',
    status: (scheme) => (scheme === 'token' ? 503 : 200),
    headers: aliceBearer,
    setup: async (guard) => {
      await guard.checkSession('alice', APP);
      fake.expireManagementTokens();
      fake.fault({ kind: 'http-status', status: 503 }, { endpoint: 'token', times: 1 });
    },
  },
  {
    name: 'JWKS endpoint down',
    status: () => 503,
    headers: aliceBearer,
    guard: () => ({ identity: bearerJwt({ jwksUri: fake.jwksUri, issuer: fake.issuer, audience: APP }) }),
    setup: () => fake.fault({ kind: 'http-status', status: 500 }, { endpoint: 'jwks', times: 1 }),
  },
  { name: 'GenAuth unreachable', status: () => 503, headers: aliceBearer, guard: () => ({ host: deadHost }) },
];

// --- Running -----------------------------------------------------------------------------------------------------
beforeAll(async () => {
  for (const [name, listener] of listeners) subscribe(name, listener);
  fake = await createFakeGenAuth({ accessKeySecret: ACCESS_KEY_SECRET });
  fake.addUser('alice');
  const audience = ({ appId }: { appId: string }) => appId;
  identity = firstOf(
    bearerJwt({ issuer: fake.issuer, audience }),
    cookie('session', { jwt: { issuer: fake.issuer, audience } }),
    header('x-user-id'),
  );
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  deadHost = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});

afterAll(async () => {
  for (const [name, listener] of listeners) unsubscribe(name, listener);
  await Promise.all(opened.map((guard) => guard.close()));
  await fake.close();
});

/** Every observation made since index `from` that contains a secret known now, as readable lines. */
async function leaks(from = 0): Promise<string[]> {
  await Promise.allSettled(captures);
  const found: string[] = [];
  const recent = observed.slice(from);
  for (const [kind, value] of secrets()) {
    for (const [where, text] of recent) {
      if (text.includes(value)) found.push(`${kind} in ${where}: ${text.slice(0, 300)}`);
    }
  }
  return found;
}

describe.each(['token', 'signature'] as const)('auth: %s', (scheme) => {
  const apps: Array<[string, RunningApp]> = [];

  beforeAll(async () => {
    for (const framework of currentFrameworks) apps.push([framework.name, await framework.start(APP, { guard: delegate }, { count: 0 })]);
  });

  afterAll(async () => {
    await Promise.all(apps.map(([, app]) => app.close()));
  });

  describe.each(scenarios)('$name', (scenario) => {
    let from = 0;

    async function prepare() {
      from = observed.length;
      current = freshGuard(scheme, scenario.guard?.(scheme));
      fake.clearFaults();
      await fake.login('alice', APP);
      await scenario.setup?.(current);
      return scenario.headers();
    }

    it('guard.authenticate: no secret in the outcome, the logs or the events', async () => {
      const headers = await prepare();
      const req: RequestLike = { headers, method: 'GET', url: '/admin' };
      let status: number;
      try {
        see('authenticate result', await current.authenticate(req, APP));
        status = 200;
      } catch (error) {
        const err = error as Error & { status: number; headers: Record<string, string>; cause?: unknown };
        see('err.message', err.message);
        see('String(err.cause)', String(err.cause));
        see('err.headers', err.headers);
        see('inspect(err)', inspect(err, { depth: 10 }));
        see('err.toJSON()', (err as { toJSON?: () => unknown }).toJSON?.());
        status = err.status;
      }
      expect(status).toBe(scenario.status(scheme));
      expect(await leaks(from)).toEqual([]);
    });

    it.each(currentFrameworks.map((framework) => framework.name))('%s: no secret in the answer, the logs or the events', async (name) => {
      const headers = await prepare();
      const app = apps.find(([appName]) => appName === name)![1];
      const response = await fetch(`${app.url}/admin`, { headers });
      const body = await response.text();
      see(`${name} answer body`, body);
      see(`${name} answer headers`, [...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n'));
      see(`${name} answer status`, `${response.status} ${response.statusText}`);
      expect(response.status).toBe(scenario.status(scheme));
      expect(await leaks(from)).toEqual([]);
    });
  });
});

describe('the check was not vacuous', () => {
  it('saw log lines, events on every channel, user tokens and management tokens', async () => {
    await Promise.allSettled(captures);
    expect(managementTokens.size).toBeGreaterThan(0);
    expect(userTokens.size).toBeGreaterThan(20);
    const wheres = new Set(observed.map(([where]) => where));
    // Every channel is listened to; these paths publish on these three (the shared-store channel needs a `store`).
    for (const name of [channels.decision, channels.cache, channels.upstream]) expect(wheres.has(`event on ${name}`)).toBe(true);
    expect(wheres.has('log line')).toBe(true);
    // The observations do carry request details (user ids, outcomes): the logger is really wired.
    expect(observed.some(([where, text]) => where === 'log details' && text.includes('alice'))).toBe(true);
    // Every secret known at the end against every observation (each test checked its own).
    expect(await leaks()).toEqual([]);
  });
});
