import { Controller, Get, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { FakeGenAuth } from '../../src/testing';
import type { SessionGuard } from '../../src/index';
import { ActiveSessionGuard, SessionAuth, SessionGuardModule, SESSION_GUARD_OPTIONS, type SessionGuardModuleOptions } from '../../src/nestjs';
import { boot, fakeAndGuard, PLATFORMS, type Booted } from './support';

@Controller('me')
class MeController {
  @Get()
  me(@SessionAuth() auth: SessionAuth) {
    return { userId: auth.userId, appId: auth.appId };
  }
}

describe('SessionGuardModule.forRoot checks its options (TypeError when the module is made)', () => {
  const guard = { authenticate: () => undefined } as unknown as SessionGuard;

  it.each<[string, unknown, RegExp]>([
    ['nothing', undefined, /SessionGuardModule.forRoot needs \{ guard, appId \}/],
    ['a misspelt key', { guard, appId: 'app-1', appid: 'x' }, /unknown option "appid" in SessionGuardModule.forRoot options; did you mean "appId"\?/],
    ['a guard option beside the guard', { guard, appId: 'app-1', cache: false }, /unknown option "cache" in SessionGuardModule.forRoot options/],
    ['no guard', { appId: 'app-1' }, /`guard` of SessionGuardModule.forRoot must come from createSessionGuard\(\)/],
    ['no appId', { guard }, /`appId` of SessionGuardModule.forRoot must be the GenAuth app id/],
    ['a blank appId', { guard, appId: '  ' }, /`appId` of SessionGuardModule.forRoot must be/],
  ])('%s', (_label, options, message) => {
    expect(() => SessionGuardModule.forRoot(options as never)).toThrow(TypeError);
    expect(() => SessionGuardModule.forRoot(options as never)).toThrow(message);
  });

  it('forRootAsync checks its own keys and useFactory', () => {
    expect(() => SessionGuardModule.forRootAsync({ useFactory: () => ({ guard, appId: 'a' }), injects: [] } as never))
      .toThrow(/unknown option "injects" in SessionGuardModule.forRootAsync options; did you mean "inject"\?/);
    expect(() => SessionGuardModule.forRootAsync({} as never)).toThrow(/`useFactory` of SessionGuardModule.forRootAsync must be a function/);
    expect(() => SessionGuardModule.forRootAsync({ useFactory: () => ({ guard, appId: 'a' }), inject: 'CONFIG' } as never))
      .toThrow(/`imports` and `inject` of SessionGuardModule.forRootAsync must be arrays/);
  });

  it('the module is global and gives the options under SESSION_GUARD_OPTIONS', () => {
    const made = SessionGuardModule.forRoot({ guard, appId: 'app-1' });
    expect(made).toMatchObject({ module: SessionGuardModule, global: true, exports: [SESSION_GUARD_OPTIONS, ActiveSessionGuard] });
  });
});

describe.each(PLATFORMS)('NestJS 11 (%s): SessionGuardModule.forRootAsync', (platform) => {
  let fake: FakeGenAuth;
  let guard: SessionGuard;
  let closeFake: () => Promise<void>;
  let booted: Booted | undefined;

  beforeEach(async () => {
    ({ fake, guard, close: closeFake } = await fakeAndGuard());
  });
  afterEach(async () => {
    await booted?.close();
    booted = undefined;
    await closeFake();
  });

  /** A configuration module, as ConfigModule would be, whose value the factory injects. */
  function configModule(appId: unknown) {
    @Module({ providers: [{ provide: 'CONFIG', useValue: { appId } }], exports: ['CONFIG'] })
    class ConfigModule {}
    return ConfigModule;
  }

  function appModule(factory: (config: { appId: string }) => SessionGuardModuleOptions | Promise<SessionGuardModuleOptions>, appId: unknown) {
    @Module({
      imports: [SessionGuardModule.forRootAsync({ imports: [configModule(appId)], inject: ['CONFIG'], useFactory: factory })],
      controllers: [MeController],
      providers: [{ provide: APP_GUARD, useClass: ActiveSessionGuard }],
    })
    class AppModule {}
    return AppModule;
  }

  it('takes { guard, appId } from an async factory with injected configuration', async () => {
    booted = await boot(platform, appModule(async (config) => ({ guard, appId: config.appId }), 'app-7'));
    expect((await booted.get('/me')).status).toBe(401);
    const response = await booted.get('/me', await fake.login('alice', 'app-7'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ userId: 'alice', appId: 'app-7' });
  });

  it("checks the factory's result: a bad appId stops the boot with a TypeError", async () => {
    await expect(boot(platform, appModule((config) => ({ guard, appId: config.appId }), '')))
      .rejects.toThrow(/`appId` of the useFactory of SessionGuardModule.forRootAsync must be the GenAuth app id/);
    await expect(boot(platform, appModule(() => ({ guard, appId: 'a', cache: false }) as never, 'a')))
      .rejects.toThrow(/unknown option "cache" in the useFactory of SessionGuardModule.forRootAsync options/);
  });
});

describe('ActiveSessionGuard without the module', () => {
  it('stops the boot, saying what to import', async () => {
    @Module({ controllers: [MeController], providers: [{ provide: APP_GUARD, useClass: ActiveSessionGuard }] })
    class Forgotten {}
    await expect(boot('express', Forgotten)).rejects.toThrow(/Nest can't resolve dependencies of the ActiveSessionGuard/);
  });
});
