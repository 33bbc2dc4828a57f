import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Koa from 'koa';
import Fastify from 'fastify';
import { requireActiveSession as requireExpress, type RequireActiveSessionOptions as ExpressOptions } from '../../src/index';
import { requireActiveSession as requireKoa, type RequireActiveSessionOptions as KoaOptions } from '../../src/koa';
import { ArgumentsHost, Catch, HttpException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { startNestApp, type NestPlatform } from './nestjs-apps';
import { Hono, type Context as HonoContext } from 'hono';
import { requireActiveSession as requireHono, type RequireActiveSessionOptions as HonoOptions, type SessionVariables } from '../../src/hono';
import { viaAppRequest, viaNodeServer } from './hono-servers';
import {
  requireActiveSession as requireFastify,
  sessionGuard as fastifySessionGuard,
  type RequireActiveSessionOptions as FastifyOptions,
} from '../../src/fastify';
import { listenFastify, type RunningApp } from './frameworks';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const express4 = require('express4') as typeof express;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Koa2 = require('koa2') as typeof Koa;

/** What the app's own error handling saw, and whether the protected handler ran. */
export interface AppRecord {
  reached: number;
  errors: unknown[];
}

/** How a test app is built: the guard's appId and options, and an optional step that runs before the guard. */
export interface ErrorAppSetup {
  appId: string | ((request: never) => string);
  options: unknown;
  /** Runs before the guard (Express, Nest and Fastify: the request, Koa: `(ctx)`, Hono: `(c)`), e.g. to make `req.auth` read-only. */
  before?: (target: any) => void;
}

/**
 * An app of one framework guarded at `/admin`, with an error handler of its own that records what reaches it and
 * answers 500 `{ appError: true }`: a test can tell "the app's error handling got an Error" from a pass (200) or a
 * refusal (the guard's JSON).
 */
export interface ErrorFramework {
  name: string;
  kind: 'express' | 'koa' | 'fastify' | 'nestjs' | 'hono';
  start(setup: ErrorAppSetup, record: AppRecord): Promise<RunningApp>;
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<RunningApp> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function expressApp(factory: typeof express, { appId, options, before }: ErrorAppSetup, record: AppRecord) {
  const app = factory();
  app.get(
    '/admin',
    (req, _res, next) => {
      before?.(req);
      next();
    },
    requireExpress(appId as never, options as ExpressOptions),
    (req, res) => {
      record.reached++;
      res.json({ auth: req.auth ?? null });
    },
  );
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    record.errors.push(error);
    res.status(500).json({ appError: true });
  });
  return app;
}

function koaApp(Factory: typeof Koa, { appId, options, before }: ErrorAppSetup, record: AppRecord) {
  const app = new Factory();
  const guard = requireKoa(appId as never, options as KoaOptions);
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      record.errors.push(error);
      ctx.status = 500;
      ctx.body = { appError: true };
    }
  });
  app.use(async (ctx, next) => {
    if (ctx.path !== '/admin') return next();
    before?.(ctx);
    await guard(ctx as never, async () => {
      record.reached++;
      ctx.body = { auth: ctx.state.auth ?? null };
    });
  });
  return app;
}

/**
 * A Nest app whose own error handling is a catch-all exception filter, as apps write it: HTTP exceptions (the
 * guard's refusals among them) answered as Nest does, anything else recorded and answered 500. Nest has no
 * `onReject` (a refusal is a SessionRefusedException for the app's filters): the option is not passed on.
 */
function nestStart(platform: NestPlatform): ErrorFramework['start'] {
  return ({ appId, options, before }, record) => {
    const { guard } = options as { guard: import('../../src/index').SessionGuard };
    class AppErrors extends BaseExceptionFilter {
      override catch(exception: unknown, host: ArgumentsHost) {
        if (exception instanceof HttpException) return super.catch(exception, host);
        record.errors.push(exception);
        host.switchToHttp().getResponse<{ status(code: number): { send(body: unknown): unknown } }>().status(500).send({ appError: true });
      }
    }
    Catch()(AppErrors);
    return startNestApp(platform, {
      appId: appId as never,
      guard,
      before,
      filters: (app) => [new AppErrors(app.getHttpAdapter())],
      reached: () => record.reached++,
    });
  };
}

/**
 * A function appId of the table reads `request.headers`: Hono's context has them as `c.req.header()`, the same
 * lower-case record.
 */
function honoAppId(appId: ErrorAppSetup['appId']) {
  if (typeof appId !== 'function') return appId;
  const read = appId as (request: { headers: Record<string, string> }) => string;
  return (c: HonoContext) => read({ headers: c.req.header() });
}

function honoApp({ appId, options, before }: ErrorAppSetup, record: AppRecord) {
  const app = new Hono<{ Variables: SessionVariables }>();
  app.onError((error, c) => {
    record.errors.push(error);
    return c.json({ appError: true }, 500);
  });
  app.get(
    '/admin',
    async (c, next) => {
      before?.(c);
      await next();
    },
    requireHono(honoAppId(appId), options as HonoOptions),
    (c) => {
      record.reached++;
      return c.json({ auth: c.var.auth ?? null });
    },
  );
  return app;
}

/** Fastify 5: the plugin registered with the shared guard, `before` and the guard as the route's onRequest hooks. */
function startFastify({ appId, options, before }: ErrorAppSetup, record: AppRecord): Promise<RunningApp> {
  const hook = requireFastify(appId as never, options as FastifyOptions);
  const shared = typeof options === 'object' && options !== null && 'guard' in options ? (options as { guard: never }).guard : undefined;
  return (async () => {
    const app = Fastify();
    if (shared) await app.register(fastifySessionGuard, { guard: shared });
    app.setErrorHandler((error, _request, reply) => {
      record.errors.push(error);
      return reply.code(500).send({ appError: true });
    });
    const beforeHook = (request: unknown, _reply: unknown, done: () => void) => {
      before?.(request);
      done();
    };
    app.get('/admin', { onRequest: [beforeHook, hook] }, async (request) => {
      record.reached++;
      return { auth: request.auth ?? null };
    });
    return listenFastify(app);
  })();
}

/**
 * Express 5 and 4, Koa 3 and 2, Fastify 5, NestJS 11 on both platforms, Hono 4 (`app.request()`,
 * `@hono/node-server`), each with an error handler of the app's own.
 */
export const errorFrameworks: ErrorFramework[] = [
  { name: 'Express 5', kind: 'express', start: (setup, record) => listen(expressApp(express, setup, record)) },
  { name: 'Express 4', kind: 'express', start: (setup, record) => listen(expressApp(express4, setup, record)) },
  { name: 'Koa 3', kind: 'koa', start: (setup, record) => listen(koaApp(Koa, setup, record).callback()) },
  { name: 'Koa 2', kind: 'koa', start: (setup, record) => listen(koaApp(Koa2, setup, record).callback()) },
  { name: 'Fastify 5', kind: 'fastify', start: startFastify },
  { name: 'NestJS 11 (express)', kind: 'nestjs', start: nestStart('express') },
  { name: 'NestJS 11 (fastify)', kind: 'nestjs', start: nestStart('fastify') },
  { name: 'Hono 4 (app.request)', kind: 'hono', start: (setup, record) => listen(viaAppRequest(honoApp(setup, record))) },
  { name: 'Hono 4 (@hono/node-server)', kind: 'hono', start: (setup, record) => listen(viaNodeServer(honoApp(setup, record))) },
];
