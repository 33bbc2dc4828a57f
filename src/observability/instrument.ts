import { channel, tracingChannel } from 'node:diagnostics_channel';
import {
  context as otelContext,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type MeterProvider,
  type Span,
  type TracerProvider,
} from '@opentelemetry/api';
import { UPSTREAM_ATTEMPT_CHANNEL, type UpstreamAttemptTrace } from '../client/attempt-tracing';
import { PACKAGE_VERSION } from '../client/genauth-client';
import { channels, type CacheEvent, type DecisionEvent, type UpstreamEvent } from '../core/events';
import { assertKnownKeys, type OptionKeys } from '../core/known-options';

/** Options of {@link instrumentSessionGuard}. */
export interface InstrumentSessionGuardOptions {
  /** Where the spans go. @default the global tracer provider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /** Where the metrics go. @default the global meter provider (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider;
}

const OPTION_KEYS = { tracerProvider: true, meterProvider: true } as const satisfies OptionKeys<InstrumentSessionGuardOptions>;

const SCOPE = 'genauth-session-guard';

/** The span of an attempt, kept on the attempt's own tracing context object. */
type Traced = UpstreamAttemptTrace & { span?: Span };

/**
 * OpenTelemetry for every guard of the process (created before or after this call), read from the package's
 * diagnostics channels; returns a function that stops it.
 *
 * - Spans: one CLIENT span per GenAuth HTTP attempt, `GenAuth <endpoint>`, child of the span active when the request
 *   that made the call arrived; attributes `genauth.endpoint`, `http.request.method`, `server.address`,
 *   `server.port`, `http.response.status_code` (when answered), `genauth.api_code` (when given), `error.type` and
 *   status ERROR on failure. A retried call is one span per attempt; a cache hit makes none.
 * - Metrics: counter `genauth.guard.decisions` {`outcome`, `code`, `source`}; histogram
 *   `genauth.guard.upstream.duration` (s) {`genauth.endpoint`, `outcome`}; counter `genauth.guard.cache.lookups`
 *   {`event`}. No user id in any attribute.
 *
 * Needs `@opentelemetry/api` >= 1.9 (an optional peer dependency).
 * @example
 * ```ts
 * import { instrumentSessionGuard } from 'genauth-session-guard/opentelemetry';
 * const stop = instrumentSessionGuard(); // after the OpenTelemetry SDK has started
 * ```
 */
export function instrumentSessionGuard(options: InstrumentSessionGuardOptions = {}): () => void {
  if (typeof options !== 'object' || options === null) throw new TypeError('genauth-session-guard: instrumentSessionGuard(options) takes an object.');
  assertKnownKeys(options, OPTION_KEYS, 'instrumentSessionGuard options');
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, PACKAGE_VERSION);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, PACKAGE_VERSION);

  const decisions = meter.createCounter('genauth.guard.decisions', { description: 'Requests decided by the guard (passed or refused).' });
  const upstreamDuration = meter.createHistogram('genauth.guard.upstream.duration', {
    description: 'Duration of the HTTP attempts against GenAuth.',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
  });
  const cacheLookups = meter.createCounter('genauth.guard.cache.lookups', { description: 'Session lookups by how they were answered.' });

  const onDecision = (message: unknown) => {
    const event = message as DecisionEvent;
    decisions.add(1, {
      outcome: event.outcome,
      ...(event.code === undefined ? {} : { code: event.code }),
      ...(event.source === undefined ? {} : { source: event.source }),
    });
  };
  const onUpstream = (message: unknown) => {
    const event = message as UpstreamEvent;
    upstreamDuration.record(event.durationMs / 1000, { 'genauth.endpoint': event.endpoint, outcome: event.outcome });
  };
  const onCache = (message: unknown) => {
    cacheLookups.add(1, { event: (message as CacheEvent).event });
  };

  const attempts = tracingChannel<unknown, Traced>(UPSTREAM_ATTEMPT_CHANNEL);
  const handlers = {
    start(traced: Traced) {
      traced.span = tracer.startSpan(
        `GenAuth ${traced.endpoint}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'genauth.endpoint': traced.endpoint,
            'http.request.method': traced.method,
            'server.address': traced.serverAddress,
            'server.port': traced.serverPort,
            ...(traced.attempt > 1 ? { 'http.request.resend_count': traced.attempt - 1 } : {}),
          },
        },
        otelContext.active(),
      );
    },
    end() {},
    asyncStart() {},
    asyncEnd(traced: Traced) {
      const { span, report } = traced;
      if (!span) return;
      traced.span = undefined;
      if (report?.httpStatus !== undefined) span.setAttribute('http.response.status_code', report.httpStatus);
      if (report?.apiCode !== undefined) span.setAttribute('genauth.api_code', String(report.apiCode));
      const failure = report === undefined ? 'unknown' : report.outcome === 'ok' ? undefined : report.outcome;
      if (failure !== undefined) {
        span.setAttribute('error.type', failure);
        span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
      }
      span.end();
    },
    error() {},
  };

  channel(channels.decision).subscribe(onDecision);
  channel(channels.upstream).subscribe(onUpstream);
  channel(channels.cache).subscribe(onCache);
  attempts.subscribe(handlers);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    channel(channels.decision).unsubscribe(onDecision);
    channel(channels.upstream).unsubscribe(onUpstream);
    channel(channels.cache).unsubscribe(onCache);
    attempts.unsubscribe(handlers);
  };
}
