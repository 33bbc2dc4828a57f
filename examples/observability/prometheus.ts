// Prometheus metrics of the guard on /metrics, with prom-client.
// (Run by test/examples/observability.test.ts; docs/observability.md quotes it.)
import express from 'express';
import { register } from 'prom-client';
import type { SessionGuard } from 'genauth-session-guard';
import { registerSessionGuardMetrics } from 'genauth-session-guard/prometheus';

export function metricsApp(guard: SessionGuard): express.Express {
  registerSessionGuardMetrics({ guard }); // once per process; `guard` adds the cache-size and circuit gauges
  const app = express();
  app.get('/metrics', async (_req, res) => {
    res.type(register.contentType).send(await register.metrics());
  });
  return app;
}
