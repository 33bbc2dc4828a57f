import { tracingChannel } from 'node:diagnostics_channel';
import type { UpstreamAttempt } from './genauth-client';

/**
 * The `TracingChannel` of GenAuth HTTP attempts: `tracing:genauth-session-guard:upstream-attempt:start`, `:end`,
 * `:asyncStart`, `:asyncEnd`, `:error`, as undici, node-redis and Fastify publish theirs, so that an APM agent that
 * reads tracing channels sees the calls. `start` is published in the async context of the request that made the
 * call (a retry's too), so a tracer's active span there is the parent.
 */
export const UPSTREAM_ATTEMPT_CHANNEL = 'genauth-session-guard:upstream-attempt';

/** The context object of one attempt, shared by its tracing events. Nothing secret. */
export interface UpstreamAttemptTrace {
  endpoint: UpstreamAttempt['endpoint'];
  /** 1 for the first attempt of a call. */
  attempt: number;
  method: 'POST';
  /** GenAuth's host name (`server.address`). */
  serverAddress: string;
  serverPort: number;
  /** Set before the attempt settles: its outcome, status codes and duration (the `upstream` channel's message). */
  report?: UpstreamAttempt;
  /** Set by `tracePromise` on failure. */
  error?: unknown;
}

export const attemptTracing = tracingChannel<unknown, UpstreamAttemptTrace>(UPSTREAM_ATTEMPT_CHANNEL);
