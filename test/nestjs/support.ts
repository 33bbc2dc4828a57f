import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { bearerJwt, createSessionGuard, type SessionGuard } from '../../src/index';

export const PLATFORMS = ['express', 'fastify'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface Booted {
  app: INestApplication;
  url: string;
  get(path: string, token?: string): Promise<Response>;
  close(): Promise<void>;
}

/** Boots a Nest module on one platform, on 127.0.0.1:0, without logs. */
export async function boot(platform: Platform, module: object, prepare?: (app: INestApplication) => void): Promise<Booted> {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(module as never, adapter, { logger: false, abortOnError: false });
  prepare?.(app);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    app,
    url,
    get: (path, token) => fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
    close: async () => {
      server.closeAllConnections();
      await app.close();
    },
  };
}

/** A fake GenAuth and a guard whose bearer JWTs must name the route's app id as audience. */
export async function fakeAndGuard(): Promise<{ fake: FakeGenAuth; guard: SessionGuard; close(): Promise<void> }> {
  const fake = await createFakeGenAuth();
  const guard = createSessionGuard({
    host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, retries: 0,
    identity: bearerJwt({ issuer: fake.issuer, audience: ({ appId }) => appId }),
  });
  return {
    fake,
    guard,
    close: async () => {
      await guard.close();
      await fake.close();
    },
  };
}
