import type { GenAuthClient } from '../client/genauth-client';
import {
  AuthorizationCache,
  authorizationKey,
  type AuthorizationAnswer,
  type AuthorizationCacheConfig,
  type AuthorizationCacheCounters,
  type AuthorizationLookup,
} from './authorization-cache';
import type { ResolvedPolicy } from './authorization-policy';

/** The verdict of a policy's remote parts (roles, permissions) and where it came from. */
export interface AuthorizationVerdict {
  allowed: boolean;
  source: 'cache' | 'upstream';
  /** The answers it was made from: a decision that goes on waiting checks them again ({@link Authorizer.revoked}). */
  answers: AuthorizationAnswer[];
}

/**
 * Answers the remote parts of a policy (roles: has-any-role; permissions: check-permission) through the
 * authorization cache, the two calls in parallel. Scopes are local and checked by the guard.
 */
export class Authorizer {
  readonly #client: GenAuthClient;
  readonly #cache: AuthorizationCache;

  constructor(client: GenAuthClient, config: AuthorizationCacheConfig) {
    this.#client = client;
    this.#cache = new AuthorizationCache(config);
  }

  get counters(): Readonly<AuthorizationCacheCounters> {
    return this.#cache.counters;
  }

  get size(): number {
    return this.#cache.size;
  }

  /** Whether the policy asks GenAuth anything. */
  static isRemote(policy: ResolvedPolicy): boolean {
    return policy.roles !== undefined || policy.permissions !== undefined;
  }

  /**
   * The verdict from the cache alone, synchronously: `false` as soon as one cached part denies, `true` when every
   * part is cached and allows, `undefined` when a part must be asked.
   */
  cached(appId: string, userId: string, policy: ResolvedPolicy): boolean | undefined {
    // Hits are counted only for a verdict given here; otherwise `check` looks the parts up (and counts) again.
    const keys = this.#keys(appId, userId, policy);
    let missing = false;
    for (const key of keys) {
      const answer = this.#cache.cached(key, false);
      if (answer === false) {
        this.#cache.counters.hits++;
        return false;
      }
      if (answer === undefined) missing = true;
    }
    if (missing) return undefined;
    this.#cache.counters.hits += keys.length;
    return true;
  }

  /** The verdict, asking GenAuth for the parts not cached (in parallel). Rejects with an `UpstreamError`. */
  async check(appId: string, userId: string, policy: ResolvedPolicy, expiresAt: number | undefined): Promise<AuthorizationVerdict> {
    const lookups: Array<Promise<AuthorizationLookup>> = [];
    const { roles, permissions } = policy;
    if (roles) {
      lookups.push(this.#cache.lookup(appId, userId, roles.key, expiresAt,
        (signal) => this.#client.hasAnyRole(userId, roles.list, signal)));
    }
    if (permissions) {
      lookups.push(this.#cache.lookup(appId, userId, permissions.key, expiresAt,
        (signal) => this.#client.checkPermission(userId, permissions, signal)));
    }
    // Any failure rejects (503), even when another part denies: a 403 is only given on answers GenAuth gave.
    const verdicts = await Promise.all(lookups);
    return {
      allowed: verdicts.every((verdict) => verdict.allowed),
      source: verdicts.some((verdict) => verdict.source === 'upstream') ? 'upstream' : 'cache',
      answers: verdicts.map((verdict) => verdict.answer),
    };
  }

  /** Whether an invalidation revoked an answer of `verdict` since it was asked for (the parts come in one by one). */
  revoked(verdict: AuthorizationVerdict): boolean {
    return verdict.answers.some((answer) => this.#cache.revoked(answer));
  }

  /** Whether the cache still allows every part of the policy (as {@link cached} said `true`), counting no hit. */
  holds(appId: string, userId: string, policy: ResolvedPolicy): boolean {
    return this.#keys(appId, userId, policy).every((key) => this.#cache.cached(key, false) === true);
  }

  /** Drops the answers of `userId` (every app, every policy), or of everyone. */
  invalidate(userId?: string): number {
    return this.#cache.invalidate(userId);
  }

  clear(): void {
    this.#cache.clear();
  }

  #keys(appId: string, userId: string, policy: ResolvedPolicy): string[] {
    const keys: string[] = [];
    if (policy.roles) keys.push(authorizationKey(appId, userId, policy.roles.key));
    if (policy.permissions) keys.push(authorizationKey(appId, userId, policy.permissions.key));
    return keys;
  }
}
