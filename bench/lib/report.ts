/** The markdown table printed by `npm run bench` and the BENCHMARKS.md written with it. */
import type { LoadResult } from './load';
import type { Machine } from './machine';

export interface Settings {
  duration: number;
  warmup: number;
  rounds: number;
  connections: number;
  steadyDuration: number;
  steadyRate: number;
  steadyConnections: number;
  steadyUsers: number;
  steadyTtlMs: number;
  heapUsers: number;
}

export interface Row {
  /** 1 to 6; a letter marks a row of a scenario's group (`1a`). */
  scenario: number | string;
  title: string;
  /** The measured side and what it is compared with. */
  a: string;
  b: string;
  aValue: number;
  bValue: number;
  unit: 'req/s' | 'ms p99' | 'MB';
  /** A / B; for the heap row, MB above baseline. */
  ratio: number;
  /** Throughput rows: B's server CPU per request / A's (the ratio as CPU cost, not wall-clock throughput). */
  cpuRatio?: number;
  /** None: a reference row, reported without a verdict. */
  target: number | undefined;
  /** `min`: the ratio must be at least the target; `max`: at most. */
  direction: 'min' | 'max';
  /** No non-2xx answer, error or timeout in any measured run (heap: every user cached, no failure). */
  clean: boolean;
}

export interface RunRecord {
  group: string;
  server: string;
  round: number;
  result: LoadResult;
  upstreamPerSec: number;
  /** CPU of the server process over the measured run, % of one core. */
  serverCpuPercent: number | undefined;
  /** Server CPU time per request answered, µs. */
  serverCpuUsPerRequest: number | undefined;
  /** CPU of the runner (load generator and fake GenAuth) over the measured run, % of one core. */
  runnerCpuPercent: number;
}

export interface HeapResult {
  users: number;
  baseline: number;
  warmBaseline: number;
  after: number;
  size: number;
  upstreamCalls: number;
  failures: number;
  authenticateMs: number;
  loginMs?: number;
  rss: number;
  /** Filled in by the runner. */
  wallMs?: number;
  runnerCpuSec?: number;
  childCpuSec?: number;
}

const MB = 2 ** 20;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');

function figure(row: Row, value: number): string {
  if (row.unit === 'req/s') return `${int(value)} req/s`;
  if (row.unit === 'ms p99') return `p99 ${ms(value)} ms`;
  return `${value.toFixed(1)} MB heapUsed`;
}

function met(row: Row): boolean {
  if (row.target === undefined) return true;
  return row.direction === 'min' ? row.ratio >= row.target : row.ratio <= row.target;
}

function verdict(row: Row): string {
  if (!Number.isFinite(row.ratio)) return 'not measured';
  const base = row.target === undefined ? 'reference' : met(row) ? 'met' : '**missed**';
  return row.clean ? base : `${base} (invalid run: see below)`;
}

function ratioText(row: Row): string {
  return row.unit === 'MB' ? `${row.ratio.toFixed(1)} MB` : row.ratio.toFixed(2);
}

function targetText(row: Row): string {
  if (row.target === undefined) return '';
  const sign = row.direction === 'min' ? '≥' : '≤';
  return row.unit === 'MB' ? `${sign} ${row.target} MB` : `${sign} ${row.target}`;
}

function resultsTable(rows: Row[]): string {
  return [
    '| # | scenario | measured (A) | against (B) | A / B | target | result | same, by server CPU per request |',
    '| ---: | --- | --- | --- | ---: | ---: | --- | ---: |',
    ...rows.map((row) =>
      `| ${row.scenario} | ${row.title} | ${row.a}: ${figure(row, row.aValue)} | ${row.b}: ${figure(row, row.bValue)} | ${ratioText(row)} | ${targetText(row)} | ${verdict(row)} | ${row.cpuRatio === undefined ? '' : row.cpuRatio.toFixed(2)} |`),
  ].join('\n');
}

function runsTable(records: RunRecord[]): string {
  return [
    '| scenario | server | round | req/s (2xx) | p50 ms | p99 ms | max ms | p99 from write, ms | non-2xx | errors + timeouts | upstream checks/s | server CPU % | server CPU µs/req | runner CPU % |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...records.map(({ group, server, round, result, upstreamPerSec, serverCpuPercent, serverCpuUsPerRequest, runnerCpuPercent }) =>
      `| ${group} | ${server} | ${round} | ${int(result.rps)} | ${ms(result.p50)} | ${ms(result.p99)} | ${ms(result.max)} | ${result.serviceP99 === undefined ? '' : ms(result.serviceP99)} | ${result.non2xx} | ${result.errors + result.timeouts} | ${int(upstreamPerSec)} | ${serverCpuPercent === undefined ? 'n/a' : int(serverCpuPercent)} | ${serverCpuUsPerRequest === undefined ? 'n/a' : int(serverCpuUsPerRequest)} | ${int(runnerCpuPercent)} |`),
  ].join('\n');
}

/** What bounds each scenario's figure, said when its target is missed (the measured evidence follows it). */
const LIMITS: Record<number | string, string> = {
  1: 'The guard\'s own per-request work on a hit (reading and checking the header, the cache lookup, building '
    + '`req.auth` and its `session`, the `getSessionAuth` entry) against a middleware that only sets `req.auth`; both '
    + 'sides share Express\'s routing, one middleware layer and the JSON answer, so every microsecond of the guard shows. '
    + 'Timing on 2 shared cores moves by several per cent between runs: `npm run bench:instructions` counts instructions '
    + 'per request instead, and `npm run bench -- --profile --profile-server guard-header` shows where the time goes.',
  2: 'The peer verifies the RS256 signature of every request; the guard is ahead only as far as its hit path '
    + '(verified-token cache, session cache) costs less than one verification plus its own work. '
    + '`npm run bench -- --profile` shows where it goes.',
  3: 'As for scenario 2, against express-jwt\'s RS256 verification of every request.',
  4: 'The SDK side makes one upstream call per request to the fake GenAuth, which runs in the runner process next to '
    + 'the load generator; the guard with `cache: false` still shares one call among the concurrent lookups of one user '
    + '(every request names the same user here), so it makes about one call per batch of concurrent requests (see the '
    + '"upstream checks/s" column): the ratio compares that, not the cost of one call each, and is bounded by how fast '
    + 'the fake and the runner answer.',
  5: 'Entries expiring means about users / TTL upstream calls per second on top of the load. A request that finds its '
    + 'entry expired waits for GenAuth unless the entry was refreshed ahead; and when the server cannot absorb those '
    + 'calls as well as the load, requests queue and latency grows with the backlog.',
  6: 'The size of one cache entry (key string, the cached answer, lru-cache\'s bookkeeping, any timer) times the '
    + 'number of users.',
};

function cpuEvidence(name: string, records: RunRecord[]): string {
  const runs = records.filter((r) => r.server === name);
  if (runs.length === 0) return '';
  const pct = (values: (number | undefined)[]) => {
    const known = values.filter((v): v is number => v !== undefined);
    return known.length ? known.map((v) => Math.round(v)).join(' / ') : 'n/a';
  };
  return `${name}: server CPU ${pct(runs.map((r) => r.serverCpuPercent))} % of a core, `
    + `${pct(runs.map((r) => r.serverCpuUsPerRequest))} µs per request, runner CPU ${pct(runs.map((r) => r.runnerCpuPercent))} %, `
    + `upstream ${pct(runs.map((r) => r.upstreamPerSec))} checks/s (per round)`;
}

function evidence(row: Row, records: RunRecord[], heap: HeapResult | undefined): string {
  if (row.scenario === 6) {
    return heap ? `Measured: ${((heap.after - heap.baseline) / heap.users).toFixed(0)} bytes per cached user.` : '';
  }
  const parts = [cpuEvidence(row.a, records), cpuEvidence(row.b, records)].filter(Boolean);
  return parts.length ? `Measured: ${parts.join('; ')}.` : '';
}

const CONFIGURATION = `- **unprotected route**: \`GET /admin\` answering \`{"ok":true}\` with \`res.json\`, nothing in front. Every
  server below answers the same route with the same handler, Express 5, \`x-powered-by\` and ETags off, listening on
  127.0.0.1, keep-alive timeout 60 s.
- **middleware setting req.auth only**: \`(req, res, next) => { req.auth = CONSTANT; next(); }\`, \`CONSTANT\` a frozen
  object of the shape of the guard's \`req.auth\`: the least any middleware that must set \`req.auth\` does (issue 12's
  reference for scenario 1).
- **guard, header identity, roles: ['admin']**: the guard below on a route with \`requireActiveSession(appId, { guard,
  roles: ['admin'] })\` (issue 11); the user holds the role in the fake, so the session and the role answers are
  both cache hits. Probed also with a live user without the role (403).
- **guard, header identity**: \`createSessionGuard({ host, accessKeyId, accessKeySecret, identity: header('x-user-id') })\`
  (token auth, every other option at the guard's defaults, cache included), mounted as
  \`requireActiveSession(appId, { guard })\`.
  Load: one user with a live session.
- **guard, bearer JWT + session**: the same guard with \`identity: bearerJwt({ issuer: fake.issuer, audience: appId })\`:
  RS256, keys through the fake's OIDC discovery and JWKS. Load: one RS256 access token from \`fake.login\`.
- **express-oauth2-jwt-bearer** 1.10: \`auth({ issuerBaseURL: fake.issuer, audience: appId })\`. It accepts an
  \`http://\` issuer as it is (no option needed, nothing weakened on either side): it reads
  \`\${issuer}/.well-known/openid-configuration\` for \`jwks_uri\` and \`issuer\`, caches the JWKS (jose remote JWK
  set) and on every request checks the signature, \`iss\`, \`aud\`, \`exp\`/\`nbf\` (5 s tolerance) and the allowed
  algorithms from discovery. Same token, same keys. JWT only: no session check.
- **express-jwt + jwks-rsa** (8.5 + 4.1): \`expressjwt({ secret: jwksRsa.expressJwtSecret({ jwksUri: fake.jwksUri,
  cache: true, rateLimit: true }), audience: appId, issuer: fake.issuer, algorithms: ['RS256'] })\`, as both READMEs
  show. Same token, same keys. JWT only: no session check.
- **guard, cache off, signature auth**: \`createSessionGuard({ ..., auth: 'signature', cache: false,
  identity: header('x-user-id') })\`: nothing is cached, but lookups of one user under way at the same moment share
  one signed check-session-status call (the cache's coalescing, kept with \`cache: false\`). Every request here names
  the same user from every connection, so the guard made one call per batch of concurrent requests (the "upstream
  checks/s" column against req/s), not one per request. The ratio thus compares coalesced calls with the SDK's one
  call per request; with a distinct user per request the guard would make one call per request too, and that was
  not measured.
- **authing-node-sdk checkSessionStatus per request** (4.0.1): a hand-written middleware: user id from the same
  \`x-user-id\` header, \`new ManagementClient({ accessKeyId, accessKeySecret, host })\` once per process,
  \`await client.checkSessionStatus({ appId, userId })\` per request; 200 when \`statusCode === 200 && data.active\`,
  401 otherwise, 503 on a throw. The SDK signs every request (HMAC-SHA1) and sends it with axios on Node's global
  agent (keep-alive on Node 20).
- **scenario 5**: the header guard twice, with \`cache: { ttlMs: <steady-ttl> }\` (entries expire during the run) and
  \`cache: { ttlMs: 3600000 }\` (pure hits); both pre-warmed with every user, then loaded identically.
- **scenario 6** (\`bench/heap-child.ts\`, \`node --expose-gc\`): the header guard with \`cache: { max: N, ttlMs: 3600000 }\`
  in a process of its own; N distinct users authenticated through \`guard.authenticate({ headers: { 'x-user-id' } }, appId)\`,
  each answered by the fake: the runner starts the users' sessions at the fake (\`fake.startSession\`, no token) in
  batches of 1,000 and announces each batch, which the heap process then authenticates, 64 at a time.`;

function method(settings: Settings): string {
  return `- Each server runs in its own Node process (\`node --import tsx bench/servers/<name>.ts\`, the current \`src/\`),
  the fake GenAuth (\`createFakeGenAuth\` from \`src/testing\`) and autocannon in the runner process; all on 127.0.0.1.
  Placement: see "Machine and run" (by default each server is pinned to core 0 and the runner to the others, so the
  server under load has a core of its own and the scheduler does not move it between cores mid-run).
- Before any load each server is probed: a live session passes (200), no credential is refused (401), and, as the
  server claims, a token for another audience (JWT servers) and a user without a session (session-checking servers)
  are refused (401). A server that does not answer as configured stops the bench.
- Scenarios 1-4: autocannon, ${settings.connections} connections, pipelining 1, unlimited rate; ${settings.warmup} s unmeasured
  warm-up (${Math.max(2, settings.warmup)} s before a server's first run) then ${settings.duration} s measured, per run. The servers of a scenario run interleaved, each round starting one server further
  on (A B C, B C A, ...; scenarios 2 and 3 share the guard's runs), ${settings.rounds} rounds, each round in new server processes (one process's luck, code placement and JIT
  timing, moved a server's throughput by up to ±10 % against a twin process; \`--same-processes\` keeps them); the
  figure is the median over rounds of 2xx requests per second.
- Scenario 5: ${settings.steadyUsers} users, each request for a user picked at random, paced open-loop at ${settings.steadyRate} req/s
  (\`bench/lib/steady.ts\`: request i is due at start + i / rate whatever has come back, node:http keep-alive, at most
  ${settings.steadyConnections} connections). Not autocannon here: its \`connectionRate\`/\`overallRate\` send each connection's
  per-second quota back to back at the start of a one-second interval, all connections together, i.e. a burst once a
  second rather than steady traffic. ${settings.warmup} s warm-up (${Math.max(2, settings.warmup)} s before a server's first run) then ${settings.steadyDuration} s measured, interleaved over ${settings.rounds}
  rounds. Latency runs from when a request was due to the end of its answer (no coordinated omission; the time from
  the write is listed too); the figure is the median over rounds of each run's p99.
- Scenario 6: \`heapUsed\` after four forced GCs. Baseline: modules loaded and the fake reached once, before the guard is
  created. Also reported: above the guard warmed with one user (excludes the guard's fixed cost and lru-cache's
  preallocation for \`max\`).
- Ratios are the figures that count: the absolute numbers describe this machine (and the runner shares its cores
  with the servers). Targets are judged on the throughput ratio (A / B). The last column gives the same comparison as
  server CPU time per request (B's / A's, from /proc over each measured run): it is less disturbed by other work on
  the machine, but it leaves out what the server waits on (the upstream, in scenario 4) and is informative only.`;
}

/** How busy the machine was with other work while the bench ran. */
export interface CpuShare {
  loadAtStart: number;
  loadAtEnd: number;
  /** Core-seconds the run lasted (elapsed × cores). */
  available: number;
  /** Core-seconds used by the runner and its children. */
  bench: number;
  /** Core-seconds used by everything else (undefined where /proc is not readable). */
  others: number | undefined;
}

export interface ReportInput {
  machine: Machine;
  command: string;
  settings: Settings;
  rows: Row[];
  records: RunRecord[];
  heap: HeapResult | undefined;
  elapsedSec: number;
  cpu: CpuShare;
  /** How the processes were placed on the cores (see bench/lib/pinning.ts). */
  placement: string;
}

function cpuLine(cpu: CpuShare): string {
  const others = cpu.others === undefined
    ? 'not measured'
    : `${cpu.others.toFixed(0)} core-s (${((100 * cpu.others) / cpu.available).toFixed(0)} %)`;
  return `- CPU while it ran: ${cpu.available.toFixed(0)} core-s available; the runner and its children used ${cpu.bench.toFixed(0)}, `
    + `other processes on the machine ${others}. 1-minute load average ${cpu.loadAtStart.toFixed(2)} at the start, `
    + `${cpu.loadAtEnd.toFixed(2)} at the end. Other work competing for the cores adds noise; interleaving spreads it over both sides.`;
}

export function renderReport({ machine, command, settings, rows, records, heap, elapsedSec, cpu, placement }: ReportInput): { table: string; markdown: string } {
  const table = resultsTable(rows);
  const missed = rows.filter((row) => Number.isFinite(row.ratio) && !met(row));
  const invalid = rows.filter((row) => !row.clean);
  const heapSection = heap
    ? [
        '## Scenario 6 in detail',
        '',
        '| | heapUsed MB |',
        '| --- | ---: |',
        `| baseline (modules loaded, the fake reached once) | ${(heap.baseline / MB).toFixed(1)} |`,
        `| guard created, one user authenticated | ${(heap.warmBaseline / MB).toFixed(1)} |`,
        `| ${heap.users.toLocaleString('en-US')} users cached | ${(heap.after / MB).toFixed(1)} |`,
        `| **above baseline** | **${((heap.after - heap.baseline) / MB).toFixed(1)}** |`,
        `| above the warmed guard | ${((heap.after - heap.warmBaseline) / MB).toFixed(1)} |`,
        `| per user, above baseline | ${((heap.after - heap.baseline) / heap.users).toFixed(0)} bytes |`,
        '',
        `Cache size at the end ${heap.size.toLocaleString('en-US')}, ${heap.upstreamCalls.toLocaleString('en-US')} upstream checks, `
          + `${heap.failures} failed authentications; RSS ${(heap.rss / MB).toFixed(0)} MB. Logging the users in to the fake took `
          + `${heap.loginMs ?? 'n/a'} ms, authenticating them ${heap.authenticateMs} ms (overlapped); CPU over the phase: runner `
          + `(the fake, RS256-signing each login's token) ${heap.runnerCpuSec?.toFixed(1) ?? 'n/a'} s, the heap process `
          + `${heap.childCpuSec?.toFixed(1) ?? 'n/a'} s, wall ${((heap.wallMs ?? 0) / 1000).toFixed(1)} s.`,
        '',
      ]
    : [];
  const markdown = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (\`bench/run.ts\`); run it again to replace this file. **Ratios are the figures that`,
    'count**: absolute requests per second only describe the machine.',
    '',
    '## Machine and run',
    '',
    `- Date: ${machine.date}`,
    `- Node ${machine.node}, ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGb} GB, ${machine.platform}`,
    `- Code: \`src/\` at ${machine.commit}${machine.dirtySrc.length ? ` plus uncommitted changes to ${machine.dirtySrc.map((f) => `\`${f}\``).join(', ')}` : ''}`,
    `- Command: \`${command}\` (${elapsedSec} s)`,
    cpuLine(cpu),
    `- Placement: ${placement}`,
    '',
    '## Results',
    '',
    table,
    '',
    ...(missed.length
      ? ['### Targets missed', '', ...missed.map((row) => `- **Scenario ${row.scenario}**: ${ratioText(row)} against a target of ${targetText(row)}. ${LIMITS[row.scenario] ?? ''} ${evidence(row, records, heap)}`), '']
      : ['Every target measured was met.', '']),
    ...(invalid.length
      ? ['### Runs with refusals or errors', '', ...invalid.map((row) => `- Scenario ${row.scenario}: some measured run had non-2xx answers, errors or timeouts (see the table below); its figure is not trustworthy.`), '']
      : []),
    '## Every run',
    '',
    runsTable(records),
    '',
    ...heapSection,
    '## How each server was configured',
    '',
    CONFIGURATION,
    '',
    '## Method',
    '',
    method(settings),
    '',
  ].join('\n');
  return { table, markdown };
}
