/**
 * Type-level checks (compiled by `tsc -p tsconfig.json`, never run): `subscribe` gives each channel's listener that
 * channel's message type under `strict`, with no cast (the troubleshooting snippet's `unknown` error).
 */
import { channels, subscribe } from '../../src/index';

subscribe(channels.decision, (event) => {
  const code: string | undefined = event.code;
  const outcome: 'pass' | 'refuse' = event.outcome;
  void code;
  void outcome;
});
subscribe(channels.upstream, (event) => {
  const ms: number = event.durationMs;
  void ms;
});
subscribe(channels.store, (event) => {
  // @ts-expect-error a store event has no `outcome`
  void event.outcome;
});
// @ts-expect-error not one of `channels`
subscribe('genauth-session-guard:decisions', () => undefined);
