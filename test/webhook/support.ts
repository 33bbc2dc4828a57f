import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Koa from 'koa';
import { genauthWebhook as expressWebhook, type GenAuthWebhookOptions } from '../../src/index';
import { genauthWebhook as koaWebhook } from '../../src/koa';
import { Hono } from 'hono';
import { genauthWebhook as honoWebhook } from '../../src/hono';
import { genauthWebhook as webWebhook } from '../../src/web';
import { viaAppRequest, viaFetch, viaNodeServer } from '../support/hono-servers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const express4 = require('express4') as typeof express;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Koa2 = require('koa2') as typeof Koa;

export const SECRET = 'whsec-3f9a1c77-never-logged';
export const PATH = '/hooks/genauth';

export interface RunningReceiver {
  url: string;
  close(): Promise<void>;
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<RunningReceiver> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A receiver app of one framework; `parsers`: body parsers mounted before the handler (Express only). */
export interface ReceiverUnderTest {
  name: string;
  start(options: GenAuthWebhookOptions, parsers?: 'none' | 'json+urlencoded'): Promise<RunningReceiver>;
}

function expressReceiver(factory: typeof express, options: GenAuthWebhookOptions, parsers: string) {
  const app = factory();
  if (parsers === 'json+urlencoded') app.use(factory.json(), factory.urlencoded({ extended: false }));
  app.post(PATH, expressWebhook(options));
  return app;
}

function koaReceiver(Factory: typeof Koa, options: GenAuthWebhookOptions) {
  const app = new Factory();
  const webhook = koaWebhook(options);
  app.use(async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === PATH) return webhook(ctx as never, next);
    return next();
  });
  return app;
}

function honoReceiver(options: GenAuthWebhookOptions) {
  const app = new Hono();
  app.post(PATH, honoWebhook(options));
  return app;
}

/**
 * Express 5 and 4, Koa 3 and 2 (koa-bodyparser is not installed: Koa reads the raw stream), Hono 4 (`app.request()`
 * and `@hono/node-server`) and the Web receiver (`(request) => Response`), which read the Web `Request`'s body.
 */
export const receivers: ReceiverUnderTest[] = [
  { name: 'Express 5', start: (options, parsers = 'none') => listen(expressReceiver(express, options, parsers)) },
  { name: 'Express 4', start: (options, parsers = 'none') => listen(expressReceiver(express4, options, parsers)) },
  { name: 'Koa 3', start: (options) => listen(koaReceiver(Koa, options).callback()) },
  { name: 'Koa 2', start: (options) => listen(koaReceiver(Koa2, options).callback()) },
  { name: 'Hono 4 (app.request)', start: (options) => listen(viaAppRequest(honoReceiver(options))) },
  { name: 'Hono 4 (@hono/node-server)', start: (options) => listen(viaNodeServer(honoReceiver(options))) },
  { name: 'Web (a Request handler)', start: (options) => listen(viaFetch(webWebhook(options))) },
];

/** A `process.emitWarning` of the package, as seen by {@link watchPackageWarnings}. */
export interface PackageWarning {
  code: string;
  message: string;
}

/**
 * Collects the package's process warnings (codes `GENAUTH_SESSION_GUARD_*`) during each test, instead of printing
 * them; other warnings go through. Jest's sandboxed `process` does not receive the real 'warning' events, hence the spy.
 */
export function watchPackageWarnings(): () => PackageWarning[] {
  let warnings: PackageWarning[] = [];
  let spy: jest.SpyInstance | undefined;
  beforeEach(() => {
    warnings = [];
    const original = process.emitWarning.bind(process);
    spy = jest.spyOn(process, 'emitWarning').mockImplementation(((warning: string | Error, options?: { code?: string }) => {
      const code = typeof options === 'object' ? options?.code : undefined;
      if (code?.startsWith('GENAUTH_SESSION_GUARD_')) {
        warnings.push({ code, message: typeof warning === 'string' ? warning : warning.message });
        return;
      }
      (original as (...args: unknown[]) => void)(warning, options);
    }) as typeof process.emitWarning);
  });
  afterEach(() => spy?.mockRestore());
  return () => warnings;
}
