import { bearerJwt, GuardNotReadyError, type GuardNotReadyReason, type SessionGuard } from '../../src/index';
import { APP, rejectionOf, startServer, useHarness } from './fixtures';

const quiet = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
afterAll(() => quiet.mockRestore());

async function notReady(guard: SessionGuard, appIds?: string[]): Promise<GuardNotReadyError> {
  const error = (await rejectionOf(guard.ready(appIds && { appIds }))) as unknown as GuardNotReadyError;
  expect(error).toBeInstanceOf(GuardNotReadyError);
  return error;
}

/** Issue 18, item 9: ready() checks the app ids, says why it failed (`reason`), and health() reflects it. */
describe('ready({ appIds }) and GuardNotReadyError.reason', () => {
  const h = useHarness({ apps: [APP] });

  it.each(['token', 'signature'] as const)('%s scheme: an unknown app id rejects with reason unknown_app, naming it; health() is not ok', async (auth) => {
    const { fake } = h();
    const guard = h().guard({ auth });
    const error = await notReady(guard, [APP, 'no-such-app']);
    expect(guard.health().ok).toBe(false);
    expect(error).toMatchObject({ reason: 'unknown_app', reasons: ['unknown_app'], unknownAppIds: ['no-such-app'] });
    expect(error.message).toContain('"no-such-app"');
    expect(error.message).toContain('2011');
    expect(error.message).not.toContain(`"${APP}"`);
    expect(guard.health()).toMatchObject({ ok: false, notReady: 'unknown_app' });
    // The known app is confirmed once: asked again, only the unknown one is.
    const checks = fake.calls.check;
    await notReady(guard, [APP, 'no-such-app']);
    expect(fake.calls.check).toBe(checks + 1);
    // A ready() for the app ids that exist resolves, and health() is ok again.
    await guard.ready({ appIds: [APP] });
    expect(guard.health()).toMatchObject({ ok: true });
    expect(guard.health().notReady).toBeUndefined();
  });

  it('known app ids: resolves; nothing cached, no breaker count', async () => {
    const { fake } = h();
    const guard = h().guard({ auth: 'signature' });
    await guard.ready({ appIds: [APP] });
    await guard.ready({ appIds: [APP] });
    expect(fake.calls.check).toBe(2); // the credentials call, then the app once
    expect(guard.stats()).toMatchObject({ size: 0, upstreamCalls: 0, circuitOpened: 0 });
  });

  it('an unreachable host: reason unreachable, and health() is not ok', async () => {
    const dead = await startServer(() => undefined);
    await dead.close();
    const guard = h().guard({ host: dead.url });
    const error = await notReady(guard);
    expect(guard.health()).toMatchObject({ ok: false, lastFailure: { kind: 'network' } });
    expect(guard.health().notReady).toBe('unreachable');
    expect(error.reason).toBe('unreachable');
  });

  it('a GenAuth that does not answer in time: reason unreachable', async () => {
    const { fake } = h();
    fake.fault({ kind: 'hang' }, { endpoint: 'token' });
    expect((await notReady(h().guard({ timeoutMs: 100 }))).reason).toBe('unreachable');
  });

  it.each(['token', 'signature'] as const)('%s scheme: a wrong secret: reason credentials', async (auth) => {
    const guard = h().guard({ auth, accessKeySecret: 'wrong-secret' });
    const error = await notReady(guard, [APP]);
    expect(error).toMatchObject({ reason: 'credentials', reasons: ['credentials'] });
    expect(guard.health()).toMatchObject({ ok: false, notReady: 'credentials' });
  });

  it('a signature date GenAuth refuses: reason clock', async () => {
    const { clock } = h();
    const guard = h().guard({ auth: 'signature', clock: () => clock() - 3_600_000 });
    const error = await notReady(guard);
    expect(error.reason).toBe('clock');
    expect(error.message).toContain("too far from GenAuth's clock");
  });

  it('signing keys that do not load: reason keys', async () => {
    const { fake } = h();
    const guard = h().guard({ identity: bearerJwt({ issuer: `${fake.issuer}/`, audience: APP }) });
    const error = await notReady(guard);
    expect(error.reason).toBe('keys');
    expect(guard.health()).toMatchObject({ ok: false, notReady: 'keys' });
  });

  it('several causes: all in reasons, the most decisive in reason', async () => {
    const { fake } = h();
    const guard = h().guard({ accessKeySecret: 'nope', identity: bearerJwt({ issuer: `${fake.issuer}/`, audience: APP }) });
    const error = await notReady(guard, [APP]);
    expect(error).toMatchObject({ reason: 'credentials', reasons: ['credentials', 'keys'] });
  });

  it('a closed guard: reason closed', async () => {
    const guard = h().guard();
    await guard.close();
    expect((await notReady(guard)).reason).toBe('closed');
  });

  it('appIds that are not app ids reject with a TypeError, before any call', async () => {
    const { fake } = h();
    const guard = h().guard();
    for (const appIds of ['app-1', [''], [42], ['x'.repeat(129)], Array.from({ length: 101 }, (_, i) => `app-${i}`)]) {
      await expect(guard.ready({ appIds } as never)).rejects.toThrow(TypeError);
    }
    expect(fake.calls).toMatchObject({ token: 0, check: 0 });
  });

  it('the reason type names every reason', () => {
    const reasons: GuardNotReadyReason[] = ['credentials', 'unknown_app', 'closed', 'clock', 'keys', 'unreachable'];
    expect(new GuardNotReadyError(reasons, 'test.').reason).toBe('closed');
  });
});
