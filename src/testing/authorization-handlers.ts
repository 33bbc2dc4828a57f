import { DEFAULT_NAMESPACE } from './authorization';
import { failure, success, type Reply } from './envelope';
import type { HandlerContext } from './handlers';

type Body = Record<string, unknown> | undefined;

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `options.userIdType`, when sent, must be `user_id`: the only id type the fake knows. */
function userIdTypeRefusal(options: unknown): Reply | undefined {
  if (options === undefined) return undefined;
  const idType = isRecord(options) ? options.userIdType : null;
  return idType === undefined || idType === 'user_id' ? undefined : failure(400, 'only options.userIdType "user_id" is supported');
}

/**
 * `POST /api/v3/has-any-role` (already authenticated): `{ roles: [{ code, namespace? }], userId, options? }` ->
 * `data.hasAnyRole`. A role without a namespace is looked up in the default namespace.
 */
export function handleHasAnyRole(body: Body, ctx: HandlerContext): Reply {
  const userId = body?.userId;
  const roles = body?.roles;
  if (!nonEmptyString(userId)) return failure(400, 'userId must be a non-empty string');
  if (!Array.isArray(roles) || roles.length === 0) return failure(400, 'roles must be a non-empty array');
  for (const role of roles) {
    if (!isRecord(role) || !nonEmptyString(role.code) || (role.namespace !== undefined && !nonEmptyString(role.namespace))) {
      return failure(400, 'every role must be { code, namespace? } with non-empty strings');
    }
  }
  const refusal = userIdTypeRefusal(body?.options);
  if (refusal) return refusal;
  if (!ctx.sessions.hasUser(userId)) return failure(404, 'user not found', 2004);
  const hasAnyRole = (roles as Array<{ code: string; namespace?: string }>)
    .some((role) => ctx.authorization.hasRole(userId, role.code, role.namespace ?? DEFAULT_NAMESPACE));
  return success({ hasAnyRole });
}

/**
 * `POST /api/v3/check-permission` (already authenticated): `{ resources, action, userId, namespaceCode }` ->
 * `data.checkResultList`, one `{ namespaceCode, action, resource, enabled }` per resource, in the order asked.
 */
export function handleCheckPermission(body: Body, ctx: HandlerContext): Reply {
  const userId = body?.userId;
  const resources = body?.resources;
  const action = body?.action;
  const namespaceCode = body?.namespaceCode;
  if (!nonEmptyString(userId) || !nonEmptyString(action) || !nonEmptyString(namespaceCode)) {
    return failure(400, 'userId, action and namespaceCode must be non-empty strings');
  }
  if (!Array.isArray(resources) || resources.length === 0 || !resources.every(nonEmptyString)) {
    return failure(400, 'resources must be a non-empty array of non-empty strings');
  }
  if (!ctx.sessions.hasUser(userId)) return failure(404, 'user not found', 2004);
  const checkResultList = (resources as string[]).map((resource) => ({
    namespaceCode,
    action,
    resource,
    enabled: ctx.authorization.isAllowed(userId, namespaceCode, action, resource),
  }));
  return success({ checkResultList });
}
