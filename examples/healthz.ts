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
import { bearerJwt, createSessionGuard, GuardNotReadyError, requireActiveSession } from 'genauth-session-guard';

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

// Synchronous and cheap: no call to GenAuth. 503 while the session circuit is not closed, the shared store is
// down, GenAuth refuses the credentials, or the last ready() failed; the body says which. It heals by itself (the
// guard probes GenAuth when no request comes), so a pod taken out of rotation comes back.
app.get('/healthz', (_req, res) => {
  const health = guard.health();
  res.status(health.ok ? 200 : 503).json(health);
});

/** Waits for the guard: retries what may pass by itself, gives up on a configuration mistake. */
async function whenReady(): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      // The management token, the app id and the issuer's signing keys, checked now: a wrong secret, an unknown app
      // id or an issuer without discovery stops the boot here, with the cause, instead of answering 503s.
      return await guard.ready({ appIds: [appId] });
    } catch (error) {
      const retry = error instanceof GuardNotReadyError && (error.reason === 'unreachable' || error.reason === 'keys');
      console.error((error as Error).message); // names the cause, never the secret
      if (!retry || attempt === 5) process.exit(1);
      await new Promise((resolve) => setTimeout(resolve, 2_000 * attempt));
    }
  }
}

async function main(): Promise<void> {
  await whenReady();
  const port = Number(process.env.PORT ?? 3000);
  const server = app.listen(port, () => console.log(`ready on http://localhost:${port} (GET /healthz)`));
  process.once('SIGTERM', () => {
    server.close();
    void guard.close();
  });
}

void main();
