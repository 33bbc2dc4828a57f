import type { Clock } from '../core/types';

/** Options of the circuit breaker around GenAuth calls. */
export interface CircuitBreakerOptions {
  /**
   * Consecutive failed calls (each with its retries) that open the circuit. Only outages count: timeouts, network
   * errors, 5xx, 429 and malformed answers; GenAuth refusing one request (unknown application, bad argument,
   * refused management credentials) neither counts nor resets the count.
   * @default 5
   */
  failureThreshold?: number;
  /**
   * The longest an open circuit fails fast before letting one probe through, in ms: the cap of the growing open
   * window (see `initialCooldownMs`). At most 30 s.
   * @default 5000
   */
  cooldownMs?: number;
  /**
   * The first open window, in ms. Each failed probe doubles the window (capped by `cooldownMs`); a good probe
   * closes the circuit and starts over from this value. Every window is drawn at random between half its value
   * and its value, so that guards (replicas) that opened together do not probe together. A short blip costs about
   * this long; a long outage costs one probe per `cooldownMs`.
   * @default 250 (at most `cooldownMs`)
   */
  initialCooldownMs?: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Closed: calls go through; `failureThreshold` consecutive outage failures open it. Open: calls fail fast for a
 * window, then one probe goes through (half-open) while the others keep failing fast. A good probe closes it; a
 * failed one opens it again for twice the window (capped by `cooldownMs`). Windows are jittered (equal jitter:
 * between half and all of the nominal window) so that many guards that opened at once probe at different times.
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #capMs: number;
  readonly #initialMs: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  #failures = 0;
  /** Openings since the circuit was last closed by a good answer: the window is initial x 2^(streak - 1). */
  #streak = 0;
  #openedAt = 0;
  #windowMs = 0;
  #state: CircuitState = 'closed';
  #probing = false;
  /** Times the circuit opened (a failed probe opening it again counts too). */
  opened = 0;

  constructor(options: Required<CircuitBreakerOptions>, clock: Clock, random: () => number = Math.random) {
    this.#threshold = options.failureThreshold;
    this.#capMs = options.cooldownMs;
    this.#initialMs = Math.min(options.initialCooldownMs, options.cooldownMs);
    this.#clock = clock;
    this.#random = random;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /**
   * Whether a call may go now. `undefined` means yes (call `success`, `failure` or `release` after it); a number
   * is the seconds left before a probe may go (at least 1: `Retry-After` has whole seconds).
   */
  admit(): number | undefined {
    if (this.#state === 'closed') return undefined;
    const now = this.#clock();
    // A wall clock stepping backwards must not stretch the window: start it again from now.
    if (now < this.#openedAt) this.#openedAt = now;
    const left = this.#openedAt + this.#windowMs - now;
    if (this.#state === 'open' && left <= 0) this.#state = 'half-open';
    if (this.#state === 'half-open' && !this.#probing) {
      this.#probing = true;
      return undefined;
    }
    return Math.max(1, Math.ceil(left / 1000));
  }

  /** GenAuth answered: closes the circuit and forgets the failures. */
  success(): void {
    this.#failures = 0;
    this.#streak = 0;
    this.#probing = false;
    this.#state = 'closed';
  }

  /** An outage failure (see {@link CircuitBreakerOptions.failureThreshold}). */
  failure(): void {
    this.#failures += 1;
    const wasProbe = this.#probing;
    this.#probing = false;
    if (wasProbe || (this.#state === 'closed' && this.#failures >= this.#threshold)) this.#open();
  }

  /**
   * A call that ended without telling whether GenAuth is up (aborted by the caller, refused for its own reasons):
   * frees the probe slot and changes nothing else.
   */
  release(): void {
    this.#probing = false;
  }

  #open(): void {
    this.#streak += 1;
    // 2 ** 30 x 1 ms is far past any cap (30 s): stop doubling there.
    const nominal = Math.min(this.#capMs, this.#initialMs * 2 ** Math.min(this.#streak - 1, 30));
    this.#state = 'open';
    this.#openedAt = this.#clock();
    this.#windowMs = nominal * (0.5 + 0.5 * this.#random());
    this.opened += 1;
  }
}
