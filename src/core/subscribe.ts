import { subscribe as subscribeChannel, unsubscribe as unsubscribeChannel } from 'node:diagnostics_channel';
import { channels, type CacheEvent, type DecisionEvent, type StoreEvent, type UpstreamEvent, type WebhookEvent } from './events';

/** The message each of the guard's channels carries. */
export interface ChannelMessages {
  [channels.decision]: DecisionEvent;
  [channels.cache]: CacheEvent;
  [channels.upstream]: UpstreamEvent;
  [channels.store]: StoreEvent;
  [channels.webhook]: WebhookEvent;
}

/** One of the names in `channels`. */
export type ChannelName = keyof ChannelMessages;

const CHANNEL_NAMES: ReadonlySet<string> = new Set(Object.values(channels));

/**
 * `diagnostics_channel.subscribe` typed by channel: `listener` receives that channel's message type
 * (`subscribe(channels.decision, (event) => event.code)` type-checks under `strict`). Returns a function that
 * unsubscribes. A name that is not one of `channels` is a `TypeError` (a misspelt name would never be called).
 * It sees every guard of the process, created before or after it.
 * @example
 * ```ts
 * const stop = subscribe(channels.decision, (event) => {
 *   if (event.outcome === 'refuse') refusals.inc({ code: event.code });
 * });
 * ```
 */
export function subscribe<Name extends ChannelName>(name: Name, listener: (message: ChannelMessages[Name]) => void): () => void {
  if (!CHANNEL_NAMES.has(name)) {
    throw new TypeError(`genauth-session-guard: subscribe() takes one of ${[...CHANNEL_NAMES].join(', ')} (\`channels\`).`);
  }
  if (typeof listener !== 'function') throw new TypeError('genauth-session-guard: subscribe() needs a listener function.');
  const untyped = listener as (message: unknown, name: string | symbol) => void;
  subscribeChannel(name, untyped);
  return () => {
    unsubscribeChannel(name, untyped);
  };
}
