import { Hono } from 'hono';
import { genauthWebhook, requireActiveSession, type SessionGuard, type SessionVariables } from 'genauth-session-guard/hono';

export function buildApp(guard: SessionGuard, appId: string, webhookSecret: string): Hono<{ Variables: SessionVariables }> {
  const app = new Hono<{ Variables: SessionVariables }>();
  app.post('/hooks/genauth', genauthWebhook({ guard, secret: webhookSecret })); // a kick reaches the cache at once
  app.use('/admin/*', requireActiveSession(appId, { guard })); // 401, 403 or 503 unless GenAuth confirms the session
  app.get('/admin/me', (c) => c.json({ userId: c.var.auth.userId }));
  return app;
}
