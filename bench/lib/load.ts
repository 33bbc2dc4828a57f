/** Load from autocannon (programmatic API), with exact latencies collected from its `response` events. */
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  /** Seconds. */
  duration: number;
  connections: number;
  /** Fixed headers of every request. */
  headers?: Record<string, string>;
  /** Per-request headers (the request is rebuilt each time; costs the runner some CPU). */
  headersFor?: () => Record<string, string>;
  /** Requests per second of each connection (autocannon's `connectionRate`); unlimited when absent. */
  connectionRate?: number;
}

export interface LoadResult {
  /** Completed 2xx requests per second. */
  rps: number;
  /** Latencies of 2xx answers, ms (exact, from hrtime; not corrected for coordinated omission). */
  p50: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Paced runs only (scenario 5): p99 from when each request was written rather than due. */
  serviceP99?: number;
  /** Paced runs only: requests issued per second. */
  offeredRps?: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  return new Promise((resolve, reject) => {
    const requests = options.headersFor
      ? [{ method: 'GET' as const, path: '/admin', setupRequest: (request: Record<string, unknown>) => ({ ...request, headers: options.headersFor!() }) }]
      : undefined;
    const instance = autocannon(
      {
        url: `${options.url}/admin`,
        method: 'GET',
        duration: options.duration,
        connections: options.connections,
        pipelining: 1,
        timeout: 10,
        headers: options.headers ?? {},
        ...(requests ? { requests } : {}),
        ...(options.connectionRate ? { connectionRate: options.connectionRate } : {}),
      },
      (error, result) => {
        if (error) return reject(error);
        const sorted = Float64Array.from(latencies).sort();
        const seconds = options.duration;
        resolve({
          rps: ok / seconds,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          max: sorted.length ? sorted[sorted.length - 1]! : NaN,
          requests: result.requests.total,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) {
        ok++;
        latencies.push(responseTime);
      }
    });
  });
}
