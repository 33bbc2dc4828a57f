/**
 * A custom identity extractor: machine clients send `X-Api-Key`, people send a GenAuth bearer token. Each API
 * key belongs to a GenAuth user, so a key only works while its owner holds a live session in the app.
 *
 *   GENAUTH_ACCESS_KEY_ID=... GENAUTH_ACCESS_KEY_SECRET=... \
 *   GENAUTH_ISSUER=https://<app domain>/oidc GENAUTH_APP_ID=<app id> \
 *   npx tsx --tsconfig examples/tsconfig.json examples/custom-extractor.ts
 *
 *   curl -i localhost:3000/admin/reports -H "X-Api-Key: $API_KEY"
 *   curl -i localhost:3000/admin/reports -H "Authorization: Bearer $ACCESS_TOKEN"
 */
import { createHash } from 'node:crypto';
import express from 'express';
import {
  bearerJwt,
  createSessionGuard,
  firstOf,
  InvalidTokenError,
  requireActiveSession,
  type IdentityExtractor,
} from 'genauth-session-guard';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Set ${name}.`);
  return value;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

// Stands in for your database: sha256(API key) -> GenAuth user id. Only hashes are stored.
const apiKeys = new Map<string, string>([[sha256('demo-key-for-reporting-bot'), 'reporting-bot-user-id']]);
async function findKeyOwner(keyHash: string): Promise<string | undefined> {
  return apiKeys.get(keyHash);
}

/**
 * `undefined` when the header is absent (firstOf then tries the next extractor); an `InvalidTokenError` (401
 * invalid_token) when a key is sent but unknown: a bad credential is a refusal, never a fall-through.
 */
const apiKey: IdentityExtractor = async (req) => {
  const key = req.headers['x-api-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key === '') throw new InvalidTokenError('The API key is not valid.');
  const userId = await findKeyOwner(sha256(key));
  if (!userId) throw new InvalidTokenError('The API key is not valid.'); // never echo the key
  return { userId, claims: { via: 'api-key' } };
};

const appId = env('GENAUTH_APP_ID');
const guard = createSessionGuard({
  identity: firstOf(apiKey, bearerJwt({ issuer: env('GENAUTH_ISSUER'), audience: appId })),
});

const app = express();
app.get('/admin/reports', requireActiveSession(appId, { guard }), (req, res) => {
  res.json({ userId: req.auth!.userId, via: req.auth!.claims?.via ?? 'bearer', reports: [] });
});

app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`reports API on http://localhost:${process.env.PORT ?? 3000}/admin/reports`);
});
