/**
 * Fail at boot, not on the first request: `guard.ready()` before `listen`, and a `/healthz` route for the
 * orchestrator's readiness probe.
 *
 *   GENAUTH_ACCESS_KEY_ID=... GENAUTH_ACCESS_KEY_SECRET=... \
 *   GENAUTH_ISSUER=https://<app domain>/oidc GENAUTH_APP_ID=<app id> \
 *   npx tsx --tsconfig examples/tsconfig.json examples/healthz.ts
 *
 *   curl -i localhost:3000/healthz
 */
import express from 'express';
import { bearerJwt, createSessionGuard, requireActiveSession } from 'genauth-session-guard';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Set ${name}.`);
  return value;
}

const appId = env('GENAUTH_APP_ID');
const guard = createSessionGuard({
  identity: bearerJwt({ issuer: env('GENAUTH_ISSUER'), audience: appId }),
});

const app = express();
app.use('/admin', requireActiveSession(appId, { guard }));
app.get('/admin/me', (req, res) => {
  res.json({ userId: req.auth!.userId });
});

// Synchronous and cheap: no call to GenAuth. 503 while the circuit is open, the shared store is down, or GenAuth
// refuses the credentials; the body says which.
app.get('/healthz', (_req, res) => {
  const health = guard.health();
  res.status(health.ok ? 200 : 503).json(health);
});

async function main(): Promise<void> {
  try {
    // The management token and the issuer's signing keys, fetched now: a wrong secret, an unreachable host or an
    // issuer without discovery stops the boot here, with the cause, instead of answering every request 503.
    await guard.ready();
  } catch (error) {
    console.error((error as Error).message); // a GuardNotReadyError: names the cause, never the secret
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 3000);
  const server = app.listen(port, () => console.log(`ready on http://localhost:${port} (GET /healthz)`));
  process.once('SIGTERM', () => {
    server.close();
    void guard.close();
  });
}

void main();
