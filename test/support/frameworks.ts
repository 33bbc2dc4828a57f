import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Koa from 'koa';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { requireActiveSession as requireExpress, type RequireActiveSessionOptions as ExpressOptions } from '../../src/index';
import { requireActiveSession as requireKoa, type RequireActiveSessionOptions as KoaOptions } from '../../src/koa';
import { resolveRoute } from '../../src/core/route-options';
import type { AuthorizationOptions } from '../../src/core/authorization-policy';
import type { IdentityExtractor, SessionGuard } from '../../src/index';
import { isExceptionFilter, nestRejectFilter, startNestApp, type NestPlatform } from './nestjs-apps';
import { Hono, type Context as HonoContext } from 'hono';
import { requireActiveSession as requireHono, type RequireActiveSessionOptions as HonoOptions, type SessionVariables } from '../../src/hono';
import { viaAppRequest, viaNodeServer } from './hono-servers';
import {
  requireActiveSession as requireFastify,
  sessionGuard as fastifySessionGuard,
  type RequireActiveSessionOptions as FastifyOptions,
} from '../../src/fastify';

// The previous majors, installed side by side under npm aliases (no types of their own).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const express4 = require('express4') as typeof express;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Koa2 = require('koa2') as typeof Koa;

/** What every test app does once the guard lets a request through: answer 200 with what the guard set. */
export interface Reached {
  count: number;
}

export type AppIdOption = string | ((request: { headers: Record<string, unknown> }) => string);

/** Builds a real app of one framework, guarded at `/admin`, that echoes the auth the guard set. */
export interface FrameworkUnderTest {
  name: string;
  kind: 'express' | 'koa' | 'fastify' | 'nestjs' | 'hono';
  /**
   * `options` are the route options of requireActiveSession (`guard`, `roles`, `permissions`, `scopes`, `identity`,
   * `onReject`, or guard options): passed as they are, or turned into what the framework uses instead (NestJS:
   * module options and decorators). `onReject` comes from {@link FrameworkUnderTest.onReject}.
   */
  start(appId: string, options: unknown, reached: Reached): Promise<RunningApp>;
  /** The framework's own `onReject` that answers `status` with JSON `body(error)`. */
  onReject(status: number, body: (error: { code: string }) => unknown): unknown;
}

const expressOnReject = (status: number, body: (error: { code: string }) => unknown) =>
  (error: { code: string }, _req: unknown, res: express.Response) => res.status(status).json(body(error));

const koaOnReject = (status: number, body: (error: { code: string }) => unknown) =>
  (error: { code: string }, ctx: Koa.Context) => {
    ctx.status = status;
    ctx.body = body(error);
  };

const honoOnReject = (status: number, body: (error: { code: string }) => unknown) =>
  (error: { code: string }, c: HonoContext) => c.json(body(error), status as 418);
const fastifyOnReject = (status: number, body: (error: { code: string }) => unknown) =>
  (error: { code: string }, _request: unknown, reply: FastifyReply) => reply.code(status).send(body(error));

export interface RunningApp {
  url: string;
  server: Server;
  close(): Promise<void>;
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

function expressApp(factory: typeof express, appId: string, options: unknown, reached: Reached) {
  const app = factory();
  app.get('/admin', requireExpress(appId, options as ExpressOptions), (req, res) => {
    reached.count++;
    res.json({ auth: req.auth });
  });
  app.get('/open', (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}

function koaApp(Factory: typeof Koa, appId: string, options: unknown, reached: Reached) {
  const app = new Factory();
  const guard = requireKoa(appId, options as KoaOptions);
  app.use(async (ctx, next) => {
    if (ctx.path === '/open') {
      ctx.body = { ok: true };
      return;
    }
    if (ctx.path !== '/admin') return next();
    await guard(ctx as never, async () => {
      reached.count++;
      ctx.body = { auth: ctx.state.auth };
    });
  });
  return app;
}

/** A guard that authenticates with another extractor: what a route's `identity` option does, for Nest. */
function withIdentity(guard: SessionGuard, identity: IdentityExtractor): SessionGuard {
  return { ...guard, authenticate: (req, appId, options) => guard.authenticate(req, appId, { ...options, identity }) };
}

/**
 * The route options of the table, turned into a Nest app: checked as requireActiveSession checks them (the same
 * TypeErrors, synchronously), a guard built from guard options when no `guard` is given, `identity` wrapped into the
 * guard, `roles`/`permissions`/`scopes` as decorators on the route, `onReject` as a global exception filter.
 */
function nestStart(platform: NestPlatform): FrameworkUnderTest['start'] {
  return (appId, options, reached) => {
    const { onReject, ...routeOptions } = options as Record<string, unknown>;
    if (onReject !== undefined && !isExceptionFilter(onReject)) {
      throw new TypeError('test support: a Nest onReject is an exception filter (nestRejectFilter)');
    }
    const { guard, identity } = resolveRoute(appId, routeOptions as never, () => {
      throw new TypeError('test support: the Nest apps take options');
    });
    const { roles, permissions, scopes } = routeOptions as AuthorizationOptions;
    return startNestApp(platform, {
      appId: appId as never,
      guard: identity ? withIdentity(guard, identity) : guard,
      authorization: { roles, permissions, scopes },
      filters: onReject ? () => [onReject] : undefined,
      reached: () => reached.count++,
      ownGuard: 'guard' in routeOptions ? undefined : guard,
    });
  };
}


function honoApp(appId: string, options: unknown, reached: Reached) {
  const app = new Hono<{ Variables: SessionVariables }>();
  app.get('/open', (c) => c.json({ ok: true }));
  app.get('/admin', requireHono(appId, options as HonoOptions), (c) => {
    reached.count++;
    return c.json({ auth: c.var.auth });
  });
  return app;
}

/** A Fastify app listening on 127.0.0.1, port 0, closed with its open connections. */
export async function listenFastify(app: FastifyInstance): Promise<RunningApp> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server: app.server,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}

/**
 * Fastify 5: the hook is made first (a bad option throws synchronously, as for the others), the `sessionGuard`
 * plugin is registered with the route's shared guard (so `request.auth` is decorated), the hook guards `/admin` as
 * its `onRequest`.
 */
function startFastify(appId: string, options: unknown, reached: Reached): Promise<RunningApp> {
  const hook = requireFastify(appId, options as FastifyOptions);
  const shared = typeof options === 'object' && options !== null && 'guard' in options ? (options as { guard: never }).guard : undefined;
  return (async () => {
    const app = Fastify();
    if (shared) await app.register(fastifySessionGuard, { guard: shared });
    app.get('/admin', { onRequest: hook }, async (request) => {
      reached.count++;
      return { auth: request.auth };
    });
    app.get('/open', async () => ({ ok: true }));
    return listenFastify(app);
  })();
}

/**
 * Express 5 and 4, Koa 3 and 2, Fastify 5, NestJS 11 on both platforms, Hono 4 (Web requests through
 * `app.request()`, and `@hono/node-server`): every table of cases runs through each.
 */
export const frameworks: FrameworkUnderTest[] = [
  { name: 'Express 5', kind: 'express', start: (appId, options, reached) => listen(expressApp(express, appId, options, reached)), onReject: expressOnReject },
  { name: 'Express 4', kind: 'express', start: (appId, options, reached) => listen(expressApp(express4, appId, options, reached)), onReject: expressOnReject },
  { name: 'Koa 3', kind: 'koa', start: (appId, options, reached) => listen(koaApp(Koa, appId, options, reached).callback()), onReject: koaOnReject },
  { name: 'Koa 2', kind: 'koa', start: (appId, options, reached) => listen(koaApp(Koa2, appId, options, reached).callback()), onReject: koaOnReject },
  { name: 'Fastify 5', kind: 'fastify', start: startFastify, onReject: fastifyOnReject },
  { name: 'NestJS 11 (express)', kind: 'nestjs', start: nestStart('express'), onReject: nestRejectFilter },
  { name: 'NestJS 11 (fastify)', kind: 'nestjs', start: nestStart('fastify'), onReject: nestRejectFilter },
  { name: 'Hono 4 (app.request)', kind: 'hono', start: (appId, options, reached) => listen(viaAppRequest(honoApp(appId, options, reached))), onReject: honoOnReject },
  { name: 'Hono 4 (@hono/node-server)', kind: 'hono', start: (appId, options, reached) => listen(viaNodeServer(honoApp(appId, options, reached))), onReject: honoOnReject },
];

/** A clock tests move by hand. */
export function manualClock(start = Date.now()) {
  let now = start;
  const clock = () => now;
  return Object.assign(clock, {
    advance(ms: number) {
      now += ms;
    },
  });
}
