/**
 * `genauth-session-guard/opentelemetry`: spans for the GenAuth calls and metrics for the decisions, the GenAuth
 * latency and the cache, read from the package's diagnostics channels. Needs `@opentelemetry/api` >= 1.9.
 * @packageDocumentation
 * @module genauth-session-guard/opentelemetry
 */
export { instrumentSessionGuard } from './observability/instrument';
export type { InstrumentSessionGuardOptions } from './observability/instrument';
