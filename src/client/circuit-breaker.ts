import type { OptionKeys } from '../core/known-options';
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
   * The longest an open circuit fails fast before letting one probe through, in ms: the cap of the open window,
   * which grows with the outage (see `initialCooldownMs`). At most 30 s.
   * @default 5000
   */
  cooldownMs?: number;
  /**
   * The shortest open window, in ms: the circuit opens for this long, then lets one probe through. While probes
   * keep failing, each new window is a quarter of the time since the circuit first opened (at least this, at most
   * `cooldownMs`), so a blip costs about this long after GenAuth is back and a long outage one probe per
   * `cooldownMs`. A good probe closes the circuit and starts over. Every window is drawn at random between half its
   * value and its value, so that guards (replicas) that opened together do not probe together.
   * @default 250 (at most `cooldownMs`)
   */
  initialCooldownMs?: number;
}

/** The keys of {@link CircuitBreakerOptions}: any other is a `TypeError`. */
export const CIRCUIT_BREAKER_OPTION_KEYS = { failureThreshold: true, cooldownMs: true, initialCooldownMs: true } as const satisfies OptionKeys<CircuitBreakerOptions>;

/** The open window is this share of the time the circuit has been failing (between initial and cap). */
const OUTAGE_SHARE = 0.25;

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Closed: calls go through; `failureThreshold` consecutive outage failures open it. Open: calls fail fast for a
 * window, then one probe goes through (half-open) while the others keep failing fast. A good probe closes it; a
 * failed one opens it again, for a window proportional to how long the outage has lasted (a quarter of it, between
 * `initialCooldownMs` and `cooldownMs`): the time lost after GenAuth comes back stays in proportion to the outage.
 * Windows are jittered (equal jitter: between half and all of the nominal window) so that many guards that opened
 * at once probe at different times.
 *
 * Measured against doubling the window on each failed probe (scripts/blip-simulation.ts, GenAuth failing half the
 * time in 150-450 ms bursts): doubling escalates whenever a probe lands in a burst, 93 % of answers were 503; in
 * proportion, 58 % (50 % is the floor: the failed calls themselves).
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #capMs: number;
  readonly #initialMs: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  #failures = 0;
  /** Openings since the circuit was last closed by a good answer. */
  #streak = 0;
  #openedAt = 0;
  /** When the circuit first opened since it was last closed by a good answer. */
  #outageStart = 0;
  #windowMs = 0;
  #state: CircuitState = 'closed';
  #probing = false;
  /** Times the circuit opened (a failed probe opening it again counts too). */
  opened = 0;

  readonly #onProbeDue: ((inMs: number) => void) | undefined;

  /**
   * `onProbeDue`: told when a probe will be due with no call under way to make it: each time the circuit opens (in
   * its window), and when a probe ends without a verdict (in `cooldownMs`).
   */
  constructor(options: Required<CircuitBreakerOptions>, clock: Clock, random: () => number = Math.random, onProbeDue?: (inMs: number) => void) {
    this.#threshold = options.failureThreshold;
    this.#capMs = options.cooldownMs;
    this.#initialMs = Math.min(options.initialCooldownMs, options.cooldownMs);
    this.#clock = clock;
    this.#random = random;
    this.#onProbeDue = onProbeDue;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** Ms before a probe may go (0: now); `undefined` when the circuit is closed or a probe is under way. */
  get probeDueInMs(): number | undefined {
    if (this.#state === 'closed' || this.#probing) return undefined;
    const now = this.#clock();
    if (now < this.#openedAt) this.#openedAt = now; // as in admit: a clock stepping back does not stretch the window
    return Math.max(0, this.#openedAt + this.#windowMs - now);
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
   * An outage seen by a call to another endpoint that shows the host itself is not answering (see
   * `GenAuthClient`): counts like {@link failure}, but is no verdict on this circuit's probe.
   */
  hostFailure(): void {
    this.#failures += 1;
    if (this.#state === 'closed' && this.#failures >= this.#threshold) this.#open();
  }

  /**
   * A call that ended without telling whether GenAuth is up (aborted by the caller, refused for its own reasons):
   * frees the probe slot and changes nothing else.
   */
  release(): void {
    const wasProbe = this.#probing;
    this.#probing = false;
    if (wasProbe) this.#onProbeDue?.(this.#capMs);
  }

  #open(): void {
    const now = this.#clock();
    this.#streak += 1;
    if (this.#streak === 1 || now < this.#outageStart) this.#outageStart = now;
    const nominal = Math.min(this.#capMs, Math.max(this.#initialMs, (now - this.#outageStart) * OUTAGE_SHARE));
    this.#state = 'open';
    this.#openedAt = now;
    this.#windowMs = nominal * (0.5 + 0.5 * this.#random());
    this.opened += 1;
    this.#onProbeDue?.(this.#windowMs);
  }
}
