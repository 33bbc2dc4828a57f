import { failure, success, type Reply } from './envelope';
import type { ManagementTokens } from './management-tokens';
import { safeEqual } from './safe-equal';
import type { AuthorizationStore } from './authorization';
import type { SessionStore } from './sessions';
import type { FakeGenAuthCalls } from './types';
import type { WebhookDeliveries } from './webhooks';

/** What the management endpoint handlers need. */
export interface HandlerContext {
  accessKeyId: string;
  accessKeySecret: string;
  sessions: SessionStore;
  /** Roles and permission grants (has-any-role, check-permission). */
  authorization: AuthorizationStore;
  tokens: ManagementTokens;
  calls: FakeGenAuthCalls;
  webhooks: WebhookDeliveries;
}

/** The `kick` event GenAuth posts: the users forced offline, and the application when the kick was for one. */
export function emitKick(webhooks: WebhookDeliveries, userId: string, appIds: readonly string[] | undefined): void {
  const users = [{ userId, id: userId }];
  if (appIds === undefined) webhooks.emit('kick', { users });
  else for (const appId of appIds) webhooks.emit('kick', { users, application: { id: appId, appId } });
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
  if (!ctx.sessions.hasApp(appId)) return failure(404, 'application not found', 2011);
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
  emitKick(ctx.webhooks, userId, appIds as string[] | undefined);
  return success({ success: true });
}

const CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded'];

/**
 * `POST /api/v3/create-webhook` (already authenticated): `{ name, url, events, contentType, enabled?, secret?,
 * retryConfig? }`. The fake does not retry failed deliveries (`retryConfig` is accepted and ignored).
 */
export function handleCreateWebhook(body: Body, ctx: HandlerContext): Reply {
  const { name, url, events, contentType, enabled, secret } = body ?? {};
  if (!nonEmptyString(name)) return failure(400, 'name must be a non-empty string');
  if (!nonEmptyString(url) || !/^https?:\/\//.test(url)) return failure(400, 'url must be an http(s) URL');
  if (!Array.isArray(events) || events.length === 0 || !events.every(nonEmptyString)) {
    return failure(400, 'events must be a non-empty array of event names');
  }
  if (typeof contentType !== 'string' || !CONTENT_TYPES.includes(contentType)) {
    return failure(400, 'contentType must be application/json or application/x-www-form-urlencoded');
  }
  if (enabled !== undefined && typeof enabled !== 'boolean') return failure(400, 'enabled must be a boolean');
  if (secret !== undefined && typeof secret !== 'string') return failure(400, 'secret must be a string');
  const webhook = ctx.webhooks.add({
    name,
    url,
    events: events as string[],
    contentType: contentType as 'application/json',
    enabled: enabled ?? true,
    secret: secret as string | undefined,
  });
  const { secret: _secret, ...shown } = webhook;
  return success(shown);
}
