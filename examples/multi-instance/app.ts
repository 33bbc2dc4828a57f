/**
 * One replica of an admin app: `/admin` needs a live GenAuth session, and `POST /sessions/:userId/revoke` (an admin
 * action, after the user was kicked at GenAuth) makes every replica refuse that user at once. The replicas share
 * answers and invalidations through Redis. Started twice by `run.ts`; on its own:
 *
 *   REDIS_URL=redis://127.0.0.1:6379 GENAUTH_HOST=... GENAUTH_ACCESS_KEY_ID=... GENAUTH_ACCESS_KEY_SECRET=... \
 *   GENAUTH_ISSUER=... APP_ID=... PORT=3000 npx tsx examples/multi-instance/app.ts
 */
import express from 'express';
import { createClient } from 'redis';
import type { AddressInfo } from 'node:net';
import { bearerJwt, createSessionGuard, getSessionAuth, requireActiveSession } from '../../src/index';
import { redisStore } from '../../src/redis';

const appId = process.env.APP_ID ?? 'admin-app';
const name = process.env.REPLICA ?? `replica-${process.pid}`;

// The client's settings (URL, TLS, password) are reused; the store opens and closes connections of its own.
const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
const guard = createSessionGuard({
  // GENAUTH_HOST, GENAUTH_ACCESS_KEY_ID and GENAUTH_ACCESS_KEY_SECRET come from the environment.
  identity: bearerJwt({ issuer: process.env.GENAUTH_ISSUER!, audience: appId }),
  cache: { ttlMs: 30_000 }, // long on purpose: without the Redis tier a kick would be seen only 30 s later
  store: redisStore({ client }),
});

const app = express();
app.use(requireActiveSession(appId, { guard }));
app.get('/admin', (req, res) => {
  res.json({ replica: name, session: getSessionAuth(req)!.session });
});
app.post('/sessions/:userId/revoke', async (req, res) => {
  // Resolves once Redis dropped the answers and every replica was told (false: Redis unreachable, TTL applies).
  const everywhere = await guard.invalidateEverywhere(req.params.userId);
  res.json({ replica: name, everywhere });
});
app.get('/stats', (_req, res) => {
  res.json(guard.stats());
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`${name} listening on ${(server.address() as AddressInfo).port}`);
});

async function shutdown() {
  server.close();
  server.closeAllConnections();
  await guard.close();
  process.exit(0);
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
