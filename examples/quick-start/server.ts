import { bearerJwt, createSessionGuard } from 'genauth-session-guard';
import { buildApp } from './app.js';

const appId = process.env.GENAUTH_APP_ID!; // unset, a TypeError below stops the boot
// One guard per process. accessKeyId, accessKeySecret and host default to GENAUTH_ACCESS_KEY_ID,
// GENAUTH_ACCESS_KEY_SECRET and GENAUTH_HOST.
const guard = createSessionGuard({
  identity: bearerJwt({ issuer: process.env.GENAUTH_ISSUER!, audience: appId }), // issuer: https://<app domain>/oidc
});
buildApp(guard, appId).listen(Number(process.env.PORT ?? 3000));
