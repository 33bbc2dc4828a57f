import { types } from 'node:util';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { createSessionGuard, header, requireActiveSession, type SessionGuard } from '../../src/index';
import { requireActiveSession as requireActiveSessionKoa } from '../../src/koa';
import { requireActiveSession as requireActiveSessionFastify } from '../../src/fastify';
import { errorFrameworks, type AppRecord } from '../support/error-apps';
import type { RunningApp } from '../support/frameworks';

const unusable: Array<[string, string]> = [
  ['empty', ''],
  ['129 characters', 'a'.repeat(129)],
  ['8 KB (Node refuses larger request heads)', 'a'.repeat(8 * 1024)],
  ['a control character', 'app\u00011'],
];

describe('a fixed appId that cannot be an app id is a TypeError when the middleware is built', () => {
  it.each([...unusable, ['blank', '  '], ['a newline', 'app\n1']])('%s', (_label, appId) => {
    const guard = { authenticate: async () => { throw new Error('not called'); } } as unknown as SessionGuard;
    for (const build of [requireActiveSession, requireActiveSessionKoa, requireActiveSessionFastify]) {
      expect(() => build(appId, { guard })).toThrow(TypeError);
      expect(() => build(appId, { guard })).toThrow(/at most 128 characters without control characters/);
    }
    expect(() => requireActiveSessionFastify(appId)).toThrow(TypeError); // with the plugin's guard too
  });
});

describe.each(errorFrameworks)('$name: an appId read from the request', (framework) => {
  let fake: FakeGenAuth;
  let guard: SessionGuard;
  let app: RunningApp;
  let record: AppRecord;

  beforeAll(async () => {
    fake = await createFakeGenAuth();
    await fake.login('alice', 'app-1');
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(async () => {
    record = { reached: 0, errors: [] };
    guard = createSessionGuard({
      host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, retries: 0,
      identity: header('x-user-id'),
    });
    // The app id comes from a header here; from a path parameter it is the same.
    const appId = (request: { headers: Record<string, unknown> }) => request.headers['x-app-id'];
    app = await framework.start({ appId: appId as never, options: { guard } }, record);
  });
  afterEach(async () => {
    await app.close();
    await guard.close();
  });

  const get = (appId: string | undefined) => fetch(`${app.url}/admin`, {
    method: 'GET',
    headers: { 'x-user-id': 'alice', ...(appId === undefined ? {} : { 'x-app-id': appId }) },
  });

  it.each(unusable.filter(([label]) => label !== 'a control character'))(
    '%s: 400 invalid_app_id without a challenge, nothing cached, GenAuth not asked',
    async (_label, appId) => {
      const checks = fake.calls.check;
      for (let i = 0; i < 3; i++) {
        const response = await get(appId);
        expect(response.status).toBe(400);
        expect(response.headers.get('www-authenticate')).toBeNull();
        expect(await response.json()).toEqual({ error: 'invalid_app_id', message: expect.any(String) });
      }
      expect(record).toEqual({ reached: 0, errors: [] });
      expect(fake.calls.check).toBe(checks);
      expect(guard.stats()).toMatchObject({ size: 0, misses: 0, upstreamCalls: 0 });
    },
  );

  it('a usable one passes', async () => {
    expect((await get('app-1')).status).toBe(200);
    expect(record.reached).toBe(1);
  });

  it('a function that returns no string at all is a programming error for the app (TypeError), not a refusal', async () => {
    const response = await get(undefined);
    expect(response.status).toBe(500);
    expect(record.errors).toHaveLength(1);
    expect(types.isNativeError(record.errors[0])).toBe(true);
    expect((record.errors[0] as Error).name).toBe('TypeError');
    expect(guard.stats()).toMatchObject({ size: 0, misses: 0 });
  });
});
