import type { Timers } from './timers';

/** A webhook registered at the fake (`create-webhook` or {@link FakeGenAuth.addWebhook}). */
export interface FakeWebhook {
  webhookId: string;
  name: string;
  url: string;
  /** Event names delivered; `['*']` (the default of `addWebhook`) delivers every event. */
  events: string[];
  contentType: 'application/json' | 'application/x-www-form-urlencoded';
  enabled: boolean;
  /** Sent back verbatim in `x-authing-webhook-secret` and `x-authing-token`. */
  secret: string | undefined;
}

/**
 * A misbehaviour of the fake's webhook deliveries (see {@link FakeGenAuth.webhookFault}): `drop` never sends the
 * delivery, `delay` sends it `ms` later, `duplicate` sends it twice, `wrong-secret` sends it with another secret.
 */
export type WebhookFault =
  | { kind: 'drop' }
  | { kind: 'delay'; ms: number }
  | { kind: 'duplicate' }
  | { kind: 'wrong-secret' };

/** One delivery attempt and how the receiver answered (`status` 0: no answer, or dropped by a fault). */
export interface WebhookDelivery {
  webhookId: string;
  url: string;
  eventName: string;
  status: number;
  fault?: WebhookFault['kind'];
}

const DELIVERY_TIMEOUT_MS = 10_000;

function encode(webhook: FakeWebhook, eventName: string, data: unknown): string {
  if (webhook.contentType === 'application/json') return JSON.stringify({ eventName, data });
  // GenAuth's form encoding of the nested data is not documented; the fake sends a `data` field holding JSON.
  return new URLSearchParams({ eventName, data: JSON.stringify(data) }).toString();
}

/** The webhooks registered at the fake, and the deliveries it makes to them over HTTP. */
export class WebhookDeliveries {
  readonly #webhooks = new Map<string, FakeWebhook>();
  readonly #faults: Array<{ fault: WebhookFault; remaining: number }> = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #log: WebhookDelivery[] = [];
  #next = 1;

  constructor(private readonly userPoolId: string, private readonly timers: Timers) {}

  add(webhook: Omit<FakeWebhook, 'webhookId'>): FakeWebhook {
    const registered = { ...webhook, events: [...webhook.events], webhookId: `webhook-${this.#next++}` };
    this.#webhooks.set(registered.webhookId, registered);
    return { ...registered };
  }

  remove(webhookId: string): boolean {
    return this.#webhooks.delete(webhookId);
  }

  fault(fault: WebhookFault, times: number): void {
    if (!['drop', 'delay', 'duplicate', 'wrong-secret'].includes(fault.kind)) throw new TypeError('webhookFault: unknown kind');
    if (fault.kind === 'delay' && !(typeof fault.ms === 'number' && fault.ms >= 0)) throw new TypeError('webhookFault delay: ms must be a number >= 0');
    if (times !== Number.POSITIVE_INFINITY && (!Number.isInteger(times) || times < 1)) throw new TypeError('webhookFault: times must be a positive integer');
    this.#faults.push({ fault: { ...fault }, remaining: times });
  }

  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** Starts a delivery of the event to every enabled webhook that takes it; does not wait for them. */
  emit(eventName: string, data: unknown): void {
    for (const webhook of this.#webhooks.values()) {
      if (!webhook.enabled || !(webhook.events.includes('*') || webhook.events.includes(eventName))) continue;
      const fault = this.#takeFault();
      this.#track(this.#deliver(webhook, eventName, data, fault));
    }
  }

  /** Resolves once every delivery started so far (and those they start) has been answered; returns the log since the last call. */
  async settled(): Promise<WebhookDelivery[]> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    return this.#log.splice(0);
  }

  #takeFault(): WebhookFault | undefined {
    const entry = this.#faults[0];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#faults.shift();
    return entry.fault;
  }

  async #deliver(webhook: FakeWebhook, eventName: string, data: unknown, fault: WebhookFault | undefined): Promise<void> {
    const entry = { webhookId: webhook.webhookId, url: webhook.url, eventName };
    if (fault?.kind === 'drop') {
      this.#log.push({ ...entry, status: 0, fault: 'drop' });
      return;
    }
    if (fault?.kind === 'delay') await this.timers.delay(fault.ms);
    const times = fault?.kind === 'duplicate' ? 2 : 1;
    for (let i = 0; i < times; i++) {
      const status = await this.#post(webhook, eventName, data, fault?.kind === 'wrong-secret');
      this.#log.push(fault ? { ...entry, status, fault: fault.kind } : { ...entry, status });
    }
  }

  async #post(webhook: FakeWebhook, eventName: string, data: unknown, wrongSecret: boolean): Promise<number> {
    const headers: Record<string, string> = {
      'content-type': webhook.contentType,
      'user-agent': 'authing-webhook@2.0',
      'x-authing-userpool-id': this.userPoolId,
    };
    if (webhook.secret !== undefined) {
      const secret = wrongSecret ? `${webhook.secret}-wrong` : webhook.secret;
      headers['x-authing-webhook-secret'] = secret;
      headers['x-authing-token'] = secret;
    }
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers,
        body: encode(webhook, eventName, data),
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.status;
    } catch {
      return 0;
    }
  }

  #track(promise: Promise<void>): void {
    this.#pending.add(promise);
    void promise.finally(() => this.#pending.delete(promise));
  }
}
