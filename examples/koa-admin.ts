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
import Koa from 'koa';
import { bearerJwt, createSessionGuard } from 'genauth-session-guard';
import { requireActiveSession } from 'genauth-session-guard/koa';

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

const router = new Router({ prefix: '/admin' });
const activeSession = requireActiveSession(appId, { guard });

// ctx.state.auth is typed: the middleware is a Middleware<DefaultState & SessionState>.
router.get('/me', activeSession, (ctx) => {
  const { userId, session } = ctx.state.auth;
  ctx.body = { userId, checkedAt: new Date(session.checkedAt).toISOString(), source: session.source };
});

router.post('/users/:userId/sign-out', activeSession, (ctx) => {
  // ... call GenAuth's kick-users for ctx.params.userId here ...
  ctx.body = { dropped: guard.invalidate(ctx.params.userId!) };
});

const app = new Koa();
app.use(router.routes()).use(router.allowedMethods());

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`admin API on http://localhost:${process.env.PORT ?? 3000}/admin/me`);
});

process.once('SIGTERM', () => {
  server.close();
  void guard.close();
});
