import { bearerJwt } from '../extractors/bearer-jwt';
import { createSessionGuard, type SessionGuard } from './session-guard';

let processGuard: SessionGuard | undefined;

const REQUIRED = ['GENAUTH_ACCESS_KEY_ID', 'GENAUTH_ACCESS_KEY_SECRET', 'GENAUTH_ISSUER'] as const;

/**
 * The process-wide guard used by `requireActiveSession(appId)` with no options: built once from the environment,
 * identity a bearer JWT from `GENAUTH_ISSUER` (keys by OIDC discovery) whose audience must be the route's app id.
 * Throws a `TypeError` naming the first missing variable.
 */
export function defaultGuard(env: Record<string, string | undefined> = process.env): SessionGuard {
  if (processGuard) return processGuard;
  for (const name of REQUIRED) {
    if (!env[name]) {
      throw new TypeError(`genauth-session-guard: requireActiveSession(appId) without options reads the environment, and ${name} is not set. Set it, or pass { guard } or guard options.`);
    }
  }
  processGuard = createSessionGuard({
    env,
    identity: bearerJwt({ issuer: env.GENAUTH_ISSUER, audience: (context) => context.appId }),
  });
  return processGuard;
}

/** Closes and forgets the process-wide guard (tests, graceful shutdown). */
export async function closeDefaultGuard(): Promise<void> {
  const guard = processGuard;
  processGuard = undefined;
  await guard?.close();
}
