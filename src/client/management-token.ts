import { decodeJwt } from 'jose';
import type { Clock } from '../core/types';
import { UpstreamError } from './upstream-error';

/** A management token and what goes with it. */
export interface ManagementToken {
  accessToken: string;
  userPoolId: string;
  expiresAt: number;
}

/** Fetches a fresh token: `POST /api/v3/get-management-token`. */
export type TokenFetcher = (signal?: AbortSignal) => Promise<{ accessToken: string; expiresInSec: number }>;

/**
 * Holds the one management token a guard shares. Fetched lazily, refreshed ahead of expiry (10% of its lifetime,
 * at most 5 minutes), one refresh shared by every concurrent caller, a failed refresh never cached.
 */
export class ManagementTokenProvider {
  #current: ManagementToken | undefined;
  #refreshing: Promise<ManagementToken> | undefined;
  #fetches = 0;

  constructor(
    private readonly fetchToken: TokenFetcher,
    private readonly clock: Clock,
  ) {}

  /** How many tokens were fetched so far. */
  get fetches(): number {
    return this.#fetches;
  }

  /** A token valid for a while yet; shares a refresh already under way. */
  get(): Promise<ManagementToken> {
    const current = this.#current;
    if (current && this.clock() < current.expiresAt) return Promise.resolve(current);
    return this.#refresh();
  }

  /** Drops `token` if it is still the current one, so the next `get` fetches a new one (after a 401). */
  discard(token: ManagementToken): void {
    if (this.#current === token) this.#current = undefined;
  }

  #refresh(): Promise<ManagementToken> {
    if (this.#refreshing) return this.#refreshing;
    this.#fetches += 1;
    const refreshing = this.fetchToken()
      .then(({ accessToken, expiresInSec }) => {
        const lifetimeMs = expiresInSec * 1000;
        const margin = Math.min(lifetimeMs * 0.1, 300_000);
        const token: ManagementToken = {
          accessToken,
          userPoolId: userPoolIdOf(accessToken),
          expiresAt: this.clock() + lifetimeMs - margin,
        };
        this.#current = token;
        return token;
      })
      .finally(() => {
        if (this.#refreshing === refreshing) this.#refreshing = undefined;
      });
    this.#refreshing = refreshing;
    return refreshing;
  }
}

function userPoolIdOf(accessToken: string): string {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(accessToken);
  } catch {
    throw new UpstreamError('malformed', 'get-management-token: the access token is not a JWT');
  }
  const pool = claims.scoped_userpool_id;
  if (typeof pool !== 'string' || pool === '') {
    throw new UpstreamError('malformed', 'get-management-token: the access token carries no scoped_userpool_id');
  }
  return pool;
}
