/**
 * `genauth-session-guard/prometheus`: the guard's decisions, GenAuth latency, cache lookups and (for one guard)
 * cache size and circuit state as Prometheus metrics with prom-client >= 15.
 * @packageDocumentation
 * @module genauth-session-guard/prometheus
 */
export { registerSessionGuardMetrics } from './observability/prometheus-metrics';
export type { SessionGuardMetrics, SessionGuardMetricsOptions } from './observability/prometheus-metrics';
