/**
 * Route options fail closed (issue 18, item 4): a misspelt `role` used to be ignored, so an admin-only route let
 * every signed-in user through. Every unknown key, top-level or nested, is a TypeError when the route is created.
 */
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { createSessionGuard, header, type SessionGuard } from '../../src/index';
import { frameworks, type RunningApp } from '../support/frameworks';

const APP = 'app-1';

/** The TypeError `start` throws; a route that was built anyway (the bug) is closed, and the test fails. */
async function creationError(start: () => Promise<RunningApp>): Promise<TypeError> {
  let built: Promise<RunningApp>;
  try {
    built = start();
  } catch (error) {
    if (error instanceof TypeError) return error;
    throw error;
  }
  await (await built).close();
  throw new Error('expected a TypeError, the route was built');
}

describe.each(frameworks)('$name: requireActiveSession rejects unknown route options at creation', (framework) => {
  let fake: FakeGenAuth;
  let guard: SessionGuard;
  let guardOptions: Record<string, unknown>;
  const reached = { count: 0 };

  beforeAll(async () => {
    fake = await createFakeGenAuth();
    guardOptions = { host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, identity: header('x-user-id'), retries: 0 };
    guard = createSessionGuard(guardOptions as never);
  });

  afterAll(async () => {
    await guard.close();
    await fake.close();
  });

  const start = (options: unknown) => () => framework.start(APP, options, reached);
  /** `framework.start` builds the middleware synchronously, before its promise: a throw is synchronous. */
  const expectRefused = async (options: unknown, message: string) => {
    const error = await creationError(start(options));
    expect(error.message).toBe(`genauth-session-guard: ${message}`);
  };

  it.each<[string, Record<string, unknown>, string]>([
    ['role', { role: ['admin'] }, 'unknown option "role" in requireActiveSession options; did you mean "roles"?'],
    ['permission', { permission: { namespace: 'orders', action: 'read', resources: ['o:1'] } }, 'unknown option "permission" in requireActiveSession options; did you mean "permissions"?'],
    ['scope', { scope: ['admin:write'] }, 'unknown option "scope" in requireActiveSession options; did you mean "scopes"?'],
    ['Roles', { Roles: ['admin'] }, 'unknown option "Roles" in requireActiveSession options; did you mean "roles"?'],
    ['onRejected', { onRejected: () => undefined }, 'unknown option "onRejected" in requireActiveSession options; did you mean "onReject"?'],
  ])('{ guard, %s } is a TypeError naming the key meant', async (_label, extra, message) => {
    await expectRefused({ guard, ...extra }, message);
  });

  it('a guard option beside `guard` is refused, saying where it belongs (it would not apply to the shared guard)', async () => {
    const takes = 'it takes "guard", "identity", "onReject", "roles", "permissions", "scopes"';
    await expectRefused({ guard, cache: { ttlMs: 1_000 } },
      `unknown option "cache" in requireActiveSession options; ${takes} ("cache" is a guard option: with \`guard\`, set it on createSessionGuard).`);
    await expectRefused({ guard, timeout: 100 },
      `unknown option "timeout" in requireActiveSession options; ${takes} ("timeoutMs" is a guard option: with \`guard\`, set it on createSessionGuard).`);
  });

  it('guard options with a misspelt key: the route builds no guard', async () => {
    await expectRefused({ ...guardOptions, role: ['admin'] }, 'unknown option "role" in requireActiveSession options; did you mean "roles"?');
    await expectRefused({ ...guardOptions, timeout: 100 }, 'unknown option "timeout" in requireActiveSession options; did you mean "timeoutMs"?');
    await expectRefused({ ...guardOptions, gaurd: guard }, 'unknown option "gaurd" in requireActiveSession options; did you mean "guard"?');
  });

  it('nested: a role entry and the permissions object reject unknown keys too', async () => {
    await expectRefused({ guard, roles: [{ code: 'auditor', namesapce: 'finance' }] },
      'unknown option "namesapce" in `roles[0]`; did you mean "namespace"?');
    await expectRefused({ guard, permissions: { namespace: 'orders', action: 'read', resources: ['o:1'], resource: 'o:2' } },
      'unknown option "resource" in `permissions`; did you mean "resources"?');
  });

  it('nothing was asked of GenAuth for any refused route', () => {
    expect(fake.calls).toMatchObject({ token: 0, check: 0, roles: 0, permissions: 0 });
  });

  it('the documented keys still build working routes, shared guard or guard options (roles enforced)', async () => {
    const apps: RunningApp[] = [];
    try {
      const onReject = undefined;
      apps.push(await framework.start(APP, { guard, identity: header('x-user-id'), roles: ['admin'], permissions: undefined, scopes: undefined, onReject }, reached));
      apps.push(await framework.start(APP, { ...guardOptions, roles: ['admin'], onReject }, reached));
      fake.startSession('admin-user', APP);
      fake.assignRole('admin-user', 'admin');
      fake.startSession('plain-user', APP);
      for (const app of apps) {
        const before = reached.count;
        expect((await fetch(`${app.url}/admin`, { headers: { 'x-user-id': 'plain-user' } })).status).toBe(403);
        expect(reached.count).toBe(before);
        expect((await fetch(`${app.url}/admin`, { headers: { 'x-user-id': 'admin-user' } })).status).toBe(200);
        expect(reached.count).toBe(before + 1);
      }
    } finally {
      for (const app of apps) await app.close();
    }
  });
});
