/**
 * `npx tsx bench/hono.ts`: the Hono servers of bench/servers timed side by side on `@hono/node-server`: the guard on a
 * cache hit (header and JWT identity), the same guard reading the Web `Request`, the least middleware that sets
 * `c.var.auth`, and Hono's own JWT middleware (hono/jwk, RS256). Each server in its own process, rounds interleaved
 * (A B C ... A B C ...), autocannon, median requests per second. Flags: --duration <s> (default 3), --rounds <n>
 * (default 3), --connections <n> (default 32). Timing on a shared 2-core VM moves by ±30 %: for the guard's own cost
 * the instruction counts of `npm run bench:instructions -- --servers hono-auth-only,hono-guard-header` are the figure.
 */
import { parseArgs } from 'node:util';
import { createFakeGenAuth } from '../src/testing';
import { startServer } from './lib/child';
import { runLoad } from './lib/load';
import { APP_ID, userIdOf } from './lib/ids';

const { values: flags } = parseArgs({ options: { duration: { type: 'string' }, rounds: { type: 'string' }, connections: { type: 'string' } } });
const duration = Number(flags.duration ?? 3);
const rounds = Number(flags.rounds ?? 3);
const connections = Number(flags.connections ?? 32);
const servers = ['hono-auth-only', 'hono-guard-header', 'hono-guard-header-web', 'hono-guard-jwt', 'hono-jwt'];

const fake = await createFakeGenAuth();
const user = userIdOf(0);
const token = await fake.login(user, APP_ID);
const config = {
  host: fake.host, issuer: fake.issuer, jwksUri: fake.jwksUri, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret,
  appId: APP_ID, ttlMs: 3_600_000,
};
const headersOf = (server: string): Record<string, string> => (/jwt/.test(server) ? { authorization: `Bearer ${token}` } : { 'x-user-id': user });
const rps = new Map<string, number[]>(servers.map((server) => [server, []]));
const running = await Promise.all(servers.map((server) => startServer(server, { file: `servers/${server}.ts`, config })));
try {
  for (const server of running) {
    const first = await fetch(`${server.url}/admin`, { headers: headersOf(server.name) });
    if (first.status !== 200) throw new Error(`${server.name}: answered ${first.status}`);
    await runLoad({ url: server.url, duration: 2, connections, headers: headersOf(server.name) }); // warm-up
  }
  for (let round = 0; round < rounds; round++) {
    for (const server of running) {
      const result = await runLoad({ url: server.url, duration, connections, headers: headersOf(server.name) });
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${server.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      rps.get(server.name)!.push(result.rps);
    }
  }
} finally {
  await Promise.all(running.map((server) => server.stop()));
  await fake.close();
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const base = median(rps.get('hono-auth-only')!);
console.log(`\nHono 4 on @hono/node-server, ${rounds} interleaved rounds of ${duration} s, ${connections} connections, median requests/s:\n`);
console.log('| server | requests/s (each round) | / hono-auth-only |');
console.log('| --- | ---: | ---: |');
for (const server of servers) {
  const values = rps.get(server)!;
  console.log(`| ${server} | ${Math.round(median(values)).toLocaleString('en-US')} (${values.map((v) => Math.round(v).toLocaleString('en-US')).join(', ')}) | ${(median(values) / base).toFixed(3)} |`);
}
console.log(`\nGenAuth calls during the run: ${fake.calls.check} session checks (the guard servers answered from the cache).`);
process.exit(0);
