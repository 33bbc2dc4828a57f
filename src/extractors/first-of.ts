import type { Identity } from '../core/types';
import type { ContextualIdentityExtractor } from './extract-context';
import { warmUpOf, withWarmUp, type WarmUp } from './warm-up';

function isIdentity(value: unknown): value is Identity {
  return typeof value === 'object' && value !== null && typeof (value as { userId?: unknown }).userId === 'string';
}

/**
 * Combines extractors into one that tries them in order, awaiting each, and passes each the route's context.
 *
 * - The first extractor that returns an identity wins; the later ones are not called.
 * - An extractor that returns `undefined` (or `null`) found no credential of its kind: the next one is tried.
 * - An extractor that throws stops the chain and the error propagates: a credential that is present but not
 *   valid is a refusal, never a reason to try another credential.
 * - All returned `undefined`: resolves to `undefined` (the guard then answers `missing_credentials`).
 *
 * Throws a `TypeError` now unless given at least one function. An extractor that returns something else than
 * an identity or `undefined` makes the call reject with a `TypeError` (a bug, not a bad credential).
 *
 * The combined extractor carries a warm-up (`WARM_UP`) when any of its extractors has one: it runs all of
 * them at once and rejects if any rejects.
 *
 * @example Bearer token first, then the session cookie
 * ```ts
 * const identify = firstOf(
 *   bearerJwt({ issuer, audience: ({ appId }) => appId }),
 *   cookie('id_token', { jwt: { issuer, audience: ({ appId }) => appId } }),
 * );
 * ```
 */
export function firstOf(...extractors: ContextualIdentityExtractor[]): ContextualIdentityExtractor {
  if (extractors.length === 0) {
    throw new TypeError('firstOf: pass at least one extractor, e.g. firstOf(bearerJwt({ ... }), cookie("id_token")).');
  }
  extractors.forEach((extractor, index) => {
    if (typeof extractor !== 'function') {
      throw new TypeError(`firstOf: argument ${index + 1} is not a function; pass extractors such as bearerJwt({ ... }).`);
    }
  });
  const chain = [...extractors];
  const combined: ContextualIdentityExtractor = async (req, context) => {
    for (const [index, extractor] of chain.entries()) {
      const identity: unknown = await extractor(req, context);
      if (identity === undefined || identity === null) continue;
      if (!isIdentity(identity)) {
        throw new TypeError(`firstOf: extractor ${index + 1} returned a value that is neither an identity nor undefined.`);
      }
      return identity;
    }
    return undefined;
  };
  const warmUps = chain.map(warmUpOf).filter((warmUp): warmUp is WarmUp => warmUp !== undefined);
  const warmUp = warmUps.length === 0 ? undefined : async () => {
    await Promise.all(warmUps.map((each) => each()));
  };
  return withWarmUp(combined, warmUp);
}
