import type { AddressInfo } from 'node:net';
import { Catch, Controller, Get, Module, type ArgumentsHost, type ExceptionFilter, type INestApplication } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AuthorizationOptions } from '../../src/core/authorization-policy';
import type { SessionGuard } from '../../src/index';
import {
  ActiveSessionGuard,
  Permissions,
  Public,
  Roles,
  Scopes,
  SessionAuth,
  SessionGuardModule,
  SessionRefusedException,
  type NestAppId,
} from '../../src/nestjs';
import type { RunningApp } from './frameworks';

export type NestPlatform = 'express' | 'fastify';

/** A Nest app guarded at GET /admin (echoing `{ auth }`), with GET /open left `@Public()` under the global guard. */
export interface NestAppSetup {
  appId: NestAppId;
  guard: SessionGuard;
  /** Applied to the /admin method as `@Roles`, `@Permissions`, `@Scopes`. */
  authorization?: AuthorizationOptions;
  /** Global exception filters, made once the app exists. */
  filters?: (app: INestApplication) => ExceptionFilter[];
  /** Runs on the request the guard will see, before it (Express `req`, Fastify `request`). */
  before?: (request: any) => void;
  /** Called when the protected handler runs. */
  reached: () => void;
  /** Closed with the app (a guard the test support built). */
  ownGuard?: SessionGuard;
}

/**
 * Builds the app: the controller, decorators and module synchronously (a bad option is a TypeError from this call),
 * then listens on 127.0.0.1:0. Decorators are applied as functions: this file is type-checked without
 * `experimentalDecorators`.
 */
export function startNestApp(platform: NestPlatform, setup: NestAppSetup): Promise<RunningApp> {
  class AdminController {
    admin(auth: unknown) {
      setup.reached();
      return { auth };
    }
    open() {
      return { ok: true };
    }
  }
  const proto = AdminController.prototype;
  const method = (name: 'admin' | 'open') => Object.getOwnPropertyDescriptor(proto, name)!;
  Get('admin')(proto, 'admin', method('admin'));
  SessionAuth()(proto, 'admin', 0);
  const { roles, permissions, scopes } = setup.authorization ?? {};
  if (roles !== undefined) Roles(...roles)(proto, 'admin', method('admin'));
  if (permissions !== undefined) Permissions(permissions)(proto, 'admin', method('admin'));
  if (scopes !== undefined) Scopes(...scopes)(proto, 'admin', method('admin'));
  Get('open')(proto, 'open', method('open'));
  Public()(proto, 'open', method('open'));
  Controller()(AdminController);

  class AppModule {}
  Module({
    imports: [SessionGuardModule.forRoot({ guard: setup.guard, appId: setup.appId })],
    controllers: [AdminController],
    providers: [{ provide: APP_GUARD, useClass: ActiveSessionGuard }],
  })(AppModule);
  return listenNest(platform, AppModule, setup);
}

async function listenNest(platform: NestPlatform, module: object, setup: NestAppSetup): Promise<RunningApp> {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(module as never, adapter, { logger: false, abortOnError: false });
  if (setup.before) {
    const before = setup.before;
    if (platform === 'express') {
      app.use((req: unknown, _res: unknown, next: () => void) => {
        before(req);
        next();
      });
    } else {
      const fastify = app.getHttpAdapter().getInstance() as { addHook(name: string, hook: (request: unknown, reply: unknown, done: () => void) => void): void };
      fastify.addHook('onRequest', (request, _reply, done) => {
        before(request);
        done();
      });
    }
  }
  if (setup.filters) app.useGlobalFilters(...setup.filters(app));
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: async () => {
      server.closeAllConnections();
      await app.close();
      await setup.ownGuard?.close();
    },
  };
}

/** The Nest way to replace the default answer: an exception filter for SessionRefusedException. */
export function nestRejectFilter(status: number, body: (error: { code: string }) => unknown): ExceptionFilter {
  class RejectFilter implements ExceptionFilter {
    catch(exception: SessionRefusedException, host: ArgumentsHost) {
      // Express's res and Fastify's reply both take status(...).send(object) as JSON.
      host.switchToHttp().getResponse<{ status(code: number): { send(body: unknown): unknown } }>().status(status).send(body(exception.refusal));
    }
  }
  Catch(SessionRefusedException)(RejectFilter);
  return new RejectFilter();
}

/** Whether `value` is a filter made by {@link nestRejectFilter} (or any exception filter instance). */
export function isExceptionFilter(value: unknown): value is ExceptionFilter {
  return typeof (value as { catch?: unknown } | null | undefined)?.catch === 'function';
}
