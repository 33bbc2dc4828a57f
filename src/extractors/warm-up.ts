/**
 * The property under which an extractor exposes its warm-up: an async function that loads what the extractor
 * needs before the first request (`bearerJwt`: the issuer's discovery document and signing keys). `guard.ready()`
 * calls it; `firstOf` sets one that warms every extractor it combines. A custom extractor may set one too:
 * `Object.assign(myExtractor, { [WARM_UP]: () => loadMyKeys() })`.
 *
 * A registered symbol (`Symbol.for`), so that it is the same symbol in the ESM and the CommonJS build.
 */
export const WARM_UP: unique symbol = Symbol.for('genauth-session-guard.warmUp');

/** A warm-up: resolves once the extractor is ready (at once when it already is), rejects with the cause otherwise. */
export type WarmUp = () => Promise<void>;

/** The warm-up of an extractor, if it has one. */
export function warmUpOf(extractor: unknown): WarmUp | undefined {
  if (typeof extractor !== 'function') return undefined;
  const warmUp: unknown = (extractor as { [WARM_UP]?: unknown })[WARM_UP];
  return typeof warmUp === 'function' ? (warmUp as WarmUp) : undefined;
}

/** Attaches `warmUp` to `extractor` (non-enumerable) and returns the extractor. */
export function withWarmUp<T extends object>(extractor: T, warmUp: WarmUp | undefined): T {
  if (warmUp !== undefined) Object.defineProperty(extractor, WARM_UP, { value: warmUp, configurable: true });
  return extractor;
}
