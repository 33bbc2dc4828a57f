import type { Clock } from '../core/types';

/** Options of the circuit breaker around GenAuth calls. */
export interface CircuitBreakerOptions {
  /**
   * Consecutive failed calls (each with its retries) that open the circuit.
   * @default 5
   */
  failureThreshold?: number;
  /**
   * How long an open circuit fails fast before letting one probe through, in ms. At most 30 s.
   * @default 5000
   */
  cooldownMs?: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Closed: calls go through; `failureThreshold` consecutive failures open it. Open: calls fail fast until
 * `cooldownMs` has passed, then one probe goes through (half-open) while the others keep failing fast. A good
 * probe closes it, a failed one opens it for another cool-down.
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #cooldownMs: number;
  readonly #clock: Clock;
  #failures = 0;
  #openedAt = 0;
  #state: CircuitState = 'closed';
  #probing = false;
  /** Times the circuit opened. */
  opened = 0;

  constructor(options: Required<CircuitBreakerOptions>, clock: Clock) {
    this.#threshold = options.failureThreshold;
    this.#cooldownMs = options.cooldownMs;
    this.#clock = clock;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /**
   * Whether a call may go now. `undefined` means yes (call `success` or `failure` after it); a number is the
   * seconds left before a probe may go.
   */
  admit(): number | undefined {
    if (this.#state === 'closed') return undefined;
    const waited = this.#clock() - this.#openedAt;
    if (this.#state === 'open' && waited >= this.#cooldownMs) this.#state = 'half-open';
    if (this.#state === 'half-open' && !this.#probing) {
      this.#probing = true;
      return undefined;
    }
    return Math.max(1, Math.ceil((this.#cooldownMs - waited) / 1000));
  }

  success(): void {
    this.#failures = 0;
    this.#probing = false;
    this.#state = 'closed';
  }

  failure(): void {
    this.#failures += 1;
    const wasProbe = this.#probing;
    this.#probing = false;
    if (wasProbe || (this.#state === 'closed' && this.#failures >= this.#threshold)) {
      this.#state = 'open';
      this.#openedAt = this.#clock();
      this.opened += 1;
    }
  }

  /** A call that ended without an answer either way (aborted by the caller): frees the probe slot. */
  release(): void {
    this.#probing = false;
  }
}
