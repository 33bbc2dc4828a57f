import type { Identity, RequestLike } from '../core/types';

/**
 * What the guard tells an extractor about the route it protects. The guard always passes it; code that calls an
 * extractor directly should pass it too (an audience function needs it).
 */
export interface ExtractContext {
  /** The GenAuth application id of the route (the `appId` the session check is made for). */
  appId: string;
}

/**
 * An identity extractor that may read the route's {@link ExtractContext}. Every extractor of this module has this
 * shape; since `context` is optional it also fits where a plain `(req) => …` extractor is expected.
 *
 * Returns `undefined` when the request carries no credential of the extractor's kind, throws an
 * `InvalidTokenError` when a credential is present but not valid, and a `SessionCheckUnavailableError` when it
 * cannot be checked right now (signing keys unreachable).
 */
export type ContextualIdentityExtractor = (
  req: RequestLike,
  context?: ExtractContext,
) => Identity | undefined | PromiseLike<Identity | undefined>;
