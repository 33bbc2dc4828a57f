/** One connection of the store's own to one Redis node, subscribed to the invalidation channel. */
export interface NodeLink {
  /** The node, `host:port`, for error messages. */
  readonly address: string;
  /** Connects and subscribes; resolves once the server confirmed the subscription. */
  open(): Promise<void>;
  /** A PING on the subscribed connection: resolves when the node answers. */
  ping(): Promise<unknown>;
  /** Closes the connection (no reconnection: the subscriber opens a new link instead). */
  close(): void;
}

/** What a link reports: a message on the channel, or the connection lost. */
export interface LinkEvents {
  message(message: string): void;
  lost(): void;
}

export interface NodeSubscriberOptions {
  /** A link to the next node to try (the nodes in turn), or `undefined` when none is known now. */
  next(events: LinkEvents): NodeLink | undefined;
  /** How often the link is checked with a PING; a PING not answered by the next check loses the link. */
  heartbeatMs: number;
  /** The subscription is (not) confirmed now. */
  status(subscribed: boolean): void;
  /** Confirmed again after a loss: messages sent meanwhile may have been missed. */
  resubscribed(): void;
  message(message: string): void;
  error(error: unknown): void;
}

/**
 * The invalidation subscription on a Redis Cluster (or behind Sentinel): one plain connection to one node, which
 * receives every classic PUBLISH of the cluster (they are broadcast to all nodes). Invariant: the subscription
 * counts as confirmed only between the server's confirmation and the first sign of trouble (the connection closed,
 * or a PING not answered within one heartbeat: a frozen node keeps its socket open); then it is unconfirmed at
 * once, and a new link to the next node is opened. A confirmation after a loss is reported as `resubscribed`, so
 * that the guard drops what a missed invalidation could have made wrong. No client library's own resubscription
 * is relied on: ioredis `Cluster` moves its subscription silently (issue 21).
 */
export class NodeSubscriber {
  readonly #options: NodeSubscriberOptions;
  #link: NodeLink | undefined;
  #subscribed = false;
  #everSubscribed = false;
  #closed = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #awaitingPong = false;
  /** Failed attempts in a row: the first ones go to the next node at once, then one per heartbeat. */
  #failures = 0;

  constructor(options: NodeSubscriberOptions) {
    this.#options = options;
  }

  get subscribed(): boolean {
    return this.#subscribed;
  }

  start(): void {
    if (!this.#link && !this.#retry && !this.#closed) this.#connect();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#heartbeat);
    this.#link?.close();
    this.#link = undefined;
  }

  #connect(): void {
    this.#retry = undefined;
    if (this.#closed) return;
    let link: NodeLink | undefined;
    const events: LinkEvents = {
      message: (message) => {
        if (link === this.#link && !this.#closed) this.#options.message(message);
      },
      lost: () => {
        if (link === this.#link) this.#lost();
      },
    };
    link = this.#options.next(events);
    if (!link) {
      this.#schedule();
      return;
    }
    this.#link = link;
    const opening = link;
    // A frozen node accepts the connection and never confirms: given up after two heartbeats.
    const deadline = setTimeout(() => {
      if (opening !== this.#link || this.#subscribed) return;
      this.#options.error(new Error(`subscriber: no subscription on ${opening.address} within ${2 * this.#options.heartbeatMs} ms`));
      this.#lost();
    }, 2 * this.#options.heartbeatMs);
    deadline.unref();
    opening.open().then(() => {
      clearTimeout(deadline);
      if (opening !== this.#link || this.#closed) return;
      this.#failures = 0;
      this.#subscribed = true;
      this.#awaitingPong = false;
      this.#heartbeat = setInterval(() => this.#check(), this.#options.heartbeatMs);
      this.#heartbeat.unref();
      if (this.#everSubscribed) this.#options.resubscribed();
      this.#everSubscribed = true;
      this.#options.status(true);
    }, (error: unknown) => {
      clearTimeout(deadline);
      if (opening !== this.#link || this.#closed) return;
      this.#options.error(error);
      this.#lost();
    });
  }

  #check(): void {
    const link = this.#link;
    if (!link) return;
    if (this.#awaitingPong) {
      // Decided after the I/O already received is read (timers run before it in each turn of the event loop): a
      // process that stalled longer than a heartbeat does not take its own stall for a frozen node.
      setImmediate(() => {
        if (link !== this.#link || !this.#awaitingPong) return;
        this.#options.error(new Error(`subscriber: no answer to PING from ${link.address} within ${this.#options.heartbeatMs} ms`));
        this.#lost();
      });
      return;
    }
    this.#awaitingPong = true;
    link.ping().then(() => {
      if (link === this.#link) this.#awaitingPong = false;
    }, () => {
      if (link === this.#link) this.#lost();
    });
  }

  #lost(): void {
    const link = this.#link;
    this.#link = undefined;
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    link?.close();
    const was = this.#subscribed;
    this.#subscribed = false;
    if (this.#closed) return;
    if (was) this.#options.status(false);
    this.#failures++;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed || this.#retry) return;
    // Every node once at once (the next one is likely up), then one attempt per heartbeat.
    const delay = this.#failures <= 3 ? 0 : this.#options.heartbeatMs;
    this.#retry = setTimeout(() => this.#connect(), delay);
    this.#retry.unref();
  }
}
