import { UpstreamError, type UpstreamFailureKind } from '../client/upstream-error';
import { upstreamReason } from './failure-reason';
import type { Clock } from './types';

/** The kinds of failure `health().lastFailure` reports: calls that reached (or tried to reach) GenAuth. */
export type HealthFailureKind = Exclude<UpstreamFailureKind, 'aborted' | 'circuit_open' | 'overloaded'>;

/** The last failed call to GenAuth: its kind and when (ms since the epoch, the guard's clock). */
export interface HealthFailure {
  kind: HealthFailureKind;
  at: number;
}

/** The `process.emitWarning` codes of a refusal of the credentials. */
export type CredentialsWarningCode = 'GENAUTH_SESSION_GUARD_CREDENTIALS_REFUSED' | 'GENAUTH_SESSION_GUARD_CLOCK_SKEW';

/** Failures that did not reach GenAuth, or were the caller's choice: they say nothing about GenAuth. */
const NOT_RECORDED = new Set<UpstreamFailureKind>(['aborted', 'circuit_open', 'overloaded']);

/**
 * What a guard remembers of its calls to GenAuth: when one last succeeded, the last failure, and whether the last
 * outcome was a refusal of the credentials (which does not heal by itself). Warns once per cause when GenAuth
 * refuses the credentials: every request is then answered 503, which would otherwise read as an outage.
 */
export class UpstreamHealth {
  #lastSuccessAt: number | null = null;
  #lastFailure: HealthFailure | undefined;
  #lastOk = false;
  readonly #warned = new Set<CredentialsWarningCode>();

  constructor(
    private readonly clock: Clock,
    private readonly warn: (code: CredentialsWarningCode, message: string) => void,
  ) {}

  get lastSuccessAt(): number | null {
    return this.#lastSuccessAt;
  }

  get lastFailure(): HealthFailure | undefined {
    return this.#lastFailure && { ...this.#lastFailure };
  }

  /** The last call that reached GenAuth succeeded. */
  get lastOk(): boolean {
    return this.#lastOk;
  }

  /** The last call that reached GenAuth failed because the credentials were refused. */
  get credentialsRefused(): boolean {
    return !this.#lastOk && this.#lastFailure?.kind === 'credentials';
  }

  /**
   * Records how `call` ends and passes its outcome on unchanged. `quiet`: no warning for this call (its caller
   * reports the cause itself, as `ready()` does); a later call still warns.
   */
  observe<T>(call: Promise<T>, quiet = false): Promise<T> {
    return call.then(
      (value) => {
        this.#lastSuccessAt = this.clock();
        this.#lastOk = true;
        return value;
      },
      (error: unknown) => {
        this.#failed(error, quiet);
        throw error;
      },
    );
  }

  #failed(error: unknown, quiet: boolean): void {
    if (!(error instanceof UpstreamError) || NOT_RECORDED.has(error.kind)) return;
    this.#lastFailure = { kind: error.kind as HealthFailureKind, at: this.clock() };
    this.#lastOk = false;
    if (error.kind !== 'credentials' || quiet) return;
    const code: CredentialsWarningCode = error.apiCode === 1304 || error.apiCode === 1305
      ? 'GENAUTH_SESSION_GUARD_CLOCK_SKEW'
      : 'GENAUTH_SESSION_GUARD_CREDENTIALS_REFUSED';
    if (this.#warned.has(code)) return;
    this.#warned.add(code);
    this.warn(code, `genauth-session-guard: ${upstreamReason(error)}. Every session check is answered 503 until this ` +
      'is fixed; run `npx genauth-session-guard doctor` to check the configuration.');
  }
}
