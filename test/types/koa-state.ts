/**
 * Type-level checks (compiled by `tsc -p tsconfig.json`, never run): the Koa patterns the README and
 * examples/koa-admin.ts show keep `ctx.state.auth` typed as `SessionAuth`, not `any`. Each `@ts-expect-error` fails
 * the type-check if the line stops being an error, i.e. if `auth` turned into `any`.
 */
import Router from '@koa/router';
import Koa, { type DefaultState } from 'koa';
import { bearerJwt, createSessionGuard } from '../../src/index';
import { requireActiveSession, type SessionState } from '../../src/koa';

const guard = createSessionGuard({ identity: bearerJwt({ issuer: 'https://example.genauth.ai/oidc', audience: 'app-1' }) });

// A router guarded as a whole, typed with the state the guard adds.
const admin = new Router<DefaultState & SessionState>({ prefix: '/admin' });
admin.use(requireActiveSession('app-1', { guard }));
admin.get('/me', (ctx) => {
  const userId: string = ctx.state.auth.userId;
  // @ts-expect-error auth is a SessionAuth, not a number
  const wrong: number = ctx.state.auth.userId;
  void userId;
  void wrong;
});

// One route: the middleware's own type reaches the handler after it.
const open = new Router();
open.get('/whoami', requireActiveSession('app-1', { guard }), (ctx) => {
  // @ts-expect-error auth is a SessionAuth, not a number
  const wrong: number = ctx.state.auth;
  void wrong;
});

// Chained app.use on a Koa app typed the same way.
const app = new Koa<DefaultState & SessionState>();
app.use(requireActiveSession('app-1', { guard })).use((ctx) => {
  // @ts-expect-error auth is a SessionAuth, not a number
  const wrong: number = ctx.state.auth;
  void wrong;
});
app.use(admin.routes()).use(open.routes());

// Chained app.use on a plain Koa app: each use() adds the middleware's state.
new Koa().use(requireActiveSession('app-1', { guard })).use((ctx) => {
  // @ts-expect-error auth is a SessionAuth, not a number
  const wrong: number = ctx.state.auth;
  void wrong;
});
