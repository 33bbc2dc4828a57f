/**
 * Why `guard.ready()` failed, for a boot script to act on:
 * - `credentials`: GenAuth refused the access key (wrong id or secret, wrong `auth` scheme, unknown user pool).
 *   Exit: it does not heal by itself.
 * - `unknown_app`: GenAuth does not know an app id given to `ready({ appIds })` (apiCode 2011). Exit.
 * - `closed`: the guard was closed. Exit.
 * - `clock`: GenAuth refused the request signature's date (apiCode 1304, 1305): this machine's clock is off.
 *   Fix the clock; retrying helps once it is synchronised.
 * - `keys`: the identity extractor's signing keys could not be loaded (discovery, JWKS, or your own `WARM_UP`).
 *   Retry when the identity provider may be down; a wrong `issuer` does not heal (the message says which).
 * - `unreachable`: GenAuth could not be asked (network error, timeout, HTTP error, 5xx, 429, an answer not
 *   understood). Retry.
 */
export type GuardNotReadyReason = 'credentials' | 'unknown_app' | 'closed' | 'clock' | 'keys' | 'unreachable';

/** Most decisive first: the one {@link GuardNotReadyError.reason} names when there are several. */
const PRECEDENCE: readonly GuardNotReadyReason[] = ['closed', 'credentials', 'unknown_app', 'clock', 'keys', 'unreachable'];

/**
 * The rejection of `guard.ready()`: the guard could not get ready (GenAuth refused the credentials, does not know an
 * app id, could not be reached, the signing keys could not be loaded, the guard is closed). `reason` says which, for
 * a `switch`; the message says why and what to check; it never contains a secret or a token. `cause` holds the
 * underlying error. Not a refusal of a request: routes keep working (and answer 503 while the cause lasts).
 * @example
 * ```ts
 * try {
 *   await guard.ready({ appIds: ['my-app-id'] });
 * } catch (error) {
 *   if (error instanceof GuardNotReadyError && (error.reason === 'unreachable' || error.reason === 'keys')) {
 *     // transient: retry later (health() stays not ok meanwhile, and the guard retries in the background)
 *   } else {
 *     throw error; // credentials, unknown_app, clock, closed: exit and fix the configuration
 *   }
 * }
 * ```
 */
export class GuardNotReadyError extends Error {
  /** Stable, for `switch` and logs. */
  readonly code = 'GENAUTH_SESSION_GUARD_NOT_READY' as const;
  /** The most decisive of {@link reasons}: `closed`, `credentials`, `unknown_app`, `clock`, `keys`, `unreachable` in that order. */
  readonly reason: GuardNotReadyReason;
  /** Every reason found, most decisive first (both checks of `ready()` run at once and may both fail). */
  readonly reasons: readonly GuardNotReadyReason[];
  /** The app ids GenAuth does not know (reason `unknown_app`); empty otherwise. */
  readonly unknownAppIds: readonly string[];

  /**
   * @param reasons at least one
   * @param detail the sentence after "not ready: ", naming the cause and what to check (never a secret)
   */
  constructor(
    reasons: GuardNotReadyReason | readonly GuardNotReadyReason[],
    detail: string,
    options?: { cause?: unknown; unknownAppIds?: readonly string[] },
  ) {
    super(`genauth-session-guard is not ready: ${detail}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GuardNotReadyError';
    const given = new Set(typeof reasons === 'string' ? [reasons] : reasons);
    this.reasons = Object.freeze(PRECEDENCE.filter((reason) => given.has(reason)));
    this.reason = this.reasons[0] ?? 'unreachable';
    this.unknownAppIds = Object.freeze([...(options?.unknownAppIds ?? [])]);
  }
}
