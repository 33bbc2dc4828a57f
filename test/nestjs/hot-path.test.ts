import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { createSessionGuard, header, type SessionGuard } from '../../src/index';
import { ActiveSessionGuard, Roles } from '../../src/nestjs';

class Routes {
  plain() {}
  @Roles('admin')
  admins() {}
}

/** What Nest's GuardsConsumer hands a guard for an HTTP route: [request, response, next]. */
function contextFor(request: object, handler: () => void, type = 'http') {
  const context = new ExecutionContextHost([request, { header: () => undefined }, () => undefined], Routes, handler);
  context.setType(type);
  return context;
}

describe('ActiveSessionGuard.canActivate', () => {
  let fake: FakeGenAuth;
  let guard: SessionGuard;
  let active: ActiveSessionGuard;

  beforeEach(async () => {
    fake = await createFakeGenAuth();
    guard = createSessionGuard({ host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, identity: header('x-user-id') });
    active = new ActiveSessionGuard({ guard, appId: 'app-1' }, new Reflector());
    await fake.login('alice', 'app-1');
    fake.assignRole('alice', 'admin');
  });
  afterEach(async () => {
    await guard.close();
    await fake.close();
  });

  it.each(['plain', 'admins'] as const)('%s: a promise on a miss, then `true` itself on a cache hit (Nest awaits nothing)', async (name) => {
    const first = { headers: { 'x-user-id': 'alice' } } as { headers: object; auth?: { userId: string } };
    const miss = active.canActivate(contextFor(first, Routes.prototype[name]));
    expect(miss).toBeInstanceOf(Promise);
    await expect(miss).resolves.toBe(true);
    expect(first.auth?.userId).toBe('alice');
    const second = { headers: { 'x-user-id': 'alice' } } as { headers: object; auth?: { userId: string } };
    expect(active.canActivate(contextFor(second, Routes.prototype[name]))).toBe(true);
    expect(second.auth?.userId).toBe('alice');
    expect(guard.stats()).toMatchObject({ misses: 1, hits: 1 });
  });

  it('a refusal on the synchronous path throws at once (no promise): 401 missing_credentials', () => {
    expect(() => active.canActivate(contextFor({ headers: {} }, Routes.prototype.plain))).toThrow(
      expect.objectContaining({ name: 'SessionRefusedException', refusal: expect.objectContaining({ code: 'missing_credentials' }) }),
    );
  });

  it('is for HTTP routes: another context type is an Error, never a pass', () => {
    expect(() => active.canActivate(contextFor({ headers: { 'x-user-id': 'alice' } }, Routes.prototype.plain, 'rpc')))
      .toThrow(/ActiveSessionGuard guards HTTP routes, not a "rpc" context/);
  });

  it('needs the module options', () => {
    expect(() => new ActiveSessionGuard(undefined as never, new Reflector())).toThrow(/needs SessionGuardModule.forRoot/);
  });
});
