import Fastify, { type FastifyInstance } from 'fastify';
import { requireActiveSession, sessionGuard, type SessionGuard } from 'genauth-session-guard/fastify';

export async function buildApp(guard: SessionGuard, appId: string): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(sessionGuard, { guard }); // decorates request.auth (null) and app.sessionGuard
  await app.register(async (admin) => {
    admin.addHook('onRequest', requireActiveSession(appId)); // 401 or 503 unless GenAuth confirms a live session
    admin.get('/me', async (request) => ({ userId: request.auth!.userId }));
  }, { prefix: '/admin' });
  app.get('/reports', { onRequest: requireActiveSession(appId, { roles: ['auditor'] }) }, async () => ({ reports: [] }));
  app.get('/health', async () => ({ ok: true })); // outside the guarded context: open
  return app;
}
