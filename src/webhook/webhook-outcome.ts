/** What an event did: see {@link WebhookOutcome}. */
export type WebhookOutcomeKind = 'invalidated' | 'invalidated-all' | 'authorization' | 'ignored';

/** Why a delivery was refused (nothing changed). */
export type WebhookRejection = 'unauthenticated' | 'malformed' | 'too-large';

/** What {@link SessionGuard.applyWebhookEvent} did about one event. */
export interface WebhookOutcome {
  eventName: string;
  /**
   * `invalidated`: the cached answers of `users` were dropped (in `appId` only, when given); `invalidated-all`: every
   * cached answer was dropped (an event that ends sessions named no readable users); `authorization`: authorization
   * answers were dropped (of `users`, or of everyone when `users` is empty); `ignored`: nothing changed (a `test`
   * delivery, an unknown event, a role or permission event without authorization checks in the guard).
   */
  outcome: WebhookOutcomeKind;
  /** The users acted on (empty for `invalidated-all`, `ignored`, and `authorization` of everyone). */
  users: string[];
  /** The application of a `kick` for one application. */
  appId?: string;
  /**
   * Resolves once the shared store (`store` option) dropped the answers and the other replicas were told (`true`), or
   * to `false` when the store could not be reached (it is told again when it is back; other replicas keep their
   * copies for at most `ttlMs` meanwhile). `true` at once without a store. Never rejects.
   */
  everywhere: Promise<boolean>;
}
