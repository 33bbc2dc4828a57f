/**
 * What the Fastify servers under test share: a Fastify 5 app whose `GET /admin` answers `{"ok":true}` behind the
 * given `onRequest` hook (if any), and the same IPC protocol with the runner as the Express servers (common.ts).
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type onRequestHookHandler } from 'fastify';

export { cacheOptionsOf, readConfig } from './common';

/** A Fastify app; `prepare` registers plugins (decorations) before the route is added. */
export async function buildFastifyApp(
  protect: onRequestHookHandler | undefined,
  prepare: (app: FastifyInstance) => unknown = () => undefined,
): Promise<FastifyInstance> {
  // No plugin timeout: under callgrind (bench:instructions) everything runs ~200 times slower, and registering a
  // plugin takes longer than Fastify's default 10 s.
  const app = Fastify({ pluginTimeout: 0 });
  await prepare(app);
  const handler = async () => ({ ok: true });
  if (protect === undefined) app.get('/admin', handler);
  else app.get('/admin', { onRequest: protect }, handler);
  return app;
}

/** Listens on loopback, tells the runner the port, and exits cleanly on `stop` (or when the runner goes away). */
export async function serveFastify(app: FastifyInstance, onClose: () => Promise<void> | void = () => {}): Promise<void> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  app.server.keepAliveTimeout = 60_000;
  const { port } = app.server.address() as AddressInfo;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    app.server.closeAllConnections();
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
