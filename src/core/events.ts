import { channel } from 'node:diagnostics_channel';
import type { UpstreamAttempt } from '../client/genauth-client';
import { attemptReason } from './failure-reason';
import type { SessionGuardErrorCode } from './errors';
import type { Logger, SessionSource } from './types';
import { logWriterFor, type LogWriter } from './log-writer';
import type { WebhookOutcomeKind, WebhookRejection } from '../webhook/webhook-outcome';
import type { WebhookRefusalCause } from '../webhook/webhook-refusal';

/**
 * The `diagnostics_channel` names the guard publishes on. Messages carry ids and outcomes, never a token or a
 * secret. Subscribe with `subscribe(channels.decision, (message) => ...)` from `node:diagnostics_channel`.
 */
export const channels = {
  /** {@link DecisionEvent}: every request decided (passed or refused). */
  decision: 'genauth-session-guard:decision',
  /** {@link CacheEvent}: every session lookup (hit, miss, coalesced, stale). */
  cache: 'genauth-session-guard:cache',
  /** {@link UpstreamEvent}: every HTTP attempt against GenAuth, with its duration and outcome. */
  upstream: 'genauth-session-guard:upstream',
  /** {@link StoreEvent}: the shared store (`store` option) going down or up, its errors, invalidations from other replicas. */
  store: 'genauth-session-guard:store',
  /** {@link WebhookEvent}: every GenAuth webhook delivery received (applied, ignored or rejected). */
  webhook: 'genauth-session-guard:webhook',
} as const;

/** Published on {@link channels.webhook}. Never carries the secret nor the body. */
export interface WebhookEvent {
  /** The event's name; absent for a rejected delivery (its body is not read, or could not be). */
  eventName?: string;
  /** The users acted on. */
  users: string[];
  /** What was done (see `WebhookOutcome`), or `rejected` (nothing changed). */
  outcome: WebhookOutcomeKind | 'rejected';
  /** The application of a `kick` for one application. */
  appId?: string;
  /** Why a delivery was rejected. */
  reason?: WebhookRejection;
  /** Why exactly (`secret-missing`, `secret-wrong`, `secret-repeated`, `malformed`, `too-large`). */
  cause?: WebhookRefusalCause;
}

/** Published on {@link channels.decision}. */
export interface DecisionEvent {
  /** The route's app id; empty for an `invalid_app_id` refusal (an unusable id is not echoed). */
  appId: string;
  /** Absent when the request carried no usable identity. */
  userId?: string;
  outcome: 'pass' | 'refuse';
  /** Where a passing answer came from. */
  source?: SessionSource;
  /** Why a request was refused. */
  code?: SessionGuardErrorCode;
  /**
   * For a `session_check_unavailable` refusal: why the session could not be checked, in words a person can act
   * on (e.g. "GenAuth refused the management credentials (...): check accessKeyId and accessKeySecret ..." or
   * "the signing keys could not be loaded: OIDC discovery at ... failed: ..."). Never a token or a secret.
   */
  reason?: string;
}

/** Published on {@link channels.cache}. */
export interface CacheEvent {
  appId: string;
  userId: string;
  /** `hit`: served from the cache; `miss`: GenAuth asked; `coalesced`: joined a lookup under way; `stale`: served a bounded stale answer after an upstream failure; `store`: answered by the shared store (`store` option), possibly after waiting for another replica's call. */
  event: 'hit' | 'miss' | 'coalesced' | 'stale' | 'store';
}

/** Published on {@link channels.store}. Ids and outcomes only. */
export interface StoreEvent {
  /**
   * `down`: the guard stopped using the store (a call failed or timed out, or the connection dropped), and goes on
   * with its in-process cache and GenAuth; `up`: the store works again (also after the first connection);
   * `error`: one store call or connection error (`operation`, `message`); `invalidation`: another replica
   * invalidated `userId` (in `appId` only, when given; every user when absent) and this guard dropped its copies; `resubscribed`: the
   * invalidation channel came back after a loss, so this guard emptied its in-process cache (it may have missed
   * invalidations meanwhile).
   */
  event: 'up' | 'down' | 'error' | 'invalidation' | 'resubscribed';
  operation?: StoreOperation;
  /** What went wrong (the client's error message, or a timeout). */
  message?: string;
  userId?: string;
  appId?: string;
}

/** The kinds of store calls, as named by {@link StoreEvent.operation}. */
export type StoreOperation = 'connect' | 'subscribe' | 'read' | 'write' | 'release' | 'invalidate';

/**
 * Published on {@link channels.upstream}. A failed attempt carries `reason`: what went wrong and what to check
 * (built from the kind and the status codes, never from a secret or the text of the answer).
 */
export type UpstreamEvent = UpstreamAttempt & { reason?: string };

const decisionChannel = channel(channels.decision);
const cacheChannel = channel(channels.cache);
const upstreamChannel = channel(channels.upstream);
const storeChannel = channel(channels.store);
const webhookChannel = channel(channels.webhook);

/** Publishes to the channels and the optional logger; costs one property read when nobody listens. */
export class GuardEvents {
  readonly #write: LogWriter | undefined;

  constructor(private readonly logger: Logger | undefined) {
    this.#write = logger === undefined ? undefined : logWriterFor(logger);
  }

  decision(event: DecisionEvent): void {
    if (decisionChannel.hasSubscribers) decisionChannel.publish(event);
    this.#log('genauth-session-guard decision', { ...event });
  }

  cache(appId: string, userId: string, event: CacheEvent['event']): void {
    if (!cacheChannel.hasSubscribers && !this.logger) return;
    const message: CacheEvent = { appId, userId, event };
    if (cacheChannel.hasSubscribers) cacheChannel.publish(message);
    this.#log('genauth-session-guard cache', { ...message });
  }

  upstream(attempt: UpstreamAttempt): void {
    if (!upstreamChannel.hasSubscribers && !this.logger) return;
    const event: UpstreamEvent = attempt.outcome === 'ok'
      ? attempt
      : { ...attempt, reason: attemptReason(attempt.endpoint, attempt.outcome, attempt) };
    if (upstreamChannel.hasSubscribers) upstreamChannel.publish(event);
    this.#log('genauth-session-guard upstream', { ...event });
  }

  /** A logger that throws must not change a decision (a pass turned into a 401, a good answer into a 503). */
  #log(message: string, details: Record<string, unknown>): void {
    if (!this.#write) return;
    try {
      this.#write(message, details);
    } catch {
      // ignored: logging is best effort
    }
  }

  store(event: StoreEvent): void {
    if (storeChannel.hasSubscribers) storeChannel.publish(event);
    this.#log('genauth-session-guard store', { ...event });
  }

  /**
   * A configuration mistake that makes every request fail: `process.emitWarning` (printed by Node even without a
   * logger) and the logger. The caller makes sure it happens once per cause.
   */
  warning(code: string, message: string): void {
    process.emitWarning(message, { code });
    this.#log('genauth-session-guard warning', { code, message });
  }

  webhook(event: WebhookEvent): void {
    if (webhookChannel.hasSubscribers) webhookChannel.publish(event);
    const note = event.outcome === 'invalidated-all' ? ': the event named no readable users, every cached answer was dropped' : '';
    this.#log(`genauth-session-guard webhook${note}`, { ...event });
  }

  /** True when someone listens to decisions, so callers can skip building the event. */
  get wantsDecisions(): boolean {
    return decisionChannel.hasSubscribers || this.logger !== undefined;
  }
}
