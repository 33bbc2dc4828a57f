import { channel } from 'node:diagnostics_channel';
import { Counter, Gauge, Histogram, register as defaultRegistry, type Registry } from 'prom-client';
import { channels, type CacheEvent, type DecisionEvent, type UpstreamEvent } from '../core/events';
import { assertKnownKeys, type OptionKeys } from '../core/known-options';
import type { SessionGuard } from '../core/session-guard';

/** Options of {@link registerSessionGuardMetrics}. */
export interface SessionGuardMetricsOptions {
  /** Where the metrics are registered. @default prom-client's global `register` */
  registry?: Registry;
  /** A guard whose cached answers and circuit are reported as gauges. @default none (no gauges) */
  guard?: SessionGuard;
}

const OPTION_KEYS = { registry: true, guard: true } as const satisfies OptionKeys<SessionGuardMetricsOptions>;

/** What {@link registerSessionGuardMetrics} registered; `unregister()` removes it all and stops listening. */
export interface SessionGuardMetrics {
  unregister(): void;
}

const NAMES = [
  'genauth_guard_decisions_total',
  'genauth_guard_upstream_duration_seconds',
  'genauth_guard_cache_lookups_total',
  'genauth_guard_cached_answers',
  'genauth_guard_circuit_open',
] as const;

/**
 * Prometheus metrics (prom-client >= 15) for every guard of the process, read from the diagnostics channels:
 * `genauth_guard_decisions_total{outcome,code}` (`code` empty on a pass), `genauth_guard_upstream_duration_seconds{endpoint,outcome}`
 * (histogram), `genauth_guard_cache_lookups_total{event}`; with `guard`, the gauges `genauth_guard_cached_answers`
 * and `genauth_guard_circuit_open` (1 while its check-session-status circuit is open or half-open, else 0), read at
 * scrape time. No user id in any label. A name already in the registry is a `TypeError` (register once per registry).
 * @example
 * ```ts
 * import { register } from 'prom-client';
 * import { registerSessionGuardMetrics } from 'genauth-session-guard/prometheus';
 * registerSessionGuardMetrics({ guard });
 * app.get('/metrics', async (_req, res) => res.type(register.contentType).send(await register.metrics()));
 * ```
 */
export function registerSessionGuardMetrics(options: SessionGuardMetricsOptions = {}): SessionGuardMetrics {
  if (typeof options !== 'object' || options === null) throw new TypeError('genauth-session-guard: registerSessionGuardMetrics(options) takes an object.');
  assertKnownKeys(options, OPTION_KEYS, 'registerSessionGuardMetrics options');
  const registry = options.registry ?? defaultRegistry;
  const { guard } = options;
  if (guard !== undefined && (typeof guard !== 'object' || guard === null || typeof guard.stats !== 'function')) {
    throw new TypeError('genauth-session-guard: registerSessionGuardMetrics `guard` must be a guard from createSessionGuard.');
  }
  const taken = NAMES.filter((name) => registry.getSingleMetric(name) !== undefined);
  if (taken.length > 0) throw new TypeError(`genauth-session-guard: ${taken.join(', ')} already registered in this registry.`);

  const registers = [registry];
  const decisions = new Counter({ name: NAMES[0], help: 'Requests decided by the session guard.', labelNames: ['outcome', 'code'] as const, registers });
  const upstream = new Histogram({
    name: NAMES[1],
    help: 'Duration of the HTTP attempts against GenAuth, in seconds.',
    labelNames: ['endpoint', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const lookups = new Counter({ name: NAMES[2], help: 'Session lookups by how they were answered (hit, miss, coalesced, stale, store).', labelNames: ['event'] as const, registers });
  if (guard) {
    new Gauge({
      name: NAMES[3],
      help: 'Session answers the guard holds in its cache.',
      registers,
      collect() {
        this.set(guard.stats().size);
      },
    });
    new Gauge({
      name: NAMES[4],
      help: '1 while the check-session-status circuit breaker is open or half-open (failing fast), else 0.',
      registers,
      collect() {
        const circuit = guard.stats().circuit;
        this.set(circuit === 'open' || circuit === 'half-open' ? 1 : 0);
      },
    });
  }

  const onDecision = (message: unknown) => {
    const event = message as DecisionEvent;
    decisions.inc({ outcome: event.outcome, code: event.code ?? '' });
  };
  const onUpstream = (message: unknown) => {
    const event = message as UpstreamEvent;
    upstream.observe({ endpoint: event.endpoint, outcome: event.outcome }, event.durationMs / 1000);
  };
  const onCache = (message: unknown) => {
    lookups.inc({ event: (message as CacheEvent).event });
  };
  channel(channels.decision).subscribe(onDecision);
  channel(channels.upstream).subscribe(onUpstream);
  channel(channels.cache).subscribe(onCache);
  let registered = true;
  return {
    unregister() {
      if (!registered) return;
      registered = false;
      channel(channels.decision).unsubscribe(onDecision);
      channel(channels.upstream).unsubscribe(onUpstream);
      channel(channels.cache).unsubscribe(onCache);
      for (const name of NAMES) if (registry.getSingleMetric(name)) registry.removeSingleMetric(name);
    },
  };
}
