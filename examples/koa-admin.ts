/**
 * A Koa admin API (with @koa/router) that only serves users holding a live session in your GenAuth application.
 *
 *   GENAUTH_ACCESS_KEY_ID=... GENAUTH_ACCESS_KEY_SECRET=... \
 *   GENAUTH_ISSUER=https://<app domain>/oidc GENAUTH_APP_ID=<app id> \
 *   npx tsx --tsconfig examples/tsconfig.json examples/koa-admin.ts
 *
 *   curl -i localhost:3000/admin/me -H "Authorization: Bearer $ACCESS_TOKEN"
 */
import Router from '@koa/router';
import Koa, { type DefaultState } from 'koa';
import { bearerJwt, createSessionGuard } from 'genauth-session-guard';
import { requireActiveSession, type SessionState } from 'genauth-session-guard/koa';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Set ${name}.`);
  return value;
}

const appId = env('GENAUTH_APP_ID');

// One guard per process: one management token, one cache, shared by every route.
// accessKeyId, accessKeySecret and host default to GENAUTH_ACCESS_KEY_ID, GENAUTH_ACCESS_KEY_SECRET, GENAUTH_HOST.
const guard = createSessionGuard({
  identity: bearerJwt({ issuer: env('GENAUTH_ISSUER'), audience: appId }),
});

// A router for the protected routes only, guarded as a whole. Its state type says what the guard adds: Koa's
// DefaultState is `any`-like, so without `<DefaultState & SessionState>` handlers would see `ctx.state.auth` as `any`.
const admin = new Router<DefaultState & SessionState>({ prefix: '/admin' });
admin.use(requireActiveSession(appId, { guard }));

admin.get('/me', (ctx) => {
  const { userId, session } = ctx.state.auth; // SessionAuth
  ctx.body = { userId, checkedAt: new Date(session.checkedAt).toISOString(), source: session.source };
});

admin.post('/users/:userId/sign-out', (ctx) => {
  // ... call GenAuth's kick-users for ctx.params.userId here ...
  ctx.body = { dropped: guard.invalidate(ctx.params.userId!) };
});

// One route guarded on its own: requireActiveSession's middleware type carries SessionState to the next handler.
const open = new Router();
open.get('/whoami', requireActiveSession(appId, { guard }), (ctx) => {
  ctx.body = { userId: ctx.state.auth.userId };
});

const app = new Koa();
app.use(admin.routes()).use(admin.allowedMethods());
app.use(open.routes()).use(open.allowedMethods());

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`admin API on http://localhost:${process.env.PORT ?? 3000}/admin/me`);
});

process.once('SIGTERM', () => {
  server.close();
  void guard.close();
});
