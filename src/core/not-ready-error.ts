/**
 * The rejection of `guard.ready()`: the guard could not get ready (GenAuth refused the credentials or could not be
 * reached, the signing keys could not be loaded, the guard is closed). The message says why and what to check; it
 * never contains a secret or a token. `cause` holds the underlying error. Not a refusal of a request: routes keep
 * working (and answer 503 while the cause lasts).
 */
export class GuardNotReadyError extends Error {
  /** Stable, for `switch` and logs. */
  readonly code = 'GENAUTH_SESSION_GUARD_NOT_READY' as const;

  constructor(reason: string, options?: { cause?: unknown }) {
    super(`genauth-session-guard is not ready: ${reason}`, options);
    this.name = 'GuardNotReadyError';
  }
}
