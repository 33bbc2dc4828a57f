import { bearerJwt, createSessionGuard } from 'genauth-session-guard/fastify';
import { buildApp } from './app.js';

const appId = process.env.GENAUTH_APP_ID!;
const guard = createSessionGuard({ identity: bearerJwt({ issuer: process.env.GENAUTH_ISSUER!, audience: appId }) });
const app = await buildApp(guard, appId);
app.addHook('onClose', () => guard.close()); // the plugin does not close the guard
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '0.0.0.0' });
