import { bearerJwt, createSessionGuard } from 'genauth-session-guard/web';

// One guard per process (lib/guard.ts in a Next.js app): one cache, one management token.
export const appId = process.env.GENAUTH_APP_ID!;
export const guard = createSessionGuard({ identity: bearerJwt({ issuer: process.env.GENAUTH_ISSUER!, audience: appId }) });
