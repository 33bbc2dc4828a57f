import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { register } from 'prom-client';
import { createSessionGuard, header, type SessionGuard } from 'genauth-session-guard';
import { createFakeGenAuth, type FakeGenAuth } from 'genauth-session-guard/testing';
import { startTelemetry } from '../../examples/observability/opentelemetry';
import { metricsApp } from '../../examples/observability/prometheus';

describe('the observability examples (docs/observability.md)', () => {
  let fake: FakeGenAuth;
  let guard: SessionGuard;

  beforeEach(async () => {
    fake = await createFakeGenAuth();
    guard = createSessionGuard({ host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, identity: header('x-user-id') });
  });
  afterEach(async () => {
    await guard.close();
    await fake.close();
    register.clear();
    trace.disable();
  });

  it('opentelemetry.ts: a span per GenAuth call reaches the global provider', async () => {
    const log = jest.spyOn(console, 'dir').mockImplementation(() => undefined);
    const stop = startTelemetry();
    try {
      await fake.login('alice', 'app-1');
      await guard.authenticate({ headers: { 'x-user-id': 'alice' } }, 'app-1');
      const names = log.mock.calls.map(([span]) => (span as { name?: string }).name);
      expect(names).toContain('GenAuth check-session-status');
    } finally {
      stop();
      log.mockRestore();
    }
  });

  it('prometheus.ts: /metrics serves the guard metrics', async () => {
    const server = metricsApp(guard).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      await fake.login('alice', 'app-1');
      await guard.authenticate({ headers: { 'x-user-id': 'alice' } }, 'app-1');
      const text = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, { headers: { connection: 'close' } })).text();
      expect(text).toContain('genauth_guard_decisions_total{outcome="pass",code=""} 1');
      expect(text).toContain('genauth_guard_cached_answers 1');
      expect(text).toContain('genauth_guard_circuit_open 0');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
