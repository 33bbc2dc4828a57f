import { serve } from '@hono/node-server';
import { bearerJwt, createSessionGuard } from 'genauth-session-guard/hono';
import { buildApp } from './app.js';

const appId = process.env.GENAUTH_APP_ID!;
// One guard per process; accessKeyId, accessKeySecret and host default to the GENAUTH_* variables.
const guard = createSessionGuard({ identity: bearerJwt({ issuer: process.env.GENAUTH_ISSUER!, audience: appId }) });
const app = buildApp(guard, appId, process.env.GENAUTH_WEBHOOK_SECRET!);
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000) }); // Bun: export default app; Deno: Deno.serve(app.fetch)
