/**
 * An Express admin API that only serves users holding a live session in your GenAuth application.
 *
 *   GENAUTH_ACCESS_KEY_ID=... GENAUTH_ACCESS_KEY_SECRET=... \
 *   GENAUTH_ISSUER=https://<app domain>/oidc GENAUTH_APP_ID=<app id> \
 *   npx tsx --tsconfig examples/tsconfig.json examples/express-admin.ts
 *
 *   curl -i localhost:3000/admin/me -H "Authorization: Bearer $ACCESS_TOKEN"
 */
import express from 'express';
import { bearerJwt, createSessionGuard, requireActiveSession } from 'genauth-session-guard';

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
  cache: { ttlMs: 5_000 }, // a kicked user keeps access for at most 5 s
});

const app = express();
app.use(express.json());
app.use('/admin', requireActiveSession(appId, { guard }));

app.get('/admin/me', (req, res) => {
  const { userId, session } = req.auth!;
  res.json({ userId, checkedAt: new Date(session.checkedAt).toISOString(), source: session.source });
});

// After your app ends a session itself (e.g. it called GenAuth's kick-users), drop the cached answer now
// instead of waiting for the TTL.
app.post('/admin/users/:userId/sign-out', (req, res) => {
  // ... call GenAuth's kick-users for req.params.userId here ...
  res.json({ dropped: guard.invalidate(req.params.userId) });
});

app.get('/admin/stats', (_req, res) => {
  res.json(guard.stats());
});

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`admin API on http://localhost:${process.env.PORT ?? 3000}/admin/me`);
});

process.once('SIGTERM', () => {
  server.close();
  void guard.close();
});
