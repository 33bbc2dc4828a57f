import Router from '@koa/router';
import Koa, { type DefaultState } from 'koa';
import { bearerJwt, createSessionGuard } from 'genauth-session-guard';
import { requireActiveSession, type SessionState } from 'genauth-session-guard/koa';

const appId = process.env.GENAUTH_APP_ID!;
const guard = createSessionGuard({ identity: bearerJwt({ issuer: process.env.GENAUTH_ISSUER!, audience: appId }) });

// Typed state: without <DefaultState & SessionState>, routes behind router.use(...) see ctx.state.auth as any.
const admin = new Router<DefaultState & SessionState>({ prefix: '/admin' });
admin.use(requireActiveSession(appId, { guard }));
admin.get('/me', (ctx) => {
  ctx.body = { userId: ctx.state.auth.userId };
});
new Koa().use(admin.routes()).listen(Number(process.env.PORT ?? 3000));
