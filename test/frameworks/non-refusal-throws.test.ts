import { types } from 'node:util';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { createSessionGuard, header, type SessionGuard } from '../../src/index';
import { errorFrameworks, type AppRecord, type ErrorAppSetup } from '../support/error-apps';
import type { RunningApp } from '../support/frameworks';

const APP = 'app-1';

function invalidUrlError(): unknown {
  try {
    new URL('not a url');
  } catch (error) {
    return error;
  }
  throw new Error('new URL did not throw');
}

/**
 * What application code may throw or reject with. Express reads a falsy `next(value)` as "go on" and
 * `next('route')` / `next('router')` as "skip"; Koa ignores a thrown null; an Error with a string `code` is not a
 * refusal.
 */
const thrown: Array<[string, () => unknown]> = [
  ['undefined', () => undefined],
  ['null', () => null],
  ["''", () => ''],
  ['0', () => 0],
  ['false', () => false],
  ["'route'", () => 'route'],
  ["'router'", () => 'router'],
  ['a plain object with a string code and a status', () => ({ code: 'session_inactive', status: 401 })],
  ['an Error with a string code (ERR_INVALID_URL)', invalidUrlError],
];

describe.each(errorFrameworks)('$name: whatever is thrown that is not a refusal reaches the app as an Error', (framework) => {
  let fake: FakeGenAuth;
  let guard: SessionGuard;
  let running: RunningApp | undefined;
  let record: AppRecord;
  let onReject: jest.Mock;

  // One fake and one guard per framework (the cases do not depend on each other's state); a fresh app per case.
  beforeAll(async () => {
    fake = await createFakeGenAuth();
    guard = createSessionGuard({
      host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, retries: 0,
      identity: header('x-user-id'),
    });
  });
  afterAll(async () => {
    await guard.close();
    await fake.close();
  });
  beforeEach(() => {
    record = { reached: 0, errors: [] };
    onReject = jest.fn();
    guard.invalidate('alice');
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  async function get(setup: ErrorAppSetup, user?: string) {
    running ??= await framework.start(setup, record);
    const response = await fetch(`${running.url}/admin`, {
      headers: user ? { 'x-user-id': user } : {},
      signal: AbortSignal.timeout(5_000), // Koa leaves a response to a thrown null unanswered
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  /** The app's error handler saw exactly one Error: the value itself if it was one, else a wrapper keeping it as cause. */
  function expectAppErrorFor(value: unknown) {
    expect(record.reached).toBe(0);
    expect(record.errors).toHaveLength(1);
    const error = record.errors[0] as Error & { cause?: unknown };
    expect(types.isNativeError(error)).toBe(true);
    if (types.isNativeError(value) && framework.kind === 'hono' && !(value instanceof Error)) {
      // Hono gives onError only an Error of its own realm (Jest's sandbox is another than Node's, where URL errors come from).
      expect(error.cause).toBe(value);
      expect(error.message).toMatch(/^genauth-session-guard: the route threw an Error of another realm \(TypeError\)/);
    } else if (types.isNativeError(value)) expect(error).toBe(value);
    else {
      expect(error.cause).toBe(value);
      expect(error.message).toMatch(/^genauth-session-guard: the route threw a value that is not an Error/);
    }
  }

  describe.each(thrown)('%s', (_label, make) => {
    it('thrown by a function appId', async () => {
      const value = make();
      const checks = fake.calls.check;
      const answer = await get({ appId: () => { throw value; }, options: { guard, onReject } }, 'alice');
      expect(answer).toEqual({ status: 500, body: { appError: true } });
      expectAppErrorFor(value);
      expect(onReject).not.toHaveBeenCalled();
      expect(fake.calls.check).toBe(checks);
    });

    it('rejected by a guard of your own', async () => {
      const value = make();
      const own: SessionGuard = { ...guard, authenticate: () => Promise.reject(value) };
      const answer = await get({ appId: APP, options: { guard: own, onReject } }, 'alice');
      expect(answer).toEqual({ status: 500, body: { appError: true } });
      expectAppErrorFor(value);
      expect(onReject).not.toHaveBeenCalled();
    });

    // Nest has no onReject: a refusal is a SessionRefusedException for the app's exception filters.
    const withOnReject = framework.kind === 'nestjs' ? it.skip : it;

    withOnReject('thrown by onReject', async () => {
      const value = make();
      const answer = await get({ appId: APP, options: { guard, onReject: () => { throw value; } } });
      expect(answer).toEqual({ status: 500, body: { appError: true } });
      expectAppErrorFor(value);
    });

    withOnReject('rejected by an async onReject', async () => {
      const value = make();
      const answer = await get({ appId: APP, options: { guard, onReject: () => Promise.reject(value) } });
      expect(answer).toEqual({ status: 500, body: { appError: true } });
      expectAppErrorFor(value);
    });
  });

  it('an error on the pass path (auth cannot be set) reaches the app, on a miss and on a cache hit', async () => {
    await fake.login('alice', APP);
    const setup: ErrorAppSetup = {
      appId: APP,
      options: { guard },
      before: {
        express: (req: object) => Object.defineProperty(req, 'auth', { get: () => undefined, configurable: true }),
        koa: (ctx: { state: object }) => { ctx.state = Object.freeze({}); },
        fastify: (req: object) => Object.defineProperty(req, 'auth', { get: () => undefined, configurable: true }),
        nestjs: (req: object) => Object.defineProperty(req, 'auth', { get: () => undefined, configurable: true }),
        // Hono keeps variables behind c.set: one that throws, as a frozen store would.
        hono: (c: { set: unknown }) => { c.set = () => { throw new TypeError('the variables are read-only'); }; },
      }[framework.kind],
    };
    const { misses, hits } = guard.stats();
    expect(await get(setup, 'alice')).toEqual({ status: 500, body: { appError: true } }); // a miss: the async path
    expect(await get(setup, 'alice')).toEqual({ status: 500, body: { appError: true } }); // a hit: the synchronous path
    expect(guard.stats()).toMatchObject({ misses: misses + 1, hits: hits + 1 });
    expect(record.reached).toBe(0);
    expect(record.errors).toHaveLength(2);
    for (const error of record.errors) expect(types.isNativeError(error)).toBe(true);
  });

  it('a refusal still gets its answer, and onReject only ever receives refusals', async () => {
    const answer = await get({ appId: APP, options: { guard } });
    expect(answer).toEqual({ status: 401, body: { error: 'missing_credentials', message: expect.any(String) } });
    expect(record.errors).toHaveLength(0);
  });
});
