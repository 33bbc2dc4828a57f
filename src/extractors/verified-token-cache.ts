import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { InvalidTokenError } from '../core/errors';
import type { OptionKeys } from '../core/known-options';
import type { Clock, Identity } from '../core/types';

/** Options of the cache of verified tokens. */
export interface VerifiedTokenCacheOptions {
  /**
   * Most verified tokens remembered.
   * @default 10000
   */
  max?: number;
  /**
   * Longest time a verified token is remembered, in ms (it is also never kept past its `exp`). Bounds how long a
   * signing key removed from the JWKS keeps verifying tokens it signed.
   * @default 300000
   */
  maxAgeMs?: number;
}

/** The keys of {@link VerifiedTokenCacheOptions}: any other is a `TypeError`. */
export const VERIFIED_TOKEN_CACHE_OPTION_KEYS = { max: true, maxAgeMs: true } as const satisfies OptionKeys<VerifiedTokenCacheOptions>;

/** A remembered token: what `find` returns and `accept` checks. */
export interface VerifiedToken {
  identity: Identity;
  /** `exp` and `nbf` in seconds, when present. */
  exp: number | undefined;
  nbf: number | undefined;
  aud: string | string[] | undefined;
  /** When it was remembered and until when it may be (clock ms): see `accept`. */
  storedAt: number;
  expiresAt: number;
}

function audienceAccepted(aud: string | string[] | undefined, expected: string | string[]): boolean {
  if (aud === undefined) return false;
  if (typeof expected === 'string') return typeof aud === 'string' ? aud === expected : aud.includes(expected);
  return typeof aud === 'string' ? expected.includes(aud) : aud.some((value) => expected.includes(value));
}

/**
 * Remembers tokens whose signature and claims were verified, keyed by the SHA-256 of the token (the token itself
 * is not kept), so a token seen again skips the signature check. `exp`, `nbf` and the route's audience are
 * still checked on every hit; failures are never remembered.
 */
export class VerifiedTokenCache {
  readonly #lru: LRUCache<string, VerifiedToken>;
  readonly #clock: Clock;
  readonly #toleranceSec: number;
  readonly #maxAgeMs: number;

  constructor(options: Required<VerifiedTokenCacheOptions>, clock: Clock | undefined, toleranceSec: number) {
    this.#clock = clock ?? Date.now;
    this.#toleranceSec = toleranceSec;
    this.#maxAgeMs = options.maxAgeMs;
    // No lru-cache TTL: `accept` decides by the entry's own times, and an expired entry is dropped when it is found.
    // lru-cache's TTL would read the clock a second time per hit and, with its default resolution, start a timer
    // every millisecond under load. `max` bounds what is held.
    this.#lru = new LRUCache<string, VerifiedToken>({ max: options.max });
  }

  /** The hash a token is remembered under. */
  keyOf(token: string): string {
    // The one-shot `crypto.hash` (Node 20.12+): no Hash object per request, about half the cost of createHash.
    return hash('sha256', token, 'base64');
  }

  /**
   * The entry remembered under `key`, whether or not it may still serve: {@link accept} decides. Its token is the
   * string whose SHA-256 is `key`, a string that passed every check of its form when it was verified.
   */
  find(key: string): VerifiedToken | undefined {
    return this.#lru.get(key);
  }

  /**
   * The identity of an entry `find` returned, or `undefined` when the entry is past its own times (it is dropped and
   * the token must be verified again). Throws an `InvalidTokenError` when the token has expired since (the entry is
   * dropped), is not valid yet, or its audience is not `expectedAudience`.
   */
  accept(key: string, entry: VerifiedToken, expectedAudience: string | string[] | undefined): Identity | undefined {
    const now = this.#clock();
    // The entry's own times decide. Rule: it serves while storedAt <= now < expiresAt; a clock reading earlier than
    // storedAt makes it expired (the token is verified again, never trusted past maxAgeMs).
    if (now < entry.storedAt || now >= entry.expiresAt) {
      this.#lru.delete(key);
      return undefined;
    }
    const nowSec = now / 1000;
    if (entry.exp !== undefined && entry.exp <= nowSec - this.#toleranceSec) {
      this.#lru.delete(key);
      throw new InvalidTokenError('The token has expired.');
    }
    if (entry.nbf !== undefined && entry.nbf > nowSec + this.#toleranceSec) {
      throw new InvalidTokenError('The token is not valid yet.');
    }
    if (expectedAudience !== undefined && !audienceAccepted(entry.aud, expectedAudience)) {
      throw new InvalidTokenError('The token audience is not accepted.');
    }
    return entry.identity;
  }

  /** Remembers a verified token until its `exp` (plus the tolerance), at most `maxAgeMs`. */
  set(key: string, identity: Identity): void {
    const claims = identity.claims ?? {};
    const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
    const nbf = typeof claims.nbf === 'number' ? claims.nbf : undefined;
    const aud = typeof claims.aud === 'string' || Array.isArray(claims.aud) ? (claims.aud as string | string[]) : undefined;
    const storedAt = this.#clock();
    const untilExpiry = exp === undefined ? this.#maxAgeMs : (exp + this.#toleranceSec) * 1000 - storedAt;
    const ttl = Math.min(this.#maxAgeMs, Math.floor(untilExpiry));
    if (!(ttl >= 1)) return;
    this.#lru.set(key, { identity, exp, nbf, aud, storedAt, expiresAt: storedAt + ttl });
  }
}
