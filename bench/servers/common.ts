/**
 * What every server under test shares: its configuration (from the runner, JSON in BENCH_CONFIG), an Express 5 app
 * whose protected route answers the same small body as the unprotected one, and the IPC protocol with the runner
 * (`ready` with the port once listening; `stop` to close and exit; the runner going away also ends the process).
 */
import type { AddressInfo } from 'node:net';
import { createServer, type RequestListener, type Server } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';

export interface ServerConfig {
  /** The fake GenAuth (`http://127.0.0.1:<port>`). */
  host: string;
  issuer: string;
  jwksUri: string;
  accessKeyId: string;
  accessKeySecret: string;
  appId: string;
  /** Guard servers: cache TTL of active answers (ms); undefined keeps the guard's default. */
  ttlMs?: number;
  /** Guard servers: cache size; undefined keeps the guard's default. */
  cacheMax?: number;
}

/** The guard's `cache` options: its defaults, but for what the runner set (`ttlMs`, `cacheMax`). */
export function cacheOptionsOf(config: ServerConfig): { ttlMs?: number; max?: number } {
  return {
    ...(config.ttlMs !== undefined ? { ttlMs: config.ttlMs } : {}),
    ...(config.cacheMax !== undefined ? { max: config.cacheMax } : {}),
  };
}

export function readConfig(): ServerConfig {
  const raw = process.env.BENCH_CONFIG;
  if (!raw) throw new Error('bench server: BENCH_CONFIG is not set (start it through `npm run bench`).');
  return JSON.parse(raw) as ServerConfig;
}

/** The route every server answers: `GET /admin`, behind `protect` (if any), answering `{"ok":true}`. */
export function buildApp(protect: RequestHandler | RequestHandler[] | undefined): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const handler: RequestHandler = (_req, res) => {
    res.json({ ok: true });
  };
  if (protect === undefined) app.get('/admin', handler);
  else app.get('/admin', ...(Array.isArray(protect) ? protect : [protect]), handler);
  // Refusals of the peers (express-jwt, express-oauth2-jwt-bearer) arrive as errors: answer them plainly.
  app.use(((error, _req, res, _next) => {
    const status = typeof error?.status === 'number' ? error.status : typeof error?.statusCode === 'number' ? error.statusCode : 500;
    res.status(status).json({ error: String(error?.code ?? error?.name ?? 'error') });
  }) as express.ErrorRequestHandler);
  return app;
}

/**
 * Listens on loopback, tells the runner the port, and exits cleanly (so `--cpu-prof` writes its profile) on `stop`.
 * `app`: an Express app, or the Node request listener of another framework (Hono's `getRequestListener`).
 */
export async function serve(app: Express | RequestListener, onClose: () => Promise<void> | void = () => {}): Promise<void> {
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.keepAliveTimeout = 60_000;
  const { port } = server.address() as AddressInfo;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
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
