import { bearerJwt, createSessionGuard } from 'genauth-session-guard';
import { buildApp } from './app';

const appId = process.env.GENAUTH_APP_ID!; // a missing value is a TypeError here, at boot
// One guard per process. accessKeyId, accessKeySecret and host default to GENAUTH_ACCESS_KEY_ID,
// GENAUTH_ACCESS_KEY_SECRET and GENAUTH_HOST.
const guard = createSessionGuard({
  identity: bearerJwt({ issuer: process.env.GENAUTH_ISSUER!, audience: appId }), // issuer: https://<app domain>/oidc
});
buildApp(guard, appId).listen(3000);
