// Spans for the GenAuth calls and metrics for the decisions, with the OpenTelemetry SDK the app already runs.
// (Run by test/examples/observability.test.ts; docs/observability.md quotes it.)
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { instrumentSessionGuard } from 'genauth-session-guard/opentelemetry';

export function startTelemetry(): () => void {
  // Your SDK set-up (NodeSDK, an OTLP exporter...) goes here; a console exporter keeps the example self-contained.
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] }));
  // Every guard of the process, created before or after this line; without arguments, the global providers.
  return instrumentSessionGuard();
}
