/**
 * Scenario 6, run with `--expose-gc`: the heap our guard holds for N cached users.
 *
 * 1. Everything imported and `fetch` warmed against the fake; GC; `heapUsed` = baseline (nothing of the guard yet).
 * 2. A guard created (`header('x-user-id')`, cache `{ max: N, ttlMs: 1 hour }`) and one user authenticated; GC;
 *    `heapUsed` = warm baseline (the guard, its client, its management token, the cache's own preallocation).
 * 3. The other N - 1 users authenticated through `guard.authenticate` (each one an upstream check against the fake,
 *    which the runner has logged them in to, in batches it announces over IPC); GC; `heapUsed` = after.
 *
 * Reports both differences; the target is judged on after - baseline (the stricter one).
 */
import { createSessionGuard, header } from '../src/index';
import { readConfig } from './servers/common';
import { userIdOf } from './lib/ids';

const gc = (globalThis as { gc?: () => void }).gc;
if (typeof gc !== 'function') throw new Error('heap-child: run with --expose-gc');
if (!process.send) throw new Error('heap-child: no IPC channel (start it through `npm run bench`).');

const config = readConfig();
const users = Number(process.env.BENCH_HEAP_USERS ?? 100_000);
const concurrency = 64;

let loggedIn = 0;
let wake: (() => void) | undefined;
process.on('message', (message: { type?: string; upTo?: number }) => {
  if (message?.type === 'users' && typeof message.upTo === 'number') {
    loggedIn = message.upTo;
    wake?.();
  }
  if (message?.type === 'stop') process.exit(0);
});
process.on('disconnect', () => process.exit(0));

async function waitForLogin(index: number): Promise<void> {
  while (index >= loggedIn) await new Promise<void>((resolve) => (wake = resolve));
}

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc!();
  }
  return process.memoryUsage().heapUsed;
}

// 1. Baseline: modules loaded, the fake reached once (with fetch; the guard's own http agent is part of step 2).
await (await fetch(`${config.host}/oidc/.well-known/openid-configuration`)).arrayBuffer();
process.send({ type: 'started' });
const baseline = await settledHeap();

// 2. The guard, warmed with one user.
const guard = createSessionGuard({
  host: config.host,
  accessKeyId: config.accessKeyId,
  accessKeySecret: config.accessKeySecret,
  identity: header('x-user-id'),
  cache: { max: users, ttlMs: 3_600_000 },
});
const authenticate = (index: number) => guard.authenticate({ headers: { 'x-user-id': userIdOf(index) } }, config.appId);
await waitForLogin(0);
await authenticate(0);
const warmBaseline = await settledHeap();

// 3. The rest.
const started = Date.now();
let next = 1;
let failures = 0;
await Promise.all(Array.from({ length: concurrency }, async () => {
  for (let index = next++; index < users; index = next++) {
    await waitForLogin(index);
    try {
      await authenticate(index);
    } catch {
      failures++;
    }
  }
}));
const authenticateMs = Date.now() - started;
const after = await settledHeap();
const stats = guard.stats();

const result = {
  type: 'result',
  users,
  baseline,
  warmBaseline,
  after,
  size: stats.size,
  upstreamCalls: stats.upstreamCalls,
  failures,
  authenticateMs,
  rss: process.memoryUsage().rss,
};
process.send(result);
// The runner reads this process's CPU time, then sends `stop`. The guard stays referenced until then.
setInterval(() => guard.stats(), 60_000);
