/**
 * `npm run bench:invalidation`: what an invalidation costs as the cache grows (issue 18, item 3). A guard (no store)
 * holds N cached session answers (and 1,000 role answers); GenAuth is an in-process `fetch` that answers at once, so
 * filling a million answers takes seconds, not an hour. Rows:
 * - one user's `invalidate(userId)`, median and p99 over 1,001 users that have an answer;
 * - a `user:deleted` webhook event naming 10,000 users (`applyWebhookEvent`): the event loop blocked, in total (the
 *   synchronous call plus the microtasks it queues);
 * - 10,000 `login` events (one user each, users with nothing cached: the login storm of the default webhook list).
 * Uses the public API only, so the same file runs against an older checkout for a before/after row.
 * Options: `--sizes 1000,100000,1000000`. Run with `node --expose-gc` (the npm script does) so that each measured
 * round starts after a full collection.
 */
import { createSessionGuard, header, type SessionGuard } from '../src/index';

const APP = 'app-1';
const sizes = (process.argv.includes('--sizes') ? process.argv[process.argv.indexOf('--sizes') + 1]! : '1000,100000,1000000')
  .split(',').map(Number);

const answer = (data: unknown) => new Response(JSON.stringify({ statusCode: 200, message: 'ok', data }), { headers: { 'content-type': 'application/json' } });
const inProcessGenAuth = async (input: string | URL): Promise<Response> =>
  String(input).endsWith('/has-any-role') ? answer({ hasAnyRole: true }) : answer({ active: true });

async function filledGuard(size: number): Promise<SessionGuard> {
  const guard = createSessionGuard({
    host: 'https://genauth.invalid', accessKeyId: 'bench', accessKeySecret: 'bench-secret-bench', auth: 'signature',
    identity: header('x-user-id'), fetch: inProcessGenAuth as typeof fetch, circuitBreaker: false, retries: 0,
    maxInFlight: 1_000, cache: { max: size, ttlMs: 3_600_000, inactiveTtlMs: 600_000 },
  });
  for (let i = 0; i < size; i += 1_000) {
    await Promise.all(Array.from({ length: Math.min(1_000, size - i) }, (_, j) => guard.checkSession(`user-${i + j}`, APP)));
  }
  await Promise.all(Array.from({ length: Math.min(1_000, size) }, (_, j) => guard.checkRoles(`user-${j}`, ['admin'], { appId: APP })));
  if (guard.stats().size !== size) throw new Error(`expected ${size} cached answers, got ${guard.stats().size}`);
  return guard;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Milliseconds the event loop is held by `run`: its synchronous part plus the microtasks it queued. */
async function blocked(run: () => unknown): Promise<number> {
  const started = performance.now();
  const result = run();
  await result;
  // Everything queued as microtasks runs before this macrotask.
  await new Promise((resolve) => setImmediate(resolve));
  return performance.now() - started;
}

const f = (ms: number) => (ms < 0.1 ? ms.toFixed(4) : ms < 10 ? ms.toFixed(2) : ms.toFixed(0));
console.log(`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}: invalidation cost by cache size\n`);
console.log('| cached answers | one user: median | one user: p99 | 10,000-user event: loop blocked | 10,000 login events: loop blocked |');
console.log('| ---: | ---: | ---: | ---: | ---: |');
for (const size of sizes) {
  const guard = await filledGuard(size);
  const times: number[] = [];
  const step = Math.max(1, Math.floor(size / 1_001));
  for (let i = 0; i < 1_001; i++) {
    const userId = `user-${(i * step) % size}`;
    const started = performance.now();
    guard.invalidate(userId);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  // Five events of 10,000 users each (users with answers where the cache holds that many), and five login storms;
  // the median of each. A full collection first, so that the fill's garbage is not counted against an invalidation.
  const events: number[] = [];
  const storms: number[] = [];
  for (let round = 0; round < 5; round++) {
    const deleted = { eventName: 'user:deleted', data: { users: Array.from({ length: 10_000 }, (_, i) => ({ id: `user-${(round * 10_000 + i) % size}` })) } };
    const logins = Array.from({ length: 10_000 }, (_, i) => ({ eventName: 'login', data: { id: `newcomer-${round}-${i}` } }));
    (globalThis as { gc?: () => void }).gc?.();
    events.push(await blocked(() => guard.applyWebhookEvent(deleted as never).everywhere));
    storms.push(await blocked(() => {
      for (const login of logins) guard.applyWebhookEvent(login as never);
    }));
  }
  events.sort((a, b) => a - b);
  storms.sort((a, b) => a - b);
  const event = events[2]!;
  const logins = storms[2]!;
  console.log(`| ${size.toLocaleString('en')} | ${f(quantile(times, 0.5))} ms | ${f(quantile(times, 0.99))} ms | ${f(event)} ms | ${f(logins)} ms |`);
  await guard.close();
}
