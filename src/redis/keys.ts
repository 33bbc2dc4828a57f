/**
 * Escapes one key component so that components can be joined with `:` and wrapped in `{...}` without ambiguity:
 * letters, digits and `.`, `_`, `-`, `@`, `/` stay as they are; every other UTF-16 unit becomes `%` and 4 hex digits
 * (fixed width, `%` itself included), so distinct strings give distinct keys (lone surrogates too).
 */
export function escapeKeyPart(value: string): string {
  return value.replace(/[^A-Za-z0-9._@/-]/g, (unit) => `%${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The Redis keys of one user in one (host, user pool). No key carries an epoch: `invalidateAll` changes a token that
 * every answer embeds instead of moving keys (see the rules at the top of scripts.ts).
 */
export interface UserKeys {
  /**
   * A string: the session answer for `appId`, JSON `{"a":0|1,"c":checkedAt,"e":expiresAt,"g":generation,"t":token}`,
   * with the answer's TTL.
   */
  answer(appId: string): string;
  /** A string: the lock of a lookup for `appId` under way (a random lookup id), with a short TTL. */
  lock(appId: string): string;
  /** A set: the session answer keys of this user, so that an invalidation of every app finds them without a SCAN. */
  answers: string;
  /**
   * A hash: the user's generations, random nonces, one field each (see {@link generationFields}): `u` for the session
   * answers of every app, `a:<appId>` for the session answer of one app, `z` for the authorization answers. Each is
   * replaced by the invalidations that cover it; an answer serves only while the ones it embeds are current.
   */
  generation: string;
  /** A string: the authorization answer for (`appId`, canonical `policy`), same format (`a`: allowed). */
  authorization(appId: string, policy: string): string;
  /** A string: the lock of an authorization lookup under way. */
  authorizationLock(appId: string, policy: string): string;
  /** A set: the authorization answer keys of this user. */
  authorizations: string;
}

/**
 * Keys are `<prefix>:{<host>:<accessKeyId>:<userId>}:<kind>[:<appId>[:<policy>]]`, each part escaped. The braces are
 * a Redis Cluster hash tag: every key of one user lands in one slot, as the scripts need.
 */
export function userKeys(prefix: string, host: string, accessKeyId: string, userId: string): UserKeys {
  const base = `${prefix}:{${escapeKeyPart(host)}:${escapeKeyPart(accessKeyId)}:${escapeKeyPart(userId)}}`;
  const slot = (appId: string, policy: string) => `${escapeKeyPart(appId)}:${escapeKeyPart(policy)}`;
  return {
    answer: (appId) => `${base}:answer:${escapeKeyPart(appId)}`,
    lock: (appId) => `${base}:lock:${escapeKeyPart(appId)}`,
    answers: `${base}:answers`,
    generation: `${base}:gen`,
    authorization: (appId, policy) => `${base}:authz:answer:${slot(appId, policy)}`,
    authorizationLock: (appId, policy) => `${base}:authz:lock:${slot(appId, policy)}`,
    authorizations: `${base}:authz-answers`,
  };
}

/** The fields of the generation hash (`UserKeys.generation`) that an answer depends on. */
export const generationFields = {
  /** Session answers of every app. */
  user: 'u',
  /** The session answer of one app. */
  app: (appId: string) => `a:${escapeKeyPart(appId)}`,
  /** Authorization answers (of every app). */
  authorization: 'z',
} as const;

/**
 * A string: the `invalidateAll` token of one (host, user pool), a random string replaced by every `invalidateAll`
 * and created afresh when missing. Every answer embeds the token its writer held; a reader serves only answers with
 * its own. A key of its own (its own Cluster slot), read once per connection, adopted from `invalidate all` messages.
 */
export function epochKey(prefix: string, host: string, accessKeyId: string): string {
  return `${prefix}:epoch:${escapeKeyPart(host)}:${escapeKeyPart(accessKeyId)}`;
}

/** A string: the `invalidateAuthorization()` token of one (host, user pool), embedded in authorization answers. */
export function authorizationEpochKey(prefix: string, host: string, accessKeyId: string): string {
  return `${prefix}:epoch-authz:${escapeKeyPart(host)}:${escapeKeyPart(accessKeyId)}`;
}

/** The pub/sub channel of invalidations of one (host, user pool). */
export function invalidationChannel(prefix: string, host: string, accessKeyId: string): string {
  return `${prefix}:invalidate:${escapeKeyPart(host)}:${escapeKeyPart(accessKeyId)}`;
}
