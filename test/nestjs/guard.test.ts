import { Catch, Controller, Get, Module, Req, UseGuards, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, Reflector } from '@nestjs/core';
import type { FakeGenAuth } from '../../src/testing';
import type { SessionGuard } from '../../src/index';
import {
  ActiveSessionGuard,
  AppId,
  Permissions,
  Public,
  Roles,
  Scopes,
  SessionAuth,
  SessionGuardModule,
  SessionRefusedException,
} from '../../src/nestjs';
import { boot, fakeAndGuard, PLATFORMS, type Booted } from './support';

/** The handlers that ran, by name: a refusal must leave this untouched. */
const ran: string[] = [];

@Controller('global')
class GlobalController {
  @Get('private')
  private(@SessionAuth() auth: SessionAuth) {
    ran.push('private');
    return { userId: auth.userId };
  }

  @Public()
  @Get('open')
  open(@SessionAuth() auth: SessionAuth | undefined, @Req() req: { auth?: unknown }) {
    ran.push('open');
    return { auth: auth ?? null, onRequest: req.auth ?? null };
  }
}

@Public()
@Controller('public-class')
class PublicClassController {
  @Get('open')
  open() {
    ran.push('public-class/open');
    return { ok: true };
  }

  /** A method asking for authorization is guarded even in a public class. */
  @Roles('admin')
  @Get('admins')
  admins(@SessionAuth() auth: SessionAuth) {
    ran.push('public-class/admins');
    return { authorization: auth.authorization };
  }
}

@Roles('admin')
@Scopes('read')
@Controller('admin')
class AdminController {
  @Get('class')
  classPolicy(@SessionAuth() auth: SessionAuth) {
    ran.push('admin/class');
    return { authorization: auth.authorization };
  }

  /** Replaces the class's roles; the class's scopes still apply. */
  @Roles('auditor')
  @Get('method-roles')
  methodRoles(@SessionAuth() auth: SessionAuth) {
    ran.push('admin/method-roles');
    return { authorization: auth.authorization };
  }

  /** Replaces the class's scopes; the class's roles still apply. */
  @Scopes('write')
  @Get('method-scopes')
  methodScopes(@SessionAuth() auth: SessionAuth) {
    ran.push('admin/method-scopes');
    return { authorization: auth.authorization };
  }

  /** Adds a kind: the class's roles and scopes, and these permissions. */
  @Permissions({ namespace: 'orders', action: 'read', resources: ['o:1'] })
  @Get('permissions')
  permissions(@SessionAuth() auth: SessionAuth) {
    ran.push('admin/permissions');
    return { authorization: auth.authorization };
  }

  @Public()
  @Get('health')
  health() {
    ran.push('admin/health');
    return { ok: true };
  }
}

@AppId('app-2')
@Controller('other-app')
class OtherAppController {
  @Get('class')
  classAppId(@SessionAuth() auth: SessionAuth) {
    ran.push('other-app/class');
    return { appId: auth.appId };
  }

  @AppId('app-3')
  @Get('method')
  methodAppId(@SessionAuth() auth: SessionAuth) {
    ran.push('other-app/method');
    return { appId: auth.appId };
  }
}

/** The routes of an app that guards one controller with @UseGuards and leaves the other open. */
@UseGuards(ActiveSessionGuard)
@Controller('guarded')
class GuardedController {
  @Get()
  get(@SessionAuth() auth: SessionAuth) {
    ran.push('guarded');
    return { userId: auth.userId };
  }
}

@Controller('unguarded')
class UnguardedController {
  @Get()
  get(@SessionAuth() auth: SessionAuth | undefined) {
    ran.push('unguarded');
    return { auth: auth ?? null };
  }
}

/** An app's own answer to a refusal: the Nest equivalent of onReject. */
@Catch(SessionRefusedException)
class TeapotOnRefusal implements ExceptionFilter {
  catch(exception: SessionRefusedException, host: ArgumentsHost) {
    host.switchToHttp().getResponse<{ status(code: number): { send(body: unknown): unknown } }>()
      .status(418)
      .send({ refused: exception.refusal.code, isCause: exception.cause === exception.refusal });
  }
}

describe.each(PLATFORMS)('NestJS 11 (%s)', (platform) => {
  let fake: FakeGenAuth;
  let guard: SessionGuard;
  let closeFake: () => Promise<void>;
  let booted: Booted | undefined;

  beforeEach(async () => {
    ({ fake, guard, close: closeFake } = await fakeAndGuard());
    ran.length = 0;
  });
  afterEach(async () => {
    await booted?.close();
    booted = undefined;
    await closeFake();
  });

  function globalApp(extra: { providers?: unknown[] } = {}) {
    @Module({
      imports: [SessionGuardModule.forRoot({ guard, appId: 'app-1' })],
      controllers: [GlobalController, PublicClassController, AdminController, OtherAppController],
      providers: [{ provide: APP_GUARD, useClass: ActiveSessionGuard }, ...((extra.providers ?? []) as never[])],
    })
    class AppModule {}
    return AppModule;
  }

  async function token(user: string, appId = 'app-1', scope?: string) {
    return fake.login(user, appId, scope === undefined ? {} : { claims: { scope } });
  }

  describe('a global guard (APP_GUARD)', () => {
    beforeEach(async () => {
      booted = await boot(platform, globalApp());
    });

    it('refuses without a credential: 401, the challenge, { error, message }, the handler not run', async () => {
      const response = await booted!.get('/global/private');
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="app-1"');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ error: 'missing_credentials', message: 'No credentials were sent.' });
      expect(ran).toEqual([]);
      expect(fake.calls.check).toBe(0);
    });

    it('passes a live session: @SessionAuth() gives the auth', async () => {
      const response = await booted!.get('/global/private', await token('alice'));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ userId: 'alice' });
      expect(ran).toEqual(['private']);
    });

    it('503 with Retry-After when GenAuth cannot answer', async () => {
      const alice = await token('alice');
      fake.fault({ kind: 'http-status', status: 502 });
      const response = await booted!.get('/global/private', alice);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(((await response.json()) as { error: string }).error).toBe('session_check_unavailable');
      expect(ran).toEqual([]);
    });

    it('@Public() on a method: untouched, no auth, GenAuth not asked (even with a dead token)', async () => {
      const alice = await token('alice');
      fake.kick('alice');
      const response = await booted!.get('/global/open', alice);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ auth: null, onRequest: null });
      expect(fake.calls.check).toBe(0);
    });

    it('@Public() on a class: its routes are open, except a method asking for @Roles', async () => {
      expect((await booted!.get('/public-class/open')).status).toBe(200);
      expect((await booted!.get('/public-class/admins')).status).toBe(401);
      fake.startSession('bob', 'app-1');
      expect((await booted!.get('/public-class/admins', await token('bob'))).status).toBe(403);
      fake.assignRole('alice', 'admin');
      const response = await booted!.get('/public-class/admins', await token('alice'));
      expect(response.status).toBe(200);
      expect(((await response.json()) as { authorization: unknown }).authorization).toEqual({ roles: [{ code: 'admin' }], source: 'upstream' });
      expect(ran).toEqual(['public-class/open', 'public-class/admins']);
    });

    it('@Public() on a method of a class with @Roles and @Scopes', async () => {
      expect((await booted!.get('/admin/health')).status).toBe(200);
      expect(fake.calls.check).toBe(0);
    });

    it("class decorators apply to every route: the class's @Roles and @Scopes", async () => {
      fake.assignRole('alice', 'admin');
      const withScope = await booted!.get('/admin/class', await token('alice', 'app-1', 'read'));
      expect(withScope.status).toBe(200);
      expect(((await withScope.json()) as { authorization: unknown }).authorization).toEqual({ roles: [{ code: 'admin' }], scopes: ['read'], source: 'upstream' });
      const withoutScope = await booted!.get('/admin/class', await token('alice', 'app-1', 'write'));
      expect(withoutScope.status).toBe(403);
      expect(withoutScope.headers.get('www-authenticate')).toBe('Bearer realm="app-1", error="insufficient_scope"');
      expect(await withoutScope.json()).toEqual({ error: 'insufficient_permission', message: expect.any(String) });
    });

    it("a method's @Roles replaces the class's; the class's @Scopes still apply", async () => {
      fake.assignRole('alice', 'admin');
      fake.assignRole('carol', 'auditor');
      expect((await booted!.get('/admin/method-roles', await token('alice', 'app-1', 'read'))).status).toBe(403);
      expect((await booted!.get('/admin/method-roles', await token('carol', 'app-1', 'write'))).status).toBe(403);
      const response = await booted!.get('/admin/method-roles', await token('carol', 'app-1', 'read'));
      expect(response.status).toBe(200);
      expect(((await response.json()) as { authorization: unknown }).authorization).toEqual({ roles: [{ code: 'auditor' }], scopes: ['read'], source: 'upstream' });
    });

    it("a method's @Scopes replaces the class's; the class's @Roles still apply", async () => {
      fake.assignRole('alice', 'admin');
      fake.startSession('bob', 'app-1');
      expect((await booted!.get('/admin/method-scopes', await token('alice', 'app-1', 'read'))).status).toBe(403);
      expect((await booted!.get('/admin/method-scopes', await token('bob', 'app-1', 'write'))).status).toBe(403);
      const response = await booted!.get('/admin/method-scopes', await token('alice', 'app-1', 'write'));
      expect(response.status).toBe(200);
      expect(((await response.json()) as { authorization: unknown }).authorization).toEqual({ roles: [{ code: 'admin' }], scopes: ['write'], source: 'upstream' });
    });

    it("a method's @Permissions combine with the class's @Roles and @Scopes (AND)", async () => {
      fake.assignRole('alice', 'admin');
      const alice = await token('alice', 'app-1', 'read');
      expect((await booted!.get('/admin/permissions', alice)).status).toBe(403);
      fake.grantPermission('alice', { namespace: 'orders', action: 'read', resource: 'o:1' });
      guard.invalidate('alice');
      const response = await booted!.get('/admin/permissions', alice);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { authorization: unknown }).authorization).toEqual({
        roles: [{ code: 'admin' }],
        permissions: { namespace: 'orders', action: 'read', resources: ['o:1'] },
        scopes: ['read'],
        source: 'upstream',
      });
      expect(ran).toEqual(['admin/permissions']);
    });

    it('@AppId on a class and on a method replace the module appId (audience and realm follow)', async () => {
      const app2 = await token('alice', 'app-2');
      const app3 = await token('alice', 'app-3');
      const classRoute = await booted!.get('/other-app/class', app2);
      expect(classRoute.status).toBe(200);
      expect(await classRoute.json()).toEqual({ appId: 'app-2' });
      const wrongApp = await booted!.get('/other-app/method', app2);
      expect(wrongApp.status).toBe(401);
      expect(wrongApp.headers.get('www-authenticate')).toMatch(/^Bearer realm="app-3", error="invalid_token"/);
      const methodRoute = await booted!.get('/other-app/method', app3);
      expect(await methodRoute.json()).toEqual({ appId: 'app-3' });
      expect(ran).toEqual(['other-app/class', 'other-app/method']);
    });

    it('reads the decorators once per route, not per request (the WeakMap cache)', async () => {
      const spy = jest.spyOn(Reflector.prototype, 'getAllAndOverride');
      try {
        fake.assignRole('alice', 'admin');
        const alice = await token('alice', 'app-1', 'read');
        expect((await booted!.get('/admin/class', alice)).status).toBe(200);
        const once = spy.mock.calls.length;
        expect(once).toBeGreaterThan(0);
        for (let i = 0; i < 3; i++) expect((await booted!.get('/admin/class', alice)).status).toBe(200);
        expect(spy.mock.calls.length).toBe(once);
        expect(guard.stats()).toMatchObject({ misses: 1, hits: 3 });
      } finally {
        spy.mockRestore();
      }
    });
  });

  it("an exception filter of the app's catches SessionRefusedException (the refusal as cause); the headers are set", async () => {
    booted = await boot(platform, globalApp({ providers: [{ provide: APP_FILTER, useClass: TeapotOnRefusal }] }));
    const response = await booted.get('/global/private');
    expect(response.status).toBe(418);
    expect(await response.json()).toEqual({ refused: 'missing_credentials', isCause: true });
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="app-1"');
    expect(ran).toEqual([]);
  });

  it('a function appId that throws is an Error for Nest (500), not a refusal; the handler does not run', async () => {
    @Module({
      imports: [SessionGuardModule.forRoot({ guard, appId: () => { throw new RangeError('no tenant'); } })],
      controllers: [GlobalController],
      providers: [{ provide: APP_GUARD, useClass: ActiveSessionGuard }],
    })
    class AppModule {}
    booted = await boot(platform, AppModule);
    const response = await booted.get('/global/private', await token('alice'));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ statusCode: 500, message: 'Internal server error' });
    expect(ran).toEqual([]);
    expect(fake.calls.check).toBe(0);
  });

  it('@UseGuards(ActiveSessionGuard) on one controller guards it only', async () => {
    @Module({
      imports: [SessionGuardModule.forRoot({ guard, appId: 'app-1' })],
      controllers: [GuardedController, UnguardedController],
    })
    class AppModule {}
    booted = await boot(platform, AppModule);
    expect((await booted.get('/guarded')).status).toBe(401);
    const passed = await booted.get('/guarded', await token('alice'));
    expect(await passed.json()).toEqual({ userId: 'alice' });
    expect(await (await booted.get('/unguarded')).json()).toEqual({ auth: null });
    expect(ran).toEqual(['guarded', 'unguarded']);
  });
});
