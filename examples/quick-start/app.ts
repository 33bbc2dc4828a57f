import express from 'express';
import { requireActiveSession, type SessionGuard } from 'genauth-session-guard';

export function buildApp(guard: SessionGuard, appId: string): express.Express {
  const app = express();
  app.use('/admin', requireActiveSession(appId, { guard })); // 401 or 503 unless GenAuth confirms a live session
  app.get('/admin/me', (req, res) => res.json({ userId: req.auth!.userId }));
  return app;
}
