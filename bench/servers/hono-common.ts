/**
 * The Hono servers' app: `GET /admin` behind `protect`, answering `{"ok":true}` as the Express servers do, served by
 * `@hono/node-server` (which passes Node's request as `c.env.incoming`).
 */
import { getRequestListener } from '@hono/node-server';
import { Hono, type MiddlewareHandler } from 'hono';
import type { RequestListener } from 'node:http';

export function buildHonoApp(protect: MiddlewareHandler<any>): Hono<any> {
  const app = new Hono();
  app.get('/admin', protect, (c) => c.json({ ok: true }));
  return app;
}

/** `@hono/node-server`'s listener. `web`: without `c.env` (as `app.request()`, Bun and Deno), so the guard reads `c.req.raw`. */
export function honoListener(app: Hono<any>, { web = false } = {}): RequestListener {
  return getRequestListener(web ? (request) => app.fetch(request) : app.fetch);
}
