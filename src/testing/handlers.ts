import { failure, success, type Reply } from './envelope';
import type { ManagementTokens } from './management-tokens';
import { safeEqual } from './safe-equal';
import type { AuthorizationStore } from './authorization';
import type { SessionStore } from './sessions';
import type { FakeGenAuthCalls } from './types';

/** What the management endpoint handlers need. */
export interface HandlerContext {
  accessKeyId: string;
  accessKeySecret: string;
  sessions: SessionStore;
  /** Roles and permission grants (has-any-role, check-permission). */
  authorization: AuthorizationStore;
  tokens: ManagementTokens;
  calls: FakeGenAuthCalls;
}

type Body = Record<string, unknown> | undefined;

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** `POST /api/v3/get-management-token`. */
export async function handleGetManagementToken(body: Body, ctx: HandlerContext): Promise<Reply> {
  const id = body?.accessKeyId;
  const secret = body?.accessKeySecret;
  if (!nonEmptyString(id) || !nonEmptyString(secret)) {
    return failure(400, 'accessKeyId and accessKeySecret must be non-empty strings');
  }
  // Both compared, always, in constant time.
  const idOk = safeEqual(id, ctx.accessKeyId);
  const secretOk = safeEqual(secret, ctx.accessKeySecret);
  if (!idOk || !secretOk) {
    ctx.calls.refused += 1;
    return failure(401, 'wrong accessKeyId or accessKeySecret', 2333);
  }
  return success(await ctx.tokens.issue(id));
}

/** `POST /api/v3/check-session-status` (already authenticated). */
export function handleCheckSessionStatus(body: Body, ctx: HandlerContext): Reply {
  const appId = body?.appId;
  const userId = body?.userId;
  if (!nonEmptyString(appId) || !nonEmptyString(userId)) {
    return failure(400, 'appId and userId must be non-empty strings');
  }
  if (!ctx.sessions.hasUser(userId)) return failure(404, 'user not found', 2004);
  return success({ active: ctx.sessions.isActive(userId, appId) });
}

/** `POST /api/v3/kick-users` (already authenticated). `appIds` omitted means every application. */
export function handleKickUsers(body: Body, ctx: HandlerContext): Reply {
  const userId = body?.userId;
  const appIds = body?.appIds;
  const options = body?.options;
  if (!nonEmptyString(userId)) return failure(400, 'userId must be a non-empty string');
  if (appIds !== undefined && !(Array.isArray(appIds) && appIds.every(nonEmptyString))) {
    return failure(400, 'appIds must be an array of non-empty strings');
  }
  if (options !== undefined) {
    const idType = typeof options === 'object' && options !== null ? (options as Record<string, unknown>).userIdType : null;
    if (idType !== undefined && idType !== 'user_id') return failure(400, 'only options.userIdType "user_id" is supported');
  }
  if (!ctx.sessions.hasUser(userId)) return failure(404, 'user not found', 2004);
  ctx.sessions.kick(userId, appIds as string[] | undefined);
  return success({ success: true });
}
