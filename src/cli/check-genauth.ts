import { GenAuthClient } from '../client/genauth-client';
import { failureReason } from '../core/failure-reason';
import type { StepOutcome } from './doctor-report';

/** A client as the guard builds it, but with one attempt per call and no breaker: each failure shows as it is. */
export function createDoctorClient(settings: {
  host: string;
  accessKeyId: string;
  accessKeySecret: string;
  auth: 'token' | 'signature';
  timeoutMs: number;
}): GenAuthClient {
  return new GenAuthClient({
    ...settings,
    retries: 0,
    clock: Date.now,
    maxResponseBytes: 65_536,
    circuitBreaker: false,
    maxInFlight: 1,
    maxQueued: 1,
  });
}

/** Whether GenAuth accepts the access key, under the scheme the guard will use. */
export async function checkCredentials(client: GenAuthClient, auth: 'token' | 'signature', appId: string | undefined): Promise<StepOutcome> {
  try {
    await client.verifyCredentials(appId === undefined ? undefined : { appId, userId: 'genauth-session-guard-doctor' });
  } catch (error) {
    return { status: 'fail', detail: failureReason(error) ?? 'GenAuth could not be asked' };
  }
  return {
    status: 'pass',
    detail: auth === 'token'
      ? 'GenAuth issued a management token for this access key (token scheme)'
      : 'GenAuth accepted a signed call (signature scheme)',
  };
}

/** Whether `userId` holds a live session in `appId`: the very call the guard makes. */
export async function checkSession(client: GenAuthClient, appId: string, userId: string): Promise<StepOutcome> {
  let active: boolean;
  try {
    active = await client.checkSessionStatus(appId, userId);
  } catch (error) {
    return { status: 'fail', detail: `${failureReason(error) ?? 'GenAuth could not be asked'}; the guard would answer 503` };
  }
  return active
    ? { status: 'pass', detail: `user ${JSON.stringify(userId)} holds a live session in app ${JSON.stringify(appId)}` }
    : {
        status: 'fail',
        detail: `GenAuth says user ${JSON.stringify(userId)} holds no live session in app ${JSON.stringify(appId)} ` +
          '(signed out, kicked, or not a user of this pool): the guard would answer 401 session_inactive',
      };
}
