import { DEFAULT_MAX_USER_ID_LENGTH, isAcceptableUserId } from '../core/user-id';

/** A GenAuth webhook delivery's payload: `{"eventName": "<event>", "data": {...}}`. */
export interface GenAuthWebhookEvent {
  eventName: string;
  data?: unknown;
}

/**
 * What the guard does about one event:
 * - `invalidate`: drop the cached answers of `users` (in `appId` only, when given);
 * - `invalidate-all`: drop every cached answer (an event that ends sessions, whose users could not be made out);
 * - `authorization`: drop authorization answers of `users`, or of everyone when `users` is undefined;
 * - `ignore`: nothing (a `test` delivery, an event that changes no session, an unknown event).
 */
export type WebhookPlan =
  | { action: 'invalidate'; users: string[]; appId?: string }
  | { action: 'invalidate-all' }
  | { action: 'authorization'; users: string[] | undefined }
  | { action: 'ignore' };

/** Events after which a cached "active" must not serve: the user's sessions ended or may have. */
const ENDING_EVENTS = new Set(['user:blocked', 'user:archived', 'user:deleted', 'user:password-changed', 'user:updated']);
/** Events after which a cached "inactive" must not keep the user out. */
const STARTING_EVENTS = new Set(['login', 'user:unblocked', 'user:unarchived']);

/** Most users taken from one event; an event naming more is treated as naming users that cannot be made out. */
const MAX_USERS_PER_EVENT = 10_000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A user as a string, or an object with `userId`, `id` or `_id` (the docs do not pin the field down). */
export function userIdOf(value: unknown): string | undefined {
  const candidate = isObject(value) ? value.userId ?? value.id ?? value._id : value;
  return isAcceptableUserId(candidate, DEFAULT_MAX_USER_ID_LENGTH) ? candidate : undefined;
}

/** An application as a string, or an object with `id` or `appId`. */
export function appIdOf(value: unknown): string | undefined {
  const candidate = isObject(value) ? value.id ?? value.appId : value;
  return typeof candidate === 'string' && candidate.trim() !== '' && candidate.length <= 256 ? candidate : undefined;
}

/**
 * The users an event names, from `data.users` (an array, or one user), `data.user` and `data.userId`; `undefined`
 * when it names none, or any entry cannot be read as a user (then no subset is trusted).
 */
function usersOf(data: Record<string, unknown>): string[] | undefined {
  const found: unknown[] = [];
  for (const field of ['users', 'user', 'userId'] as const) {
    const value = data[field];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) found.push(...value);
    else found.push(value);
  }
  if (found.length === 0 || found.length > MAX_USERS_PER_EVENT) return undefined;
  const users = new Set<string>();
  for (const entry of found) {
    const userId = userIdOf(entry);
    if (userId === undefined) return undefined;
    users.add(userId);
  }
  return [...users];
}

/** The users a `permission:*` event targets: `targetIdentifiers` when `targetType` is `USER`, else those of {@link usersOf}. */
function permissionTargets(data: Record<string, unknown>): string[] | undefined {
  const { targetType, targetIdentifiers } = data;
  if (targetType !== undefined && targetType !== null) {
    if (typeof targetType !== 'string' || targetType.toUpperCase() !== 'USER' || !Array.isArray(targetIdentifiers)) return undefined;
    return usersOf({ users: targetIdentifiers });
  }
  return usersOf(data);
}

/**
 * Maps one authenticated event to what the guard does (the table in docs/webhooks.md). Pure: no guard, no I/O.
 * `login` and the other events that start sessions may also carry the user as `data` itself.
 */
export function planWebhookEvent(event: GenAuthWebhookEvent): WebhookPlan {
  const { eventName } = event;
  const data = isObject(event.data) ? event.data : {};
  if (eventName === 'kick' || ENDING_EVENTS.has(eventName)) {
    const users = usersOf(data);
    if (!users) return { action: 'invalidate-all' };
    const appId = eventName === 'kick' && data.application !== undefined && data.application !== null ? appIdOf(data.application) : undefined;
    // A kick for an application that cannot be read is a kick in every application: dropping more is safe.
    return appId === undefined ? { action: 'invalidate', users } : { action: 'invalidate', users, appId };
  }
  if (STARTING_EVENTS.has(eventName)) {
    const users = usersOf(data) ?? (userIdOf(data) === undefined ? undefined : [userIdOf(data)!]);
    return users ? { action: 'invalidate', users } : { action: 'ignore' };
  }
  if (eventName.startsWith('permission:')) return { action: 'authorization', users: permissionTargets(data) };
  if (eventName.startsWith('role:')) return { action: 'authorization', users: usersOf(data) };
  return { action: 'ignore' };
}

/** Reads a payload as an event: `eventName` must be a non-empty string. */
export function toWebhookEvent(payload: Record<string, unknown>): GenAuthWebhookEvent | undefined {
  const { eventName, data } = payload;
  if (typeof eventName !== 'string' || eventName === '' || eventName.length > 200) return undefined;
  // A form delivery with flat fields only (no `data`): the fields beside eventName are the data.
  if (data === undefined) {
    const { eventName: _name, ...rest } = payload;
    return { eventName, data: rest };
  }
  return { eventName, data };
}
