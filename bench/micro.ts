/**
 * `npm run bench:micro`: the guard's own cost on a cache hit, without HTTP or a framework: nanoseconds per
 * `authenticate` (through the adapters' synchronous entry, as Express and Koa call it), against the fake GenAuth.
 * Complements `npm run bench`, whose HTTP ratios on 2 shared cores move by ±10 % between runs.
 */
import { createFakeGenAuth } from '../src/testing';
import { AUTHENTICATE_NOW } from '../src/core/session-guard';
import { bearerJwt, createSessionGuard, header, type SessionGuard } from '../src/index';

const APP = 'app';
const fake = await createFakeGenAuth();
const base = { host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, cache: { ttlMs: 3_600_000 } };

async function measure(label: string, guard: SessionGuard, req: { headers: Record<string, string>; rawHeaders: string[] }, n: number) {
  const now = (guard as unknown as Record<symbol, (r: unknown, a: string) => unknown>)[AUTHENTICATE_NOW]!.bind(guard);
  await guard.authenticate(req, APP); // warm: the answer (and the token) are cached from here on
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const result = now(req, APP);
      if (result instanceof Promise) await result;
    }
    rounds.push(Number(process.hrtime.bigint() - started) / n);
  }
  rounds.sort((a, b) => a - b);
  console.log(`| ${label} | ${Math.round(rounds[2]!)} ns | ${Math.round(rounds[0]!)}–${Math.round(rounds[4]!)} ns |`);
}

await fake.login('alice', APP);
const token = await fake.login('bob', APP);
const byHeader = createSessionGuard({ ...base, identity: header('x-user-id') });
const byJwt = createSessionGuard({ ...base, identity: bearerJwt({ issuer: fake.issuer, audience: APP }) });
console.log(`Node ${process.version}: ns per cache hit, median of 5 rounds (range)\n`);
console.log('| identity | median | range |\n| --- | ---: | ---: |');
await measure("header('x-user-id')", byHeader, { headers: { 'x-user-id': 'alice' }, rawHeaders: ['Host', 'h', 'X-User-Id', 'alice', 'Accept', '*/*'] }, 500_000);
await measure('bearerJwt RS256 (token seen before)', byJwt, { headers: { authorization: `Bearer ${token}` }, rawHeaders: ['Host', 'h', 'Authorization', `Bearer ${token}`] }, 200_000);
await byHeader.close();
await byJwt.close();
await fake.close();
