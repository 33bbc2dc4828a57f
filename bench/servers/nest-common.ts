/**
 * What the NestJS servers share: a Nest 11 app on platform-express (or platform-fastify) whose `GET /admin` is guarded by `canActivate`
 * (a guard class, applied with `@UseGuards`) and answers `{"ok":true}`, on the IPC protocol of `common.ts`. The
 * decorators are applied as functions: tsx runs the bench with the project's tsconfig (no experimentalDecorators).
 */
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module, UseGuards, type CanActivate, type ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { Express } from 'express';

export async function serveNest(
  guard: new (...args: never[]) => CanActivate,
  metadata: ModuleMetadata = {},
  onClose: () => Promise<void> | void = () => {},
  platform: 'express' | 'fastify' = 'express',
): Promise<void> {
  class AdminController {
    admin() {
      return { ok: true };
    }
  }
  const descriptor = Object.getOwnPropertyDescriptor(AdminController.prototype, 'admin')!;
  Get('admin')(AdminController.prototype, 'admin', descriptor);
  UseGuards(guard)(AdminController.prototype, 'admin', descriptor);
  Controller()(AdminController);
  class BenchModule {}
  Module({ ...metadata, controllers: [AdminController] })(BenchModule);

  const app = await NestFactory.create(BenchModule, platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(), { logger: false });
  if (platform === 'express') {
    const express = app.getHttpAdapter().getInstance() as Express;
    express.disable('x-powered-by');
    express.disable('etag');
  }
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer();
  server.keepAliveTimeout = 60_000;
  const { port } = server.address() as AddressInfo;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    await app.close();
    await onClose();
    process.exit(0);
  };
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  if (!process.send) throw new Error('bench server: no IPC channel (start it through `npm run bench`).');
  process.send({ type: 'ready', port, pid: process.pid });
}
