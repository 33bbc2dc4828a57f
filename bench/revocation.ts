/**
 * `npm run bench:revocation [-- --kicks N] [--users N] [--every MS] [--json]`: revocation with a webhook, loopback only.
 *
 * 1. Latency, one process: an Express 5 app with the guard (`ttlMs` 5 min, so only the webhook can end a cached
 *    answer) and `genauthWebhook` registered at the fake GenAuth. For each of N kicks: a user signs in, one request
 *    caches the "active" answer, a client polls the guarded route back to back (keep-alive, one request at a time),
 *    then the user is kicked at the fake; the latency is from the kick to the first 401 the client sees. It includes
 *    the fake's HTTP delivery, the receiver, one check call to GenAuth (the cached answer is gone) and at most one
 *    poll round trip.
 * 2. Latency, two replicas: two guards, each with its own HTTP server and its own connections to one real Redis
 *    (`redisStore`, started on a free port and stopped at the end), in this process. The webhook is registered at
 *    replica A only; the client polls replica B, where the kick arrives through Redis (pub/sub).
 * 3. GenAuth check calls per user-hour, counted (not timed, not scaled): U users each send one request every 1 s
 *    for one simulated hour (an injected clock for the guard and the fake; requests through `authenticate`, no
 *    HTTP), with `ttlMs` 5 s and no webhook, then with `ttlMs` 5 min (the receiver adds one call per user named in a
 *    delivered event; none are sent here). Refresh ahead is on (default `ttlMs / 10`), as in a default set-up.
 *
 * Prints the figures and the load average (the machine may be shared). Everything is closed at the end.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import express from 'express';
import { createClient } from 'redis';
import { createSessionGuard, genauthWebhook, header, requireActiveSession, type SessionGuard } from '../src/index';
import { redisStore } from '../src/redis';
import { createFakeGenAuth, type FakeGenAuth } from '../src/testing';
import { startRedis } from '../test/redis/redis-server';

const { values: flags } = parseArgs({
  options: { kicks: { type: 'string' }, users: { type: 'string' }, every: { type: 'string' }, json: { type: 'boolean' } },
  strict: true,
});
const KICKS = Number(flags.kicks ?? 200);
const USERS = Number(flags.users ?? 20);
/** Each user's request interval in the calls-per-user-hour count (simulated ms). */
const EVERY_MS = Number(flags.every ?? 1_000);
if (![KICKS, USERS, EVERY_MS].every((value) => Number.isInteger(value) && value >= 1) || 3_600_000 % EVERY_MS !== 0) {
  console.error('bench:revocation: --kicks, --users and --every take positive integers (--every dividing an hour)');
  process.exit(2);
}

const APP = 'bench-app';
const SECRET = 'bench-revocation-webhook-secret-0123456789';
const FIVE_MINUTES = 5 * 60_000;
/** A kick not seen as a 401 within this is counted as missed. */
const GIVE_UP_MS = 5_000;
const now = () => performance.now();
const log = (message: string) => process.stderr.write(`[bench:revocation] ${message}\n`);

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A guarded route and, when `withReceiver`, the webhook receiver, on one Express 5 server. */
async function replica(guard: SessionGuard, withReceiver: boolean) {
  const app = express();
  if (withReceiver) app.post('/hooks/genauth', genauthWebhook({ guard, secret: SECRET }));
  app.get('/admin', requireActiveSession(APP, { guard }), (_req, res) => {
    res.json({ ok: true });
  });
  return listen(app);
}

function makeGuard(fake: FakeGenAuth, extra: Record<string, unknown> = {}): SessionGuard {
  return createSessionGuard({
    host: fake.host,
    accessKeyId: fake.accessKeyId,
    accessKeySecret: fake.accessKeySecret,
    identity: header('x-user-id'),
    cache: { ttlMs: FIVE_MINUTES, inactiveTtlMs: 1_000 },
    timeoutMs: 2_000,
    ...extra,
  } as Parameters<typeof createSessionGuard>[0]);
}

async function status(url: string, userId: string): Promise<number> {
  const response = await fetch(`${url}/admin`, { headers: { 'x-user-id': userId } });
  await response.arrayBuffer();
  return response.status;
}

/**
 * N kicks; each: sign in, cache the answer on `polled` (and on `receiving`), poll `polled` back to back, kick, time
 * the first 401. Returns the latencies (ms) and the kicks missed.
 */
async function measureKicks(fake: FakeGenAuth, receiving: string, polled: string, label: string): Promise<{ latencies: number[]; missed: number }> {
  const latencies: number[] = [];
  let missed = 0;
  for (let i = 0; i < KICKS; i++) {
    const user = `${label}-user-${i}`;
    await fake.login(user, APP);
    if ((await status(receiving, user)) !== 200 || (await status(polled, user)) !== 200) throw new Error(`${label}: ${user} not let in before the kick`);
    let kickedAt: number | undefined;
    let firstRefusal: number | undefined;
    let polls = 0;
    const poller = (async () => {
      const deadline = now() + GIVE_UP_MS;
      while (now() < deadline) {
        const code = await status(polled, user);
        polls++;
        if (code === 401 && kickedAt !== undefined) {
          firstRefusal = now();
          return;
        }
        if (code !== 200) throw new Error(`${label}: ${code} for ${user} before the kick`);
      }
    })();
    // Let the poller run a few rounds on the cached answer, then kick.
    while (polls < 3) await new Promise((resolve) => setImmediate(resolve));
    kickedAt = now();
    fake.kick(user);
    await poller;
    if (firstRefusal === undefined) missed++;
    else latencies.push(firstRefusal - kickedAt);
    await fake.webhookDeliveries();
  }
  return { latencies, missed };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return { kicks: sorted.length, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? Number.NaN) };
}

async function oneProcess() {
  const fake = await createFakeGenAuth();
  const guard = makeGuard(fake);
  const server = await replica(guard, true);
  fake.addWebhook({ url: `${server.url}/hooks/genauth`, secret: SECRET, events: ['kick'] });
  try {
    const { latencies, missed } = await measureKicks(fake, server.url, server.url, 'single');
    return { ...summary(latencies), missed };
  } finally {
    await closeServer(server.server);
    await guard.close();
    await fake.close();
  }
}

async function twoReplicas() {
  const redis = await startRedis();
  const fake = await createFakeGenAuth();
  const guards = [0, 1].map(() => makeGuard(fake, { store: redisStore({ client: createClient({ url: redis.url }) }) }));
  const [a, b] = [await replica(guards[0]!, true), await replica(guards[1]!, false)];
  try {
    const deadline = Date.now() + 10_000;
    while (!guards.every((guard) => guard.stats().store === 'up')) {
      if (Date.now() > deadline) throw new Error('the Redis store did not come up');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    fake.addWebhook({ url: `${a.url}/hooks/genauth`, secret: SECRET, events: ['kick'] });
    const { latencies, missed } = await measureKicks(fake, a.url, b.url, 'replica');
    return { ...summary(latencies), missed, remoteInvalidations: guards[1]!.stats().remoteInvalidations };
  } finally {
    await Promise.all([closeServer(a.server), closeServer(b.server)]);
    await Promise.all(guards.map((guard) => guard.close()));
    await fake.close();
    await redis.stop();
  }
}

/** Check calls per user-hour: USERS users, one request each every EVERY_MS of a simulated hour. */
async function callsPerUserHour(ttlMs: number) {
  let time = Date.UTC(2026, 0, 1);
  const clock = () => time;
  const fake = await createFakeGenAuth({ clock, tokenLifetimeSec: 7_200 });
  const guard = makeGuard(fake, { clock, cache: { ttlMs, inactiveTtlMs: 1_000 } });
  const users = Array.from({ length: USERS }, (_, i) => `hour-user-${i}`);
  for (const user of users) await fake.login(user, APP);
  try {
    const STEP_MS = EVERY_MS;
    const steps = 3_600_000 / STEP_MS;
    for (let step = 0; step < steps; step++) {
      await Promise.all(users.map((user) => guard.authenticate({ headers: { 'x-user-id': user } }, APP)));
      // Background refreshes land before the clock moves on.
      while (guard.stats().inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 1));
      time += STEP_MS;
    }
    const stats = guard.stats();
    return { ttlMs, requests: steps * USERS, checkCalls: fake.calls.check, perUserHour: Math.round((fake.calls.check / USERS) * 10) / 10, refreshes: stats.refreshes };
  } finally {
    await guard.close();
    await fake.close();
  }
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  log(`one process, ${KICKS} kicks`);
  const single = await oneProcess();
  log(`two replicas sharing Redis, ${KICKS} kicks`);
  const replicas = await twoReplicas();
  log(`check calls per user-hour, ${USERS} users`);
  const short = await callsPerUserHour(5_000);
  const long = await callsPerUserHour(FIVE_MINUTES);
  const loadAfter = loadavg();
  const report = {
    node: process.version,
    cpus: cpus().length,
    loadAverage: { before: loadBefore.map((v) => Math.round(v * 100) / 100), after: loadAfter.map((v) => Math.round(v * 100) / 100) },
    latencyMs: { oneProcess: single, twoReplicasRedis: replicas },
    checkCallsPerUserHour: { ttl5sNoWebhook: short, ttl5minWithWebhook: long },
  };
  if (flags.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`Node ${report.node}, ${report.cpus} CPUs, load average (1/5/15 min) ${report.loadAverage.before.join(' / ')} before, ${report.loadAverage.after.join(' / ')} after`);
  console.log('');
  console.log('| kick at the fake to the first 401 | kicks | p50 | p99 | max | missed |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, row] of [['one process', single], ['two replicas, Redis (webhook at A, client on B)', replicas]] as const) {
    console.log(`| ${name} | ${row.kicks} | ${row.p50} ms | ${row.p99} ms | ${row.max} ms | ${row.missed} |`);
  }
  console.log('');
  console.log(`| check calls per user-hour (${USERS} users, a request every ${EVERY_MS / 1000} s, counted over a simulated hour) | calls | per user-hour | refreshes |`);
  console.log('| --- | ---: | ---: | ---: |');
  console.log(`| ttlMs 5 s, no webhook | ${short.checkCalls} | ${short.perUserHour} | ${short.refreshes} |`);
  console.log(`| ttlMs 5 min, webhook | ${long.checkCalls} | ${long.perUserHour} | ${long.refreshes} |`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
