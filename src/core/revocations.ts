/**
 * Which answers an invalidation has revoked: the one rule that every cache of answers about users (session answers,
 * authorization answers, cache on or off) consults. The model and why it wins every race: docs/consistency.md.
 *
 * Every answer keeps two things taken when it was asked for: its user's {@link UserMarks} (an object, by reference)
 * and the clock of invalidations then (`asOf`, a counter). An invalidation of a user raises the counter and writes
 * the new value into that user's marks; an answer is revoked when its user's marks carry an invalidation later than
 * its `asOf` (or its marks were forgotten: `dead`). Checking costs a few property reads, invalidating one user a map
 * lookup and a write: neither depends on how many answers are cached.
 *
 * A user has marks only while something about them was asked for recently: marks are made when an answer is asked
 * for (`begin`), not when a user is invalidated. A user without marks has no answer anywhere that an invalidation
 * could reach but through the answer's own (dead) marks, so invalidating them is a no-op. Marks are kept for at most
 * `max` users, least recently asked about dropped first, never while a call about the user is under way (`begin` to
 * `end`: the map may then exceed `max` by the calls under way, which the client bounds); dropped marks are `dead`,
 * which revokes their answers (one more call to GenAuth for that user, never an answer served that should not be).
 */

/** One user's invalidations, and the cache keys that may hold answers about the user (to free them at once). */
export interface UserMarks {
  readonly userId: string;
  /** The latest invalidation of every session answer of the user (in every app). */
  sessions: number;
  /** The latest invalidation of the session answers in one app, by app id (most users never have one). */
  apps: Map<string, number> | undefined;
  /** The latest invalidation of the user's authorization answers. */
  authorization: number;
  /** Forgotten (more than `max` users asked about since): every answer holding these marks is revoked. */
  dead: boolean;
  /** Calls under way about the user: marks with one are never forgotten (churn must not revoke an answer on its way). */
  pending: number;
  /** Keys of the session cache and the authorization cache that may hold answers of the user (a few; pruned). */
  sessionKeys: string[] | undefined;
  authorizationKeys: string[] | undefined;
}

/** Most app-scoped invalidations kept per user; past it they become one invalidation of every app (more, never less). */
const MAX_APPS_PER_USER = 16;

/** Users whose marks are kept by default: a guard's users with answers cached, with room for churn. */
export const DEFAULT_MAX_MARKED_USERS = 200_000;

export class Revocations {
  /** The counter of invalidations: raised by each one, taken by each answer as `asOf`. */
  #latest = 0;
  /** Every session answer taken before this is revoked (`invalidateAll`). */
  #sessionFloor = 0;
  /** Every authorization answer taken before this is revoked (`invalidateAll`, `invalidateAuthorization()`). */
  #authorizationFloor = 0;
  /** Marks by user id; Map order is least recently asked about first. */
  readonly #users = new Map<string, UserMarks>();
  readonly #max: number;

  constructor(max = DEFAULT_MAX_MARKED_USERS) {
    this.#max = Math.max(1, max);
  }

  /** The `asOf` to keep with an answer asked for from now on (with {@link begin}'s marks). */
  get now(): number {
    return this.#latest;
  }

  /** Users with marks now. */
  get size(): number {
    return this.#users.size;
  }

  /**
   * The marks to keep with an answer about `userId` asked for from now on: made, or moved to the most recent place,
   * and held until {@link end} (call it once the answer is in, or the call failed).
   */
  begin(userId: string): UserMarks {
    const users = this.#users;
    let marks = users.get(userId);
    if (marks !== undefined) {
      users.delete(userId);
    } else {
      marks = { userId, sessions: 0, apps: undefined, authorization: 0, dead: false, pending: 0, sessionKeys: undefined, authorizationKeys: undefined };
      if (users.size >= this.#max) this.#forgetOldest();
    }
    users.set(userId, marks);
    marks.pending++;
    return marks;
  }

  /** The call that {@link begin} was taken for is over: the marks may be forgotten again. */
  end(marks: UserMarks): void {
    marks.pending--;
  }

  /** The user's marks when they have any (an answer was asked for and they were not forgotten since). */
  marksOf(userId: string): UserMarks | undefined {
    return this.#users.get(userId);
  }

  /** Revokes the session answers of `userId` taken so far (in `appId` only, when given). */
  invalidateSessions(userId: string, appId?: string): UserMarks | undefined {
    const marks = this.#users.get(userId);
    if (marks === undefined) return undefined;
    const epoch = ++this.#latest;
    if (appId === undefined) {
      marks.sessions = epoch;
      marks.apps = undefined;
    } else if (marks.apps === undefined) {
      marks.apps = new Map([[appId, epoch]]);
    } else if (marks.apps.size >= MAX_APPS_PER_USER && !marks.apps.has(appId)) {
      marks.sessions = epoch;
      marks.apps = undefined;
    } else {
      marks.apps.set(appId, epoch);
    }
    return marks;
  }

  /** Revokes the authorization answers of `userId` taken so far. */
  invalidateAuthorization(userId: string): UserMarks | undefined {
    const marks = this.#users.get(userId);
    if (marks === undefined) return undefined;
    marks.authorization = ++this.#latest;
    return marks;
  }

  /** Revokes every session answer taken so far. */
  invalidateAllSessions(): void {
    this.#sessionFloor = ++this.#latest;
  }

  /** Revokes every authorization answer taken so far. */
  invalidateAllAuthorization(): void {
    this.#authorizationFloor = ++this.#latest;
  }

  /** Whether a session answer in `appId` with `marks`, taken at `asOf`, was revoked since. The hot path. */
  sessionRevoked(marks: UserMarks, asOf: number, appId: string): boolean {
    if (marks.dead) return true;
    if (asOf >= this.#latest) return false;
    if (asOf < this.#sessionFloor || asOf < marks.sessions) return true;
    const apps = marks.apps;
    return apps !== undefined && asOf < (apps.get(appId) ?? 0);
  }

  /** Whether an authorization answer with `marks`, taken at `asOf`, was revoked since. */
  authorizationRevoked(marks: UserMarks, asOf: number): boolean {
    if (marks.dead) return true;
    if (asOf >= this.#latest) return false;
    return asOf < this.#authorizationFloor || asOf < marks.authorization;
  }

  /** Forgets the least recently asked-about user with no call under way (those go to the recent end; none: none). */
  #forgetOldest(): void {
    const users = this.#users;
    for (let tries = users.size; tries > 0; tries--) {
      const oldest = users.values().next().value!;
      users.delete(oldest.userId);
      if (oldest.pending > 0) {
        users.set(oldest.userId, oldest);
        continue;
      }
      oldest.dead = true;
      return;
    }
  }
}

/**
 * Adds `key` to a user's list of keys (no duplicates). A long list is pruned to the keys still held (`held`), so that
 * it stays as long as what the caches hold of the user, plus keys added since the last pruning.
 */
export function withKey(keys: string[] | undefined, key: string, held: (key: string) => boolean): string[] {
  if (keys === undefined) return [key];
  if (keys.includes(key)) return keys;
  // Pruned at 8, 16, 32, ... keys: amortised, and a list of keys all still held only grows as the caches hold them.
  if (keys.length >= 8 && (keys.length & (keys.length - 1)) === 0) {
    const kept = keys.filter(held);
    kept.push(key);
    return kept;
  }
  keys.push(key);
  return keys;
}
