/**
 * `npm run bench`: the guard against the unprotected route and its peers, every server in its own process, load
 * from autocannon, scenarios interleaved (A B A B), medians and ratios written to BENCHMARKS.md.
 * `npm run bench -- --help` lists the flags; `--profile` captures a CPU profile of scenario 2 instead.
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createFakeGenAuth, type FakeGenAuth } from '../src/testing';
import { childCpu, cpuSecondsOf, REPO_ROOT, startChild, startServer, type RunningServer } from './lib/child';
import { runLoad, type LoadResult } from './lib/load';
import { runSteady } from './lib/steady';
import { APP_ID, userIdOf } from './lib/ids';
import { describeMachine } from './lib/machine';
import { pinServer, setUpPinning } from './lib/pinning';
import { summarizeProfile } from './lib/profile';
import { renderReport, type CpuShare, type HeapResult, type Row, type RunRecord, type Settings } from './lib/report';

const HELP = `npm run bench [-- flags]

  --duration <s>            measured seconds of each run, scenarios 1-4 (default 3; 10 with --profile)
  --warmup <s>              unmeasured seconds of load before each run (default 1; at least 2 before a server's first run)
  --rounds <n>              A B rounds per scenario, at least 2 (default 2)
  --connections <n>         autocannon connections, scenarios 1-4 (default 32)
  --steady-duration <s>     measured seconds of each run of scenario 5 (default 10)
  --steady-rate <n>         requests per second of scenario 5, spread over its users (default 2000)
  --steady-connections <n>  most keep-alive connections of scenario 5's paced client (default 64)
  --steady-users <n>        users of scenario 5 (default 1000)
  --steady-ttl <ms>         cache TTL of scenario 5's expiring side (default 1000)
  --heap-users <n>          cached users of scenario 6 (default 100000)
  --only <list>             scenarios to run, e.g. 1,2,3 (7: Fastify) (default all; BENCHMARKS.md is then not written unless --out)
  --out <file>              where to write the report (default BENCHMARKS.md)
  --dry-run                 print the table, write nothing
  --profile                 CPU profile (node --cpu-prof) of scenario 2 on our server, into .tmp/profiles/
  --profile-server <name>   profile another server of bench/servers/ instead (default guard-jwt)
  --same-processes          scenarios 1-4: keep each server's process for every round (default: a new one per round)
  --no-pin                  do not pin the server to core 0 and the runner to the others (taskset; on by default)
  --help`;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string' },
    connections: { type: 'string' },
    'steady-duration': { type: 'string' },
    'steady-rate': { type: 'string' },
    'steady-connections': { type: 'string' },
    'steady-users': { type: 'string' },
    'steady-ttl': { type: 'string' },
    'heap-users': { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
    'dry-run': { type: 'boolean' },
    profile: { type: 'boolean' },
    'profile-server': { type: 'string' },
    'no-pin': { type: 'boolean' },
    'same-processes': { type: 'boolean' },
    help: { type: 'boolean' },
  },
  strict: true,
});

if (flags.help) {
  console.log(HELP);
  process.exit(0);
}

function numberFlag(name: keyof typeof flags, fallback: number, min = 1): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number >= ${min}, got ${String(raw)}`);
  return value;
}

const pinning = setUpPinning(!flags['no-pin']);

const settings: Settings = {
  duration: numberFlag('duration', flags.profile ? 10 : 3),
  warmup: numberFlag('warmup', 1, 0),
  rounds: numberFlag('rounds', 2, 2),
  connections: numberFlag('connections', 32),
  steadyDuration: numberFlag('steady-duration', 10),
  steadyRate: numberFlag('steady-rate', 2000),
  steadyConnections: numberFlag('steady-connections', 64),
  steadyUsers: numberFlag('steady-users', 1000),
  steadyTtlMs: numberFlag('steady-ttl', 1000),
  heapUsers: numberFlag('heap-users', 100_000, 2),
};
const only = flags.only ? new Set(flags.only.split(',').map((s) => Number(s.trim()))) : undefined;
const wants = (scenario: number) => only === undefined || only.has(scenario);
const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

// ---------------------------------------------------------------------------------------------------------------
// The fake GenAuth, its users and tokens.

interface World {
  fake: FakeGenAuth;
  /** Logged in: a live session in APP_ID. */
  user: string;
  /** Known to the fake, no session. */
  inactiveUser: string;
  /** RS256 access token of `user` for APP_ID. */
  token: string;
  /** Same user and issuer, audience another app. */
  wrongAudienceToken: string;
  /** RS256 access token of `inactiveUser` for APP_ID. */
  inactiveToken: string;
  /** A live session, without the role `admin` (which `user` holds). */
  clerk: string;
}

async function createWorld(): Promise<World> {
  const fake = await createFakeGenAuth();
  const user = userIdOf(0);
  const inactiveUser = 'ffffffffffffffffffffffff';
  const token = await fake.login(user, APP_ID);
  fake.assignRole(user, 'admin');
  fake.addUser(inactiveUser);
  const clerk = userIdOf(1);
  await fake.login(clerk, APP_ID);
  const wrongAudienceToken = await fake.signToken({ sub: user, aud: 'another-app', iss: fake.issuer });
  const inactiveToken = await fake.signToken({ sub: inactiveUser, aud: APP_ID, iss: fake.issuer });
  return { fake, user, inactiveUser, token, wrongAudienceToken, inactiveToken, clerk };
}

function serverConfig(world: World, extra: Record<string, unknown> = {}) {
  const { fake } = world;
  return {
    host: fake.host,
    issuer: fake.issuer,
    jwksUri: fake.jwksUri,
    accessKeyId: fake.accessKeyId,
    accessKeySecret: fake.accessKeySecret,
    appId: APP_ID,
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Servers under test: what each is, what it is loaded with, and the probes that prove it checks what it claims.

interface Probe {
  label: string;
  headers: Record<string, string>;
  status: number;
}

interface ServerSpec {
  /** Name in the report. */
  name: string;
  /** File under bench/servers/. */
  file: string;
  extraConfig?: Record<string, unknown>;
  probes: (world: World) => Probe[];
}

const NO_HEADERS: Record<string, string> = {};
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

type ServerKey = 'unprotected' | 'authOnly' | 'guardRole' | 'guardHeader' | 'guardJwt' | 'jwtLookupOnly' | 'oauth2JwtBearer' | 'expressJwt' | 'guardNoCache' | 'sdkPerRequest'
  | 'fastifyAuthOnly' | 'fastifyGuardHeader' | 'fastifyGuardJwt' | 'fastifyJwt';

const SERVERS: Record<ServerKey, ServerSpec> = {
  unprotected: {
    name: 'unprotected route',
    file: 'unprotected',
    probes: () => [{ label: 'no credentials', headers: NO_HEADERS, status: 200 }],
  },
  authOnly: {
    name: 'middleware setting req.auth only',
    file: 'auth-only',
    probes: () => [{ label: 'no credentials', headers: NO_HEADERS, status: 200 }],
  },
  guardRole: {
    name: "guard, header identity, roles: ['admin']",
    file: 'guard-role',
    probes: (w) => [
      { label: 'live session, admin', headers: { 'x-user-id': w.user }, status: 200 },
      { label: 'no credentials', headers: NO_HEADERS, status: 401 },
      { label: 'no session', headers: { 'x-user-id': w.inactiveUser }, status: 401 },
      { label: 'live session, not admin', headers: { 'x-user-id': w.clerk }, status: 403 },
    ],
  },
  guardHeader: {
    name: 'guard, header identity',
    file: 'guard-header',
    probes: (w) => [
      { label: 'live session', headers: { 'x-user-id': w.user }, status: 200 },
      { label: 'no credentials', headers: NO_HEADERS, status: 401 },
      { label: 'no session', headers: { 'x-user-id': w.inactiveUser }, status: 401 },
    ],
  },
  guardJwt: {
    name: 'guard, bearer JWT + session',
    file: 'guard-jwt',
    probes: (w) => [
      { label: 'live session', headers: bearer(w.token), status: 200 },
      { label: 'no credentials', headers: NO_HEADERS, status: 401 },
      { label: 'wrong audience', headers: bearer(w.wrongAudienceToken), status: 401 },
      { label: 'valid JWT, no session', headers: bearer(w.inactiveToken), status: 401 },
    ],
  },
  jwtLookupOnly: {
    name: 'bearer token looked up in a Map only',
    file: 'jwt-lookup-only',
    probes: (w) => [
      { label: 'any bearer token', headers: bearer(w.token), status: 200 },
      { label: 'no credentials', headers: NO_HEADERS, status: 401 },
    ],
  },
  oauth2JwtBearer: {
    name: 'express-oauth2-jwt-bearer',
    file: 'oauth2-jwt-bearer',
    probes: (w) => [
      { label: 'valid JWT', headers: bearer(w.token), status: 200 },
      { label: 'no credentials', headers: NO_HEADERS, status: 401 },
      { label: 'wrong audience', headers: bearer(w.wrongAudienceToken), status: 401 },
    ],
  },
  expressJwt: {
    name: 'express-jwt + jwks-rsa',
    file: 'express-jwt',
    probes: (w) => [
      { label: 'valid JWT', headers: bearer(w.token), status: 200 },
      { label: 'no credentials', headers: NO_HEADERS, status: 401 },
      { label: 'wrong audience', headers: bearer(w.wrongAudienceToken), status: 401 },
    ],
  },
  guardNoCache: {
    name: 'guard, cache off, signature auth',
    file: 'guard-no-cache',
    probes: (w) => [
      { label: 'live session', headers: { 'x-user-id': w.user }, status: 200 },
      { label: 'no credentials', headers: NO_HEADERS, status: 401 },
      { label: 'no session', headers: { 'x-user-id': w.inactiveUser }, status: 401 },
    ],
  },
  sdkPerRequest: {
    name: 'authing-node-sdk checkSessionStatus per request',
    file: 'sdk-per-request',
    probes: (w) => [
      { label: 'live session', headers: { 'x-user-id': w.user }, status: 200 },
      { label: 'no credentials', headers: NO_HEADERS, status: 401 },
      { label: 'no session', headers: { 'x-user-id': w.inactiveUser }, status: 401 },
    ],
  },
  fastifyAuthOnly: {
    name: 'Fastify: hook setting request.auth only',
    file: 'fastify-auth-only',
    probes: () => [{ label: 'no credentials', headers: NO_HEADERS, status: 200 }],
  },
  fastifyGuardHeader: {
    name: 'Fastify: guard, header identity',
    file: 'fastify-guard-header',
    probes: (w) => [
      { label: 'live session', headers: { 'x-user-id': w.user }, status: 200 },
      { label: 'no credentials', headers: NO_HEADERS, status: 401 },
      { label: 'no session', headers: { 'x-user-id': w.inactiveUser }, status: 401 },
    ],
  },
  fastifyGuardJwt: {
    name: 'Fastify: guard, bearer JWT + session',
    file: 'fastify-guard-jwt',
    probes: (w) => [
      { label: 'live session', headers: bearer(w.token), status: 200 },
      { label: 'no credentials', headers: NO_HEADERS, status: 401 },
      { label: 'wrong audience', headers: bearer(w.wrongAudienceToken), status: 401 },
      { label: 'valid JWT, no session', headers: bearer(w.inactiveToken), status: 401 },
    ],
  },
  fastifyJwt: {
    name: '@fastify/jwt + jwks-rsa',
    file: 'fastify-jwt',
    probes: (w) => [
      { label: 'valid JWT', headers: bearer(w.token), status: 200 },
      { label: 'no credentials', headers: NO_HEADERS, status: 401 },
      { label: 'wrong audience', headers: bearer(w.wrongAudienceToken), status: 401 },
    ],
  },
};

function steadySpecs(): ServerSpec[] {
  const probes = SERVERS.guardHeader.probes;
  return [
    { name: `guard, ${settings.steadyUsers} users, ttlMs ${settings.steadyTtlMs} (expiring)`, file: 'guard-header', extraConfig: { ttlMs: settings.steadyTtlMs }, probes },
    { name: `guard, ${settings.steadyUsers} users, ttlMs 3600000 (pure hits)`, file: 'guard-header', extraConfig: { ttlMs: 3_600_000 }, probes },
  ];
}

async function probe(server: RunningServer, probes: Probe[]): Promise<void> {
  for (const { label, headers, status } of probes) {
    const response = await fetch(`${server.url}/admin`, { headers });
    await response.arrayBuffer();
    if (response.status !== status) {
      throw new Error(`${server.name}: probe "${label}" answered ${response.status}, expected ${status}; the server is not set up as the bench assumes`);
    }
  }
}

async function launch(world: World, spec: ServerSpec, nodeFlags: string[] = []): Promise<RunningServer> {
  const server = await startServer(spec.name, {
    file: `servers/${spec.file}.ts`,
    config: serverConfig(world, spec.extraConfig),
    nodeFlags,
  });
  pinServer(pinning, server.process.pid);
  try {
    await probe(server, spec.probes(world));
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

// ---------------------------------------------------------------------------------------------------------------
// Interleaved runs.

interface LoadShape {
  duration: number;
  connections: number;
  headers?: Record<string, string>;
}

/** Drives one run against `url` for `duration` seconds. */
type Driver = (url: string, duration: number) => Promise<LoadResult>;

const autocannonDriver = (shape: LoadShape): Driver => (url, duration) => runLoad({ ...shape, url, duration });

const records: RunRecord[] = [];

/**
 * Runs every server of a group once per round, after an unmeasured warm-up, each round starting one server further
 * on (A B C, B C A, C A B, ...): no server always runs first, right after the runner's own work between rounds.
 */
async function interleave(
  group: string,
  servers: RunningServer[],
  drive: Driver,
  duration: number,
  world: World,
  restart?: (server: RunningServer) => Promise<RunningServer>,
): Promise<Map<string, LoadResult[]>> {
  const results = new Map<string, LoadResult[]>(servers.map((server) => [server.name, []]));
  const fresh = restart !== undefined && !flags['same-processes'];
  for (let round = 1; round <= settings.rounds; round++) {
    // A new process per server per round: one process's luck (code placement, JIT timing) varied its throughput by up
    // to ±10 % against a twin process of the same server; the median over rounds is then also over processes.
    if (fresh && round > 1) for (let i = 0; i < servers.length; i++) servers[i] = await restart(servers[i]!);
    const shift = (round - 1) % servers.length;
    for (const server of [...servers.slice(shift), ...servers.slice(0, shift)]) {
      // A server's first run in a process gets a longer warm-up (JIT, connection pools, caches); later ones the set one.
      const warmup = round === 1 || fresh ? Math.max(2, settings.warmup) : settings.warmup;
      if (warmup > 0) await drive(server.url, warmup);
      const checksBefore = world.fake.calls.check;
      const serverCpuBefore = server.cpuSeconds();
      const runnerCpuBefore = process.cpuUsage();
      const startedAt = performance.now();
      const result = await drive(server.url, duration);
      const wallSec = (performance.now() - startedAt) / 1000;
      const serverCpuAfter = server.cpuSeconds();
      const runnerCpu = process.cpuUsage(runnerCpuBefore);
      const upstreamPerSec = (world.fake.calls.check - checksBefore) / duration;
      const serverCpuSec = serverCpuBefore !== undefined && serverCpuAfter !== undefined ? serverCpuAfter - serverCpuBefore : undefined;
      results.get(server.name)!.push(result);
      records.push({
        group,
        server: server.name,
        round,
        result,
        upstreamPerSec,
        serverCpuPercent: serverCpuSec === undefined ? undefined : (100 * serverCpuSec) / wallSec,
        serverCpuUsPerRequest: serverCpuSec === undefined || result.requests === 0 ? undefined : (1e6 * serverCpuSec) / result.requests,
        runnerCpuPercent: (100 * (runnerCpu.user + runnerCpu.system) / 1e6) / wallSec,
      });
      log(`${group} · round ${round} · ${server.name}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms` +
        `${result.non2xx || result.errors ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''}, upstream ${Math.round(upstreamPerSec)}/s`);
    }
  }
  return results;
}

async function withServers<T>(
  world: World,
  specs: ServerSpec[],
  body: (servers: RunningServer[], restart: (server: RunningServer) => Promise<RunningServer>) => Promise<T>,
): Promise<T> {
  const servers: RunningServer[] = [];
  const restart = async (server: RunningServer): Promise<RunningServer> => {
    const index = servers.indexOf(server);
    await server.stop();
    const again = await launch(world, specs[index]!);
    servers[index] = again;
    return again;
  };
  try {
    // One at a time: a starting server (tsx transpiling) must not steal CPU from another's readiness.
    for (const spec of specs) servers.push(await launch(world, spec));
    return await body(servers, restart);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const clean = (results: LoadResult[]) => results.every((r) => r.non2xx === 0 && r.errors === 0 && r.timeouts === 0);

function throughputRow(scenario: number | string, title: string, target: number | undefined, a: string, b: string, results: Map<string, LoadResult[]>): Row {
  const ra = results.get(a)!;
  const rb = results.get(b)!;
  const va = median(ra.map((r) => r.rps));
  const vb = median(rb.map((r) => r.rps));
  // The same comparison from server CPU time per request (B / A): less disturbed by other work on the machine.
  const cpuOf = (name: string) => records.filter((r) => r.server === name && r.serverCpuUsPerRequest !== undefined).map((r) => r.serverCpuUsPerRequest!);
  const ca = cpuOf(a);
  const cb = cpuOf(b);
  const cpuRatio = ca.length && cb.length ? median(cb) / median(ca) : undefined;
  return { scenario, title, a, b, aValue: va, bValue: vb, unit: 'req/s', ratio: va / vb, cpuRatio, target, direction: 'min', clean: clean(ra) && clean(rb) };
}

// ---------------------------------------------------------------------------------------------------------------
// Scenarios.

async function scenarioHeaderHit(world: World): Promise<Row[]> {
  const specs = [SERVERS.guardHeader, SERVERS.authOnly, SERVERS.guardRole, SERVERS.unprotected];
  return withServers(world, specs, async (servers, restart) => {
    const results = await interleave('1 header hit', servers, autocannonDriver({ duration: settings.duration, connections: settings.connections, headers: { 'x-user-id': world.user } }), settings.duration, world, restart);
    return [
      throughputRow(1, 'cache hit, `header(\'x-user-id\')` / a middleware that only sets `req.auth`', 0.97, SERVERS.guardHeader.name, SERVERS.authOnly.name, results),
      throughputRow('1a', 'a middleware that only sets `req.auth` / the same route unprotected (reference, no target)', undefined, SERVERS.authOnly.name, SERVERS.unprotected.name, results),
      throughputRow('1b', 'cache hit, role-protected route (`roles: [\'admin\']`, session and role cached) / a middleware that only sets `req.auth` (no target)', undefined, SERVERS.guardRole.name, SERVERS.authOnly.name, results),
      throughputRow('1c', 'cache hit, `header(\'x-user-id\')` / the same route unprotected (no target)', undefined, SERVERS.guardHeader.name, SERVERS.unprotected.name, results),
    ];
  });
}

async function scenarioJwt(world: World): Promise<Row[]> {
  const specs = [SERVERS.guardJwt, ...(wants(2) ? [SERVERS.oauth2JwtBearer] : []), ...(wants(3) ? [SERVERS.expressJwt, SERVERS.jwtLookupOnly] : [])];
  return withServers(world, specs, async (servers, restart) => {
    const results = await interleave('2-3 bearer JWT', servers, autocannonDriver({ duration: settings.duration, connections: settings.connections, headers: bearer(world.token) }), settings.duration, world, restart);
    const rows: Row[] = [];
    if (wants(2)) rows.push(throughputRow(2, 'cache hit, RS256 bearer JWT + session check / express-oauth2-jwt-bearer (JWT only), same token and JWKS', 1.5, SERVERS.guardJwt.name, SERVERS.oauth2JwtBearer.name, results));
    if (wants(3)) {
      rows.push(
        throughputRow(3, 'the same / express-jwt + jwks-rsa (JWT only)', 3, SERVERS.guardJwt.name, SERVERS.expressJwt.name, results),
        throughputRow('3a', 'a middleware that only looks the bearer token up in a Map / express-jwt + jwks-rsa (the ceiling of scenario 3 for any cached-JWT middleware; no target)', undefined, SERVERS.jwtLookupOnly.name, SERVERS.expressJwt.name, results),
        throughputRow('3b', 'cache hit, RS256 bearer JWT + session check / a middleware that only looks the bearer token up in a Map (no target)', undefined, SERVERS.guardJwt.name, SERVERS.jwtLookupOnly.name, results),
      );
    }
    return rows;
  });
}

/** Fastify (issue 19): the hit path beside a hook that only sets request.auth, and a bearer JWT beside @fastify/jwt. */
async function scenarioFastify(world: World): Promise<Row[]> {
  const hit = await withServers(world, [SERVERS.fastifyGuardHeader, SERVERS.fastifyAuthOnly], async (servers, restart) => {
    const results = await interleave('7 Fastify header hit', servers, autocannonDriver({ duration: settings.duration, connections: settings.connections, headers: { 'x-user-id': world.user } }), settings.duration, world, restart);
    return [throughputRow(7, 'Fastify: cache hit, `header(\'x-user-id\')` / a hook that only sets `request.auth`', 0.95, SERVERS.fastifyGuardHeader.name, SERVERS.fastifyAuthOnly.name, results)];
  });
  const jwt = await withServers(world, [SERVERS.fastifyGuardJwt, SERVERS.fastifyJwt], async (servers, restart) => {
    const results = await interleave('7 Fastify bearer JWT', servers, autocannonDriver({ duration: settings.duration, connections: settings.connections, headers: bearer(world.token) }), settings.duration, world, restart);
    return [throughputRow('7a', 'Fastify: cache hit, RS256 bearer JWT + session check / @fastify/jwt + jwks-rsa (JWT only), same token and JWKS (no target)', undefined, SERVERS.fastifyGuardJwt.name, SERVERS.fastifyJwt.name, results)];
  });
  return [...hit, ...jwt];
}

async function scenarioNoCache(world: World): Promise<Row[]> {
  const specs = [SERVERS.guardNoCache, SERVERS.sdkPerRequest];
  return withServers(world, specs, async (servers, restart) => {
    const results = await interleave('4 no cache', servers, autocannonDriver({ duration: settings.duration, connections: settings.connections, headers: { 'x-user-id': world.user } }), settings.duration, world, restart);
    return [throughputRow(4, 'guard with `cache: false`, `auth: \'signature\'` / a middleware calling authing-node-sdk `checkSessionStatus` per request', 3, specs[0]!.name, specs[1]!.name, results)];
  });
}

async function scenarioSteady(world: World): Promise<Row[]> {
  const users = Array.from({ length: settings.steadyUsers }, (_, i) => userIdOf(i));
  await Promise.all(users.map((user) => world.fake.login(user, APP_ID)));
  const specs = steadySpecs();
  return withServers(world, specs, async (servers) => {
    // Every user cached once on both sides before any load: the pure-hit side then never misses.
    for (const server of servers) {
      for (let i = 0; i < users.length; i += 50) {
        await Promise.all(users.slice(i, i + 50).map(async (user) => {
          const response = await fetch(`${server.url}/admin`, { headers: { 'x-user-id': user } });
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`${server.name}: pre-warm of ${user} answered ${response.status}`);
        }));
      }
    }
    const drive: Driver = (url, duration) => runSteady({
      url,
      duration,
      rate: settings.steadyRate,
      maxSockets: settings.steadyConnections,
      headersFor: () => ({ 'x-user-id': users[Math.floor(Math.random() * users.length)]! }),
    });
    const results = await interleave('5 steady expiry', servers, drive, settings.steadyDuration, world);
    const ra = results.get(specs[0]!.name)!;
    const rb = results.get(specs[1]!.name)!;
    const va = median(ra.map((r) => r.p99));
    const vb = median(rb.map((r) => r.p99));
    return [{
      scenario: 5,
      title: `steady load (${settings.steadyRate} req/s over ${settings.steadyUsers} users, ${settings.steadyDuration} s), entries expiring (ttlMs ${settings.steadyTtlMs}): p99 / p99 of pure hits`,
      a: specs[0]!.name,
      b: specs[1]!.name,
      aValue: va,
      bValue: vb,
      unit: 'ms p99',
      ratio: va / vb,
      target: 2,
      direction: 'max',
      clean: clean(ra) && clean(rb),
    }];
  });
}

async function scenarioHeap(world: World): Promise<{ row: Row; heap: HeapResult }> {
  const users = settings.heapUsers;
  const child = startChild({
    file: 'heap-child.ts',
    config: serverConfig(world),
    nodeFlags: ['--expose-gc'],
    env: { BENCH_HEAP_USERS: String(users) },
  });
  try {
    await child.waitFor('started');
    const started = Date.now();
    const runnerCpuBefore = process.cpuUsage();
    const childCpuBefore = cpuSecondsOf(child.process.pid);
    // Start the users' sessions at the fake in batches (no token: the child's identity is a header), announcing each
    // batch to the child, which authenticates behind us.
    const batch = 1000;
    for (let from = 0; from < users; from += batch) {
      const to = Math.min(users, from + batch);
      for (let i = from; i < to; i++) world.fake.startSession(userIdOf(i), APP_ID);
      child.process.send({ type: 'users', upTo: to });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const loginMs = Date.now() - started;
    const result = await child.waitFor<HeapResult>('result', 15 * 60_000);
    result.loginMs = loginMs;
    const childCpuAfter = cpuSecondsOf(child.process.pid);
    const runnerCpu = process.cpuUsage(runnerCpuBefore);
    result.wallMs = Date.now() - started;
    result.runnerCpuSec = (runnerCpu.user + runnerCpu.system) / 1e6;
    result.childCpuSec = childCpuBefore !== undefined && childCpuAfter !== undefined ? childCpuAfter - childCpuBefore : undefined;
    await child.stop();
    const aboveBaseline = (result.after - result.baseline) / 2 ** 20;
    log(`6 heap: ${users} users, ${aboveBaseline.toFixed(1)} MB above baseline, ${((result.after - result.warmBaseline) / 2 ** 20).toFixed(1)} MB above the warmed guard; ` +
      `cache size ${result.size}, ${result.failures} failures, logins ${loginMs} ms, authentications ${result.authenticateMs} ms; ` +
      `CPU: runner (fake + logins) ${result.runnerCpuSec.toFixed(1)} s, heap child ${result.childCpuSec?.toFixed(1) ?? 'n/a'} s`);
    return {
      heap: result,
      row: {
        scenario: 6,
        title: `heap for ${users.toLocaleString('en-US')} cached users, above baseline (heapUsed after GC)`,
        a: `guard, ${users.toLocaleString('en-US')} users cached`,
        b: 'baseline before the guard',
        aValue: result.after / 2 ** 20,
        bValue: result.baseline / 2 ** 20,
        unit: 'MB',
        ratio: aboveBaseline,
        target: 40,
        direction: 'max',
        clean: result.failures === 0 && result.size === users,
      },
    };
  } finally {
    await child.stop(1_000);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Profile mode.

async function profile(world: World): Promise<void> {
  const name = flags['profile-server'] ?? 'guard-jwt';
  const spec = Object.values(SERVERS).find((s) => s.file === name);
  if (!spec) throw new Error(`--profile-server: no server named ${name} (one of ${Object.values(SERVERS).map((s) => s.file).join(', ')})`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  // One directory per run: Node writes one profile per thread (tsx's module hooks run in a worker of their own).
  const dir = path.join(REPO_ROOT, '.tmp', 'profiles', `${name}-${stamp}`);
  mkdirSync(dir, { recursive: true });
  const server = await launch(world, spec, ['--cpu-prof', '--cpu-prof-dir', dir]);
  const headers = spec.probes(world)[0]!.headers;
  try {
    if (settings.warmup > 0) await runLoad({ url: server.url, duration: settings.warmup, connections: settings.connections, headers });
    const result = await runLoad({ url: server.url, duration: settings.duration, connections: settings.connections, headers });
    log(`profiled ${spec.name}: ${Math.round(result.rps)} req/s over ${settings.duration} s (profiler on: not comparable with the table)`);
  } finally {
    await server.stop();
  }
  const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (profiles.length === 0) throw new Error(`no profile written to ${dir}`);
  // The main thread's profile is the busy one.
  const [file, summary] = profiles
    .map((f) => [f, summarizeProfile(path.join(dir, f), REPO_ROOT, 15)] as const)
    .sort((a, b) => (b[1].totalMs - b[1].idleMs) - (a[1].totalMs - a[1].idleMs))[0]!;
  const busy = summary.totalMs - summary.idleMs;
  const lines = [
    `# CPU profile: ${spec.name} (scenario 2 load, ${settings.connections} connections, ${settings.warmup} s warm-up + ${settings.duration} s)`,
    '',
    `Profile: ${path.relative(REPO_ROOT, path.join(dir, file))} (main thread; open in Chrome DevTools or speedscope). Includes process start-up (module loading).`,
    `Busy ${busy.toFixed(0)} ms of ${summary.totalMs.toFixed(0)} ms sampled (idle ${summary.idleMs.toFixed(0)} ms).`,
    '',
    '| # | self ms | % of busy | function | location |',
    '| ---: | ---: | ---: | --- | --- |',
    ...summary.top.map((t, i) => `| ${i + 1} | ${t.selfMs.toFixed(1)} | ${t.percent.toFixed(1)} | \`${t.name}\` | ${t.location || '(native)'} |`),
    '',
    `Self time in the package's own code (src/): ${summary.ownMs.toFixed(0)} ms, ${busy > 0 ? ((100 * summary.ownMs) / busy).toFixed(1) : '0'} % of busy. Its top functions:`,
    '',
    '| # | self ms | % of busy | function | location |',
    '| ---: | ---: | ---: | --- | --- |',
    ...summary.ownTop.map((t, i) => `| ${i + 1} | ${t.selfMs.toFixed(1)} | ${t.percent.toFixed(1)} | \`${t.name}\` | ${t.location} |`),
  ];
  const text = lines.join('\n');
  writeFileSync(path.join(dir, 'top.md'), `${text}\n`);
  console.log(text);
}

// ---------------------------------------------------------------------------------------------------------------

/** Busy CPU seconds of the whole machine so far (all cores). */
function machineBusySeconds(): number {
  return os.cpus().reduce((sum, cpu) => sum + cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq, 0) / 1000;
}

async function main(): Promise<void> {
  const machine = describeMachine(REPO_ROOT);
  const busyAtStart = machineBusySeconds();
  const ownAtStart = process.cpuUsage();
  const loadAtStart = os.loadavg()[0]!;
  log(`node ${machine.node}, ${machine.cpuCount} × ${machine.cpuModel}; src at ${machine.commit}${machine.dirtySrc.length ? ` + ${machine.dirtySrc.length} uncommitted file(s)` : ''}`);
  const world = await createWorld();
  const started = Date.now();
  try {
    if (flags.profile) {
      await profile(world);
      return;
    }
    const rows: Row[] = [];
    let heap: HeapResult | undefined;
    if (wants(1)) rows.push(...(await scenarioHeaderHit(world)));
    if (wants(2) || wants(3)) rows.push(...(await scenarioJwt(world)));
    if (wants(4)) rows.push(...(await scenarioNoCache(world)));
    if (wants(5)) rows.push(...(await scenarioSteady(world)));
    if (wants(6)) {
      const result = await scenarioHeap(world);
      rows.push(result.row);
      heap = result.heap;
    }
    if (wants(7)) rows.push(...(await scenarioFastify(world)));
    const elapsedSec = Math.round((Date.now() - started) / 1000);
    const own = process.cpuUsage(ownAtStart);
    const bench = (own.user + own.system) / 1e6 + childCpu.seconds;
    const cpu: CpuShare = {
      loadAtStart,
      loadAtEnd: os.loadavg()[0]!,
      available: ((Date.now() - started) / 1000) * os.cpus().length,
      bench,
      others: childCpu.measured ? Math.max(0, machineBusySeconds() - busyAtStart - bench) : undefined,
    };
    const report = renderReport({
      machine, command, settings, rows, records, heap, elapsedSec, cpu,
      placement: pinning.enabled
        ? `each server pinned to core ${pinning.serverCores}, the runner (load generator, fake GenAuth) to core ${pinning.runnerCores} (\`taskset\`; \`--no-pin\` turns it off)`
        : `not pinned (${pinning.reason})`,
    });
    console.log(report.table);
    const out = flags.out ?? (only === undefined ? 'BENCHMARKS.md' : undefined);
    if (out && !flags['dry-run']) {
      writeFileSync(path.resolve(REPO_ROOT, out), report.markdown + keptSection(path.resolve(REPO_ROOT, out)));
      log(`wrote ${out} (${elapsedSec} s)`);
    } else {
      log(`done in ${elapsedSec} s; nothing written${only ? ' (--only without --out)' : ''}`);
    }
  } finally {
    await world.fake.close();
  }
}

process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

/** Where the report keeps hand-written sections across runs (figures measured elsewhere, e.g. by counted tests). */
const KEPT_MARKER = '<!-- Kept across runs: everything below this line is not written by bench/run.ts. -->';

function keptSection(file: string): string {
  if (!existsSync(file)) return '';
  const old = readFileSync(file, 'utf8');
  const at = old.indexOf(KEPT_MARKER);
  return at < 0 ? '' : `\n${old.slice(at)}`;
}
