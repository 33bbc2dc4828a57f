/**
 * Escapes one key component so that components can be joined with `:` and wrapped in `{...}` without ambiguity:
 * letters, digits and `.`, `_`, `-`, `@`, `/` stay as they are; every other UTF-16 unit becomes `%` and 4 hex digits
 * (fixed width, `%` itself included), so distinct strings give distinct keys (lone surrogates too).
 */
export function escapeKeyPart(value: string): string {
  return value.replace(/[^A-Za-z0-9._@/-]/g, (unit) => `%${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The Redis keys of one user in one (host, user pool). */
export interface UserKeys {
  /** A string: the answer for `appId` (JSON `{"a":0|1,"c":checkedAt,"e":expiresAt}`), with the answer's TTL. */
  answer(appId: string): string;
  /** A string: the lock of a lookup for `appId` under way (a random lookup id), with a short TTL. */
  lock(appId: string): string;
  /** A set: the answer keys of this user, so that an invalidation of every app finds them without a SCAN. */
  answers: string;
  /** A counter: invalidations of this user; a write whose read saw another value is dropped. */
  generation: string;
  /** A string: the authorization answer for (`appId`, canonical `policy`), same format (`a`: allowed). */
  authorization(appId: string, policy: string): string;
  /** A string: the lock of an authorization lookup under way. */
  authorizationLock(appId: string, policy: string): string;
  /** A set: the authorization answer keys of this user (of every authorization epoch). */
  authorizations: string;
}

/**
 * Keys are `<prefix>:{<host>:<accessKeyId>:<userId>}:<kind>[:<appId>]`, each part escaped. The braces are a Redis
 * Cluster hash tag: every key of one user lands in one slot, as the scripts need.
 */
export function userKeys(prefix: string, host: string, accessKeyId: string, userId: string, epoch = 0, authorizationEpoch = 0): UserKeys {
  // After `invalidateAll` (epoch n > 0) every key moves to `...}:e<n>:<kind>`: the old ones are left to expire.
  const base = `${prefix}:{${escapeKeyPart(host)}:${escapeKeyPart(accessKeyId)}:${escapeKeyPart(userId)}}${epoch > 0 ? `:e${epoch}` : ''}`;
  // After `invalidateAuthorization()` (authorization epoch m > 0) authorization answers move to `...:authz:z<m>:...`.
  const authz = `${base}:authz${authorizationEpoch > 0 ? `:z${authorizationEpoch}` : ''}`;
  const slot = (appId: string, policy: string) => `${escapeKeyPart(appId)}:${escapeKeyPart(policy)}`;
  return {
    answer: (appId) => `${base}:answer:${escapeKeyPart(appId)}`,
    lock: (appId) => `${base}:lock:${escapeKeyPart(appId)}`,
    answers: `${base}:answers`,
    generation: `${base}:generation`,
    authorization: (appId, policy) => `${authz}:answer:${slot(appId, policy)}`,
    authorizationLock: (appId, policy) => `${authz}:lock:${slot(appId, policy)}`,
    authorizations: `${base}:authz-answers`,
  };
}

/**
 * A counter: the `invalidateAll` calls of one (host, user pool), the epoch that every user key carries. A key of its
 * own (its own Cluster slot), read once per connection and raised by the `invalidate all` message.
 */
export function epochKey(prefix: string, host: string, accessKeyId: string): string {
  return `${prefix}:epoch:${escapeKeyPart(host)}:${escapeKeyPart(accessKeyId)}`;
}

/** A counter: the `invalidateAuthorization()` calls of one (host, user pool), the epoch of authorization keys. */
export function authorizationEpochKey(prefix: string, host: string, accessKeyId: string): string {
  return `${prefix}:epoch-authz:${escapeKeyPart(host)}:${escapeKeyPart(accessKeyId)}`;
}

/** The pub/sub channel of invalidations of one (host, user pool). */
export function invalidationChannel(prefix: string, host: string, accessKeyId: string): string {
  return `${prefix}:invalidate:${escapeKeyPart(host)}:${escapeKeyPart(accessKeyId)}`;
}
