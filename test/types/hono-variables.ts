/**
 * Type-level checks (compiled by `tsc -p tsconfig.json`, never run): `c.var.auth` is a `SessionAuth` after the Hono
 * guard, with `new Hono<{ Variables: SessionVariables }>()` and also on an untyped app (the middleware's own env
 * reaches the handler after it); options reject unknown keys; `onReject` must answer a `Response`. Each
 * `@ts-expect-error` fails the type-check if its line stops being an error.
 */
import { Hono } from 'hono';
import { createSessionGuard, header } from '../../src/index';
import { getSessionAuth, requireActiveSession, type SessionAuth, type SessionVariables } from '../../src/hono';
import { authenticateRequest } from '../../src/web';

const guard = createSessionGuard({ identity: header('x-user-id') });

const typed = new Hono<{ Variables: SessionVariables }>();
typed.use('/admin/*', requireActiveSession('app-1', { guard }));
typed.get('/admin/me', (c) => {
  const auth: SessionAuth = c.var.auth;
  const same: SessionAuth = c.get('auth');
  // @ts-expect-error auth is a SessionAuth, not a number
  const wrong: number = c.var.auth;
  const found: SessionAuth | undefined = getSessionAuth(c);
  void [auth, same, wrong, found];
  return c.json({ userId: auth.userId });
});

// An untyped app: the type comes from the middleware on the route.
new Hono().get('/admin', requireActiveSession('app-1', { guard, roles: ['admin'] }), (c) => {
  // @ts-expect-error auth is a SessionAuth, not a number
  const wrong: number = c.var.auth.userId;
  void wrong;
  return c.text(c.var.auth.userId);
});

// @ts-expect-error `role` is not a route option (`roles` is)
requireActiveSession('app-1', { guard, role: ['admin'] });
// @ts-expect-error a guard option beside `guard` would not apply to it
requireActiveSession('app-1', { guard, cache: { ttlMs: 1 } });
// @ts-expect-error onReject answers a Response
requireActiveSession('app-1', { guard, onReject: () => 'refused' });
requireActiveSession((c) => c.req.param('app') ?? '', { guard, onReject: (error, c) => c.json({ code: error.code }, 401) });

export async function handler(request: Request): Promise<Response> {
  // @ts-expect-error `role` is not an option of authenticateRequest
  await authenticateRequest(request, 'app-1', { guard, role: ['admin'] });
  const { auth, response } = await authenticateRequest(request, 'app-1', { guard, scopes: ['read'] });
  if (response) return response;
  return Response.json({ userId: auth.userId });
}
