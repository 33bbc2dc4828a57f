/**
 * `npm run bench:instructions`: machine instructions per request of the bench's Express servers, counted by
 * valgrind's callgrind on the server's main thread, instead of timed. On this kind of machine (2 shared cores, a
 * VM whose speed moves by ±30 % within minutes) timing cannot tell 3 % apart; instruction counts of the same server
 * agree within about 1 % between processes.
 *
 * Each server runs under callgrind: W requests warm it up (the JIT tiers up by counts, not time), the counters are
 * zeroed (`callgrind_control -z`), M requests are counted, and the counters dumped. Ratios are of instructions per
 * request, `B / A` (higher is better for A, as the throughput ratios of `npm run bench`).
 *
 * Time under callgrind runs about 200 times slower, so anything driven by wall time would be over-represented 200
 * times: the guard servers get a one-hour TTL (no refresh during the count). Needs `valgrind` (Debian:
 * `apt-get install -y valgrind`); not part of `.ci/run`.
 *
 * Flags: --warmup <n> (default 8000), --requests <n> (default 2000), --reps <n> processes per server (default 2),
 * --parallel <n> (default 2), --servers a,b,... of bench/servers (default unprotected,auth-only,guard-header; the
 * JWT servers get the user's RS256 bearer token, the others `x-user-id`), --keep (keep the
 * callgrind dumps, for `callgrind_annotate --inclusive=no` per function).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createFakeGenAuth } from '../src/testing';
import { APP_ID, userIdOf } from './lib/ids';
import { startServer } from './lib/child';

const { values: flags } = parseArgs({
  options: {
    warmup: { type: 'string' },
    requests: { type: 'string' },
    reps: { type: 'string' },
    parallel: { type: 'string' },
    servers: { type: 'string' },
    keep: { type: 'boolean' },
  },
});
const count = (value: string | undefined, fallback: number) => {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`expected a positive integer, got ${value}`);
  return n;
};
const warmup = count(flags.warmup, 8000);
const requests = count(flags.requests, 2000);
const reps = count(flags.reps, 2);
const parallel = count(flags.parallel, 2);
const servers = (flags.servers ?? 'unprotected,auth-only,guard-header').split(',');

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('bench:instructions needs valgrind (Debian: apt-get install -y valgrind).');
  process.exit(2);
}

const fake = await createFakeGenAuth();
const user = userIdOf(0);
const token = await fake.login(user, APP_ID);
fake.assignRole(user, 'admin');
const config = {
  host: fake.host, issuer: fake.issuer, jwksUri: fake.jwksUri, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret,
  appId: APP_ID, ttlMs: 3_600_000,
};
const outDir = mkdtempSync(path.join(os.tmpdir(), 'bench-instructions-'));

/** The credential each server reads: a bearer RS256 token for the JWT servers, the user id header for the others. */
const headersOf = (server: string): Record<string, string> =>
  /jwt/.test(server) ? { authorization: `Bearer ${token}` } : { 'x-user-id': user };

const load = (url: string, amount: number, headers: Record<string, string>) =>
  new Promise<void>((resolve, reject) => {
    autocannon({ url: `${url}/admin`, amount, connections: 4, headers }, (error, result) => {
      if (error) return reject(error);
      if (result.non2xx > 0 || result.errors > 0) return reject(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`));
      resolve();
    });
  });

/** Instructions (and L1 misses) per request on the server's main thread. */
async function measure(server: string, tag: string): Promise<Record<string, number>> {
  const running = await startServer(server, {
    file: `servers/${server}.ts`,
    config,
    wrapper: {
      command: 'valgrind',
      args: ['--tool=callgrind', '--cache-sim=yes', '--separate-threads=yes', '--smc-check=all-non-file', '-q', `--callgrind-out-file=${outDir}/${tag}.%p`],
    },
    readyTimeoutMs: 300_000,
  });
  const pid = String(running.process.pid);
  const headers = headersOf(server);
  try {
    // One request alone first (for the guard, its answer comes from GenAuth), then the warm-up load. Without it the
    // first answer is fetched for 4 concurrent requests (a coalesced miss), and the guard's server measured 6 % more
    // instructions per request in the counted window, 2 processes alike: the JIT's early history shows in the
    // steady state. A lone first request is what a real server sees.
    const first = await fetch(`${running.url}/admin`, { headers });
    await first.arrayBuffer();
    if (first.status !== 200) throw new Error(`${server}: the first request answered ${first.status}`);
    await load(running.url, warmup, headers);
    execFileSync('callgrind_control', ['-z', pid], { stdio: 'ignore' });
    await load(running.url, requests, headers);
    execFileSync('callgrind_control', ['-d', `measured-${tag}`, pid], { stdio: 'ignore' });
  } finally {
    // Writing the dumps at exit takes a while under valgrind.
    await running.stop(120_000);
  }
  // The main thread's dump (thread 1) of the measured window.
  for (const file of readdirSync(outDir).filter((f) => f.startsWith(`${tag}.${pid}.`) && f.endsWith('-01'))) {
    const text = readFileSync(path.join(outDir, file), 'utf8');
    if (!text.includes(`measured-${tag}`)) continue;
    const events = /^events: (.*)$/m.exec(text)![1]!.split(' ');
    const totals = /^(?:totals|summary): (.*)$/m.exec(text)![1]!.split(' ').map(Number);
    return Object.fromEntries(events.map((event, i) => [event, totals[i]! / requests]));
  }
  throw new Error(`${server}: no measured dump found`);
}

const jobs = servers.flatMap((server) => Array.from({ length: reps }, (_, i) => ({ server, tag: `${server}-${i + 1}` })));
const results = new Map<string, Record<string, number>[]>(servers.map((server) => [server, []]));
let nextJob = 0;
const started = Date.now();
await Promise.all(Array.from({ length: parallel }, async () => {
  while (nextJob < jobs.length) {
    const { server, tag } = jobs[nextJob++]!;
    const counts = await measure(server, tag);
    results.get(server)!.push(counts);
    console.error(`[instructions] ${tag}: ${Math.round(counts.Ir!)} instructions per request`);
  }
}));
await fake.close();
if (flags.keep) console.error(`[instructions] callgrind dumps kept in ${outDir}`);
else rmSync(outDir, { recursive: true, force: true });

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const ir = (server: string) => mean(results.get(server)!.map((r) => r.Ir!));
const base = servers.includes('auth-only') ? 'auth-only' : servers[0]!;
console.log(`\nInstructions per request, main thread, callgrind (${warmup} warm-up + ${requests} counted requests, ${reps} processes each, ${Math.round((Date.now() - started) / 1000)} s):\n`);
console.log(`| server | instructions / request (each process) | I1 misses / request | D1 misses / request | ${base} / server |`);
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const server of servers) {
  const runs = results.get(server)!;
  console.log(`| ${server} | ${Math.round(ir(server)).toLocaleString('en-US')} (${runs.map((r) => Math.round(r.Ir!).toLocaleString('en-US')).join(', ')}) | ` +
    `${Math.round(mean(runs.map((r) => r.I1mr!))).toLocaleString('en-US')} | ${Math.round(mean(runs.map((r) => r.D1mr! + r.D1mw!))).toLocaleString('en-US')} | ${(ir(base) / ir(server)).toFixed(3)} |`);
}
process.exit(0);
