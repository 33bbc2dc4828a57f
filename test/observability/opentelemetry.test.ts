import type { AddressInfo } from 'node:net';
import { context, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import express from 'express';
import { instrumentSessionGuard } from '../../src/opentelemetry';
import { createSessionGuard, header, requireActiveSession, type SessionGuard } from '../../src/index';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';

const APP = 'app-1';

class TestReader extends MetricReader {
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

/** The data points of one metric, by name. */
async function pointsOf(reader: TestReader, name: string): Promise<Array<DataPoint<number | Histogram>>> {
  const { resourceMetrics } = await reader.collect();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) if (metric.descriptor.name === name) return metric.dataPoints as Array<DataPoint<number | Histogram>>;
  }
  return [];
}

describe('instrumentSessionGuard (OpenTelemetry)', () => {
  let fake: FakeGenAuth;
  let exporter: InMemorySpanExporter;
  let tracerProvider: BasicTracerProvider;
  let reader: TestReader;
  let meterProvider: MeterProvider;
  let stop: () => void;
  let guards: SessionGuard[];
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
  });
  afterAll(() => {
    context.disable();
  });

  beforeEach(async () => {
    fake = await createFakeGenAuth();
    exporter = new InMemorySpanExporter();
    tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    reader = new TestReader();
    meterProvider = new MeterProvider({ readers: [reader] });
    guards = [];
  });
  afterEach(async () => {
    stop?.();
    await Promise.all(guards.map((guard) => guard.close()));
    await fake.close();
  });

  function guardOf(overrides: Record<string, unknown> = {}): SessionGuard {
    const guard = createSessionGuard({
      host: fake.host,
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      identity: header('x-user-id'),
      retries: 0,
      ...overrides,
    });
    guards.push(guard);
    return guard;
  }

  /** An Express app whose first middleware starts a server span and makes it active, as HTTP instrumentation does. */
  async function app(guard: SessionGuard, tracer: Tracer) {
    const server = express()
      .use((req, res, next) => {
        const span = tracer.startSpan(`GET ${req.path}`);
        res.on('finish', () => span.end());
        context.with(trace.setSpan(context.active(), span), next);
      })
      .get('/admin', requireActiveSession(APP, { guard }), (_req, res) => void res.json({ ok: true }))
      .listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`;
    return {
      get: (userId: string) => fetch(url, { headers: { 'x-user-id': userId, connection: 'close' } }),
      close: () => new Promise((resolve) => server.close(resolve)),
    };
  }

  const byName = (spans: ReadableSpan[], name: string) => spans.filter((span) => span.name === name);

  it('one CLIENT span per GenAuth attempt, child of the request span; none for a cache hit', async () => {
    stop = instrumentSessionGuard({ tracerProvider, meterProvider });
    const guard = guardOf();
    const server = await app(guard, tracerProvider.getTracer('test'));
    try {
      await fake.login('alice', APP);
      expect((await server.get('alice')).status).toBe(200);
      expect((await server.get('alice')).status).toBe(200); // a cache hit: no span
    } finally {
      await server.close();
    }
    const spans = exporter.getFinishedSpans();
    const requests = byName(spans, 'GET /admin');
    expect(requests).toHaveLength(2);
    const [check] = byName(spans, 'GenAuth check-session-status');
    const [token] = byName(spans, 'GenAuth get-management-token');
    expect(byName(spans, 'GenAuth check-session-status')).toHaveLength(1);
    for (const span of [check!, token!]) {
      expect(span.kind).toBe(2); // SpanKind.CLIENT
      expect(span.parentSpanContext?.spanId).toBe(requests[0]!.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(requests[0]!.spanContext().traceId);
      expect(span.status.code).toBe(0); // UNSET: no error
    }
    expect(check!.attributes).toEqual({
      'genauth.endpoint': 'check-session-status',
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(fake.host).port),
      'http.response.status_code': 200,
    });
  });

  it('a failed attempt: error.type, status ERROR, genauth.api_code as a string; a retried call is one span per attempt', async () => {
    stop = instrumentSessionGuard({ tracerProvider, meterProvider });
    const guard = guardOf({ retries: 1 });
    await guard.authenticate({ headers: { 'x-user-id': 'warm' } }, APP).catch(() => undefined); // the token fetched
    exporter.reset();
    fake.fault({ kind: 'http-status', status: 502 }, { endpoint: 'check' });
    await expect(guard.authenticate({ headers: { 'x-user-id': 'alice' } }, APP)).rejects.toMatchObject({ code: 'session_check_unavailable' });
    const attempts = byName(exporter.getFinishedSpans(), 'GenAuth check-session-status');
    expect(attempts).toHaveLength(2);
    for (const span of attempts) {
      expect(span.status.code).toBe(2); // ERROR
      expect(span.attributes).toMatchObject({ 'error.type': 'server', 'http.response.status_code': 502 });
    }
    expect(attempts[1]!.attributes['http.request.resend_count']).toBe(1);

    fake.clearFaults();
    exporter.reset();
    fake.fault({ kind: 'body-status', statusCode: 404, apiCode: 2011 }, { endpoint: 'check' });
    await expect(guard.authenticate({ headers: { 'x-user-id': 'bob' } }, APP)).rejects.toMatchObject({ status: 503 });
    const [unknownApp] = byName(exporter.getFinishedSpans(), 'GenAuth check-session-status');
    expect(unknownApp!.attributes).toMatchObject({ 'genauth.api_code': '2011', 'http.response.status_code': 200 });
    expect(unknownApp!.attributes['error.type']).toEqual(expect.any(String));
  });

  it('metrics: decisions, upstream duration in seconds, cache lookups; no user id anywhere', async () => {
    stop = instrumentSessionGuard({ tracerProvider, meterProvider });
    const guard = guardOf();
    await fake.login('alice', APP);
    await guard.authenticate({ headers: { 'x-user-id': 'alice' } }, APP);
    await guard.authenticate({ headers: { 'x-user-id': 'alice' } }, APP);
    await expect(guard.authenticate({ headers: {} }, APP)).rejects.toMatchObject({ code: 'missing_credentials' });

    const decisions = await pointsOf(reader, 'genauth.guard.decisions');
    expect(decisions.map(({ attributes, value }) => ({ attributes, value }))).toEqual(expect.arrayContaining([
      { attributes: { outcome: 'pass', source: 'upstream' }, value: 1 },
      { attributes: { outcome: 'pass', source: 'cache' }, value: 1 },
      { attributes: { outcome: 'refuse', code: 'missing_credentials' }, value: 1 },
    ]));
    const lookups = await pointsOf(reader, 'genauth.guard.cache.lookups');
    expect(lookups.map(({ attributes, value }) => ({ attributes, value }))).toEqual(expect.arrayContaining([
      { attributes: { event: 'miss' }, value: 1 },
      { attributes: { event: 'hit' }, value: 1 },
    ]));
    const durations = await pointsOf(reader, 'genauth.guard.upstream.duration');
    const check = durations.find(({ attributes }) => attributes['genauth.endpoint'] === 'check-session-status')!;
    expect(check.attributes).toEqual({ 'genauth.endpoint': 'check-session-status', outcome: 'ok' });
    const histogram = check.value as Histogram;
    expect(histogram.count).toBe(1);
    expect(histogram.sum).toBeGreaterThan(0);
    expect(histogram.sum).toBeLessThan(10); // seconds, not milliseconds

    const everything = JSON.stringify((await reader.collect()).resourceMetrics);
    expect(everything).not.toContain('alice');
  });

  it('sees guards created before it; stop() ends it', async () => {
    const guard = guardOf();
    await fake.login('alice', APP);
    stop = instrumentSessionGuard({ tracerProvider, meterProvider });
    await guard.authenticate({ headers: { 'x-user-id': 'alice' } }, APP);
    expect(byName(exporter.getFinishedSpans(), 'GenAuth check-session-status')).toHaveLength(1);
    stop();
    guard.invalidate('alice');
    await guard.authenticate({ headers: { 'x-user-id': 'alice' } }, APP);
    expect(byName(exporter.getFinishedSpans(), 'GenAuth check-session-status')).toHaveLength(1);
  });

  it('uses the global providers without options, and rejects unknown options', () => {
    expect(() => instrumentSessionGuard({ tracerprovider: tracerProvider } as never)).toThrow(/did you mean "tracerProvider"/);
    const stopGlobal = instrumentSessionGuard();
    stopGlobal();
  });
});
