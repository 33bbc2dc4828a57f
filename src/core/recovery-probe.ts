import type { GenAuthClient } from '../client/genauth-client';

/**
 * Closes an open check-session-status circuit when no request comes to do it. A pod that `health()` marked unready
 * gets no traffic, so a circuit that only requests probe would stay open: when the circuit opens, one unref'd timer
 * is set for the end of its window; if by then no request has made the probe, this makes it (one call for a
 * placeholder user, through the breaker). A failed probe opens the circuit again, which sets the next timer: one
 * call per window (at most `cooldownMs`) for as long as GenAuth is down, none while requests probe themselves,
 * none once the circuit closes or `close()` was called. A probe ended without a verdict (a request's refused for
 * its own reasons, or credentials refused) sets it for `cooldownMs`. At most one timer at a time.
 */
export class RecoveryProbe {
  readonly #client: GenAuthClient;
  readonly #observe: (call: Promise<void>) => Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /** `observe`: records the probe's outcome (health) and passes it on. */
  constructor(client: GenAuthClient, observe: (call: Promise<void>) => Promise<void>) {
    this.#client = client;
    this.#observe = observe;
  }

  /** The circuit will let a probe through in `inMs` (it opened, or a probe ended without a verdict). */
  dueIn(inMs: number): void {
    this.#arm(inMs);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #arm(delayMs: number): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#fire(), Math.max(1, Math.ceil(delayMs)));
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    // `undefined`: closed, or a probe under way (a request's), whose failure opens the circuit again and re-arms.
    const dueInMs = this.#client.sessionProbeDueInMs;
    if (dueInMs === undefined) return;
    // The guard's clock decides the window, the timer only when to look: not yet by that clock, look again then.
    if (dueInMs > 0) return this.#arm(dueInMs);
    this.#observe(this.#client.probeSession()).catch(() => undefined);
  }
}
