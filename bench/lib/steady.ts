/**
 * Open-loop load at a constant rate, for latency under steady traffic (scenario 5).
 *
 * autocannon's `connectionRate`/`overallRate` are not steady: each connection sends its whole per-second quota back
 * to back at the start of a one-second interval, and all connections start their intervals together, so a "2,000
 * req/s" run is a burst of 2,000 requests once a second. Here request i is due at start + i / rate, whatever came
 * back before; a request's latency is measured from when it was due (so a generator or server falling behind shows
 * up in the figure instead of silently slowing the load, i.e. no coordinated omission), and also from when it was
 * written (service time).
 */
import http from 'node:http';
import type { LoadResult } from './load';

export interface SteadyOptions {
  url: string;
  /** Requests per second. */
  rate: number;
  /** Seconds. */
  duration: number;
  headersFor: () => Record<string, string>;
  /** Most connections open at once (keep-alive); further requests queue in the agent (and count as latency). */
  maxSockets: number;
}


function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function runSteady(options: SteadyOptions): Promise<LoadResult> {
  const { hostname, port } = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const intervalMs = 1000 / options.rate;
  const total = Math.round(options.rate * options.duration);
  const fromDue: number[] = [];
  const fromWrite: number[] = [];
  let sent = 0;
  let done = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;

  return new Promise((resolve) => {
    const start = performance.now();
    let timer: NodeJS.Timeout | undefined;

    const finish = () => {
      if (timer) clearInterval(timer);
      agent.destroy();
      const due = Float64Array.from(fromDue).sort();
      const written = Float64Array.from(fromWrite).sort();
      resolve({
        rps: ok / options.duration,
        offeredRps: sent / options.duration,
        p50: percentile(due, 50),
        p99: percentile(due, 99),
        max: due.length ? due[due.length - 1]! : NaN,
        serviceP99: percentile(written, 99),
        requests: sent,
        non2xx,
        errors,
        timeouts: 0,
      });
    };

    const settle = () => {
      done++;
      if (done === total) finish();
    };

    const send = (dueAt: number) => {
      const request = http.request({ agent, host: hostname, port: Number(port), path: '/admin', method: 'GET', headers: options.headersFor() });
      let writtenAt = performance.now();
      request.on('socket', () => {
        writtenAt = performance.now();
      });
      request.setTimeout(10_000, () => request.destroy(new Error('timeout')));
      request.on('response', (response) => {
        response.resume();
        response.on('end', () => {
          const now = performance.now();
          if (response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300) {
            ok++;
            fromDue.push(now - dueAt);
            fromWrite.push(now - writtenAt);
          } else {
            non2xx++;
          }
          settle();
        });
      });
      request.on('error', () => {
        errors++;
        settle();
      });
      request.end();
    };

    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
      while (sent < due) {
        send(start + sent * intervalMs);
        sent++;
      }
      if (sent >= total && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    };
    timer = setInterval(tick, 1);
    tick();
  });
}
