/**
 * Type-level checks (compiled by `tsc -p tsconfig.json`, never run): with `genauth-session-guard/fastify` imported,
 * `request.auth` is `SessionAuth | null` and `app.sessionGuard` a `SessionGuard` (declaration merging); the hook fits
 * `onRequest`, `preValidation` and `preHandler` (route options and `addHook`), typed routes included; `onReject`
 * gets Fastify's request and reply; unknown options do not type-check. Each `@ts-expect-error` fails the
 * type-check if its line stops being an error, i.e. if a type widened to `any`.
 */
import Fastify from 'fastify';
import {
  createSessionGuard,
  getSessionAuth,
  header,
  requireActiveSession,
  sessionGuard,
  type SessionAuth,
  type SessionGuard,
} from '../../src/fastify';

const guard = createSessionGuard({ identity: header('x-user-id') });
const app = Fastify();

export async function build(): Promise<void> {
  await app.register(sessionGuard, { guard });
  // @ts-expect-error the plugin takes `guard`
  await app.register(sessionGuard, { gaurd: guard });
  const decorated: SessionGuard = app.sessionGuard;
  void decorated;

  app.get('/admin', { onRequest: requireActiveSession('app-1') }, async (request) => {
    const auth: SessionAuth | null = request.auth;
    // @ts-expect-error auth may be null on a route no hook guards: narrow it first
    const userId: string = request.auth.userId;
    // @ts-expect-error auth is a SessionAuth, not a number
    const wrong: number | null = request.auth;
    const helper: SessionAuth | null = getSessionAuth(request);
    return { auth, userId, wrong, helper };
  });

  // A typed route: the hook fits its request type too; a function appId reads the request.
  app.get<{ Params: { appId: string }; Querystring: { q: string } }>(
    '/apps/:appId',
    { preHandler: requireActiveSession((request) => (request.params as { appId: string }).appId, { roles: ['admin'] }) },
    async (request) => request.auth?.userId ?? request.query.q,
  );
  app.post('/body', { preValidation: [requireActiveSession('app-1', { guard, scopes: ['write'] })] }, async () => 'ok');

  await app.register(async (child) => {
    child.addHook('onRequest', requireActiveSession('app-1'));
    child.addHook('preHandler', requireActiveSession('app-1', {
      onReject: (error, request, reply) => reply.code(error.status).send({ error: error.code, url: request.url }),
    }));
  });

  // @ts-expect-error `role` is not a route option (`roles` is)
  requireActiveSession('app-1', { role: ['admin'] });
  // @ts-expect-error `role` is not a route option beside `guard` either
  requireActiveSession('app-1', { guard, role: ['admin'] });
  // @ts-expect-error a guard option does not go beside `guard`
  requireActiveSession('app-1', { guard, timeoutMs: 100 });
  // @ts-expect-error onReject receives Fastify's reply, not Express's response
  requireActiveSession('app-1', { onReject: (_error, _request, reply: { json(body: unknown): void }) => reply.json({}) });
}
