/**
 * Blip figures, wall clock, loopback only: `npx tsx scripts/blip-figures.ts [--json]`
 *
 * The set-up: the fake GenAuth, an Express 5 app with the default guard options except `ttlMs` 200 ms
 * (header identity), 200 users, 16 clients each with one request in flight. Three scenarios, each on a fresh guard:
 * - blip: healthy 2 s, GenAuth answering body statusCode 500 for 300 ms, healthy 3 s. Reports the requests in the
 *   3 s after recovery, how many were refused 503, and when the last 503 after recovery came;
 * - down: healthy 1 s, body 500 for 3 s. Reports requests and check-session-status HTTP requests the fake received
 *   (retries included) during the 3 s;
 * - flap: 10 s of faults about half the time, in bursts of 150 to 450 ms. Reports the share of 503s.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import express from 'express';
import { createSessionGuard, header, requireActiveSession, type SessionGuard } from '../src/index';
import { createFakeGenAuth, type FakeGenAuth } from '../src/testing';

const CLIENTS = 16;
const USERS = 200;
const APP = 'blip-app';
const now = () => performance.now();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

interface Outcome { at: number; status: number }

async function withApp<T>(run: (ctx: { fake: FakeGenAuth; guard: SessionGuard; load: (ms: number) => Promise<Outcome[]> }) => Promise<T>): Promise<T> {
  const fake = await createFakeGenAuth();
  const users = Array.from({ length: USERS }, (_, i) => `user-${i}`);
  for (const user of users) await fake.login(user, APP);
  const guard = createSessionGuard({
    host: fake.host,
    accessKeyId: fake.accessKeyId,
    accessKeySecret: fake.accessKeySecret,
    identity: header('x-user-id'),
    cache: { ttlMs: 200 },
  });
  const app = express();
  app.get('/p', requireActiveSession(APP, { guard }), (_req, res) => {
    res.json({ ok: true });
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/p`;
  const load = async (ms: number) => {
    const outcomes: Outcome[] = [];
    const until = now() + ms;
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (now() < until) {
        const user = users[Math.floor(Math.random() * users.length)]!;
        const response = await fetch(url, { headers: { 'x-user-id': user } });
        await response.arrayBuffer();
        outcomes.push({ at: now(), status: response.status });
      }
    }));
    return outcomes;
  };
  try {
    return await run({ fake, guard, load });
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await guard.close();
    await fake.close();
  }
}

async function blip() {
  return withApp(async ({ fake, load }) => {
    const running = load(5_300);
    await sleep(2_000);
    fake.fault({ kind: 'body-status', statusCode: 500 });
    await sleep(300);
    fake.clearFaults();
    const recovered = now();
    const outcomes = (await running).filter((o) => o.at >= recovered);
    const refused = outcomes.filter((o) => o.status === 503);
    return {
      requestsAfterRecovery: outcomes.length,
      refused503AfterRecovery: refused.length,
      refused503MoreThan1sAfter: refused.filter((o) => o.at > recovered + 1_000).length,
      last503AfterRecoveryMs: refused.length === 0 ? 0 : Math.round(Math.max(...refused.map((o) => o.at)) - recovered),
    };
  });
}

async function down() {
  return withApp(async ({ fake, guard, load }) => {
    const running = load(4_000);
    await sleep(1_000);
    const calls = fake.calls.check;
    const upstreamCalls = guard.stats().upstreamCalls;
    const from = now();
    fake.fault({ kind: 'body-status', statusCode: 500 });
    await sleep(3_000);
    const httpRequests = fake.calls.check - calls;
    const guardCalls = guard.stats().upstreamCalls - upstreamCalls;
    fake.clearFaults();
    const outcomes = (await running).filter((o) => o.at >= from && o.at < from + 3_000);
    return {
      requests: outcomes.length,
      checkHttpRequests: httpRequests,
      guardUpstreamCalls: guardCalls,
      budget: Math.max(60, Math.floor(0.05 * outcomes.length)),
      refused503: outcomes.filter((o) => o.status === 503).length,
    };
  });
}

async function flap() {
  return withApp(async ({ fake, load }) => {
    const running = load(10_000);
    const until = now() + 10_000;
    let faulty = 0;
    while (now() < until) {
      const burst = between(150, 450);
      fake.fault({ kind: 'body-status', statusCode: 500 });
      await sleep(burst);
      faulty += burst;
      fake.clearFaults();
      await sleep(between(150, 450));
    }
    const outcomes = await running;
    const refused = outcomes.filter((o) => o.status === 503).length;
    return { requests: outcomes.length, faultyShare: Math.round(faulty / 100) / 100, refused503: refused, refusedShare: Math.round((refused / outcomes.length) * 100) / 100 };
  });
}

async function main() {
  const report = { loadAverage1m: Math.round((loadavg()[0] ?? 0) * 10) / 10, blip: await blip(), down: await down(), flap: await flap() };
  if (process.argv.includes('--json')) console.log(JSON.stringify(report));
  else console.log(report);
}

void main();
