/**
 * `npm run bench:express`: the middleware inside a real Express 5 route, without the network. Each request is a
 * real `http.IncomingMessage` (headers left to Node's lazy parsing, as the HTTP parser leaves them) and a real
 * `http.ServerResponse` writing to a socket that discards, handed to `app.handle` as Node's server would. What is
 * measured is everything Express and the middleware do per request (routing, prototypes, `res.json`, the writes
 * into the response), so the shape changes of `req`, garbage and closures show, unlike in `bench:micro`.
 *
 * The variants run interleaved (A B C ... A B C ...), several rounds; the figure is the median of nanoseconds per
 * request, and each variant's throughput relative to the one that only sets `req.auth`.
 * Flags: `--rounds <n>` (default 7), `--requests <n>` per round and variant (default 100000), `--only a,b`.
 */
import { Duplex } from 'node:stream';
import http from 'node:http';
import { parseArgs } from 'node:util';
import express, { type Express, type RequestHandler } from 'express';
import { createFakeGenAuth } from '../src/testing';
import { bearerJwt, createSessionGuard, getSessionAuth, header, requireActiveSession } from '../src/index';

const { values: flags } = parseArgs({
  options: { rounds: { type: 'string' }, requests: { type: 'string' }, only: { type: 'string' } },
  strict: true,
});
const ROUNDS = Number(flags.rounds ?? 7);
const REQUESTS = Number(flags.requests ?? 100_000);
const APP = 'bench-app';

/** A socket that accepts every write at once and keeps nothing. */
class NullSocket extends Duplex {
  override _read(): void {}
  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    callback();
  }
  override _writev(_chunks: unknown, callback: (error?: Error | null) => void): void {
    callback();
  }
  setTimeout(): this {
    return this;
  }
}

function buildApp(protect: RequestHandler | undefined): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const handler: RequestHandler = (_req, res) => {
    res.json({ ok: true });
  };
  if (protect === undefined) app.get('/admin', handler);
  else app.get('/admin', protect, handler);
  return app;
}

const fake = await createFakeGenAuth();
await fake.login('alice', APP);
fake.assignRole('alice', 'admin');
const token = await fake.login('bob', APP);
const base = { host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, cache: { ttlMs: 3_600_000 } };
const byHeader = createSessionGuard({ ...base, identity: header('x-user-id') });
const byJwt = createSessionGuard({ ...base, identity: bearerJwt({ issuer: fake.issuer, audience: APP }) });

const CONSTANT_AUTH = Object.freeze({ userId: 'alice', appId: APP, session: Object.freeze({ active: true as const, source: 'cache' as const, checkedAt: 0 }) });
const SYMBOL = Symbol.for('genauth-session-guard.bench');
const sideTable = new WeakMap<object, unknown>();

interface Variant {
  name: string;
  app: Express;
  rawHeaders: string[];
  check?: (req: express.Request) => boolean;
}

const common = ['Host', '127.0.0.1:3000', 'Connection', 'keep-alive', 'User-Agent', 'autocannon'];
const userHeader = [...common, 'x-user-id', 'alice'];
const bearerHeader = [...common, 'authorization', `Bearer ${token}`];

const variants: Variant[] = [
  { name: 'unprotected', app: buildApp(undefined), rawHeaders: userHeader },
  { name: 'noop middleware', app: buildApp((_req, _res, next) => next()), rawHeaders: userHeader },
  {
    name: 'sets req.auth',
    app: buildApp((req, _res, next) => {
      req.auth = CONSTANT_AUTH;
      next();
    }),
    rawHeaders: userHeader,
  },
  {
    name: 'sets req.auth + symbol',
    app: buildApp((req, _res, next) => {
      req.auth = CONSTANT_AUTH;
      (req as unknown as Record<symbol, unknown>)[SYMBOL] = CONSTANT_AUTH;
      next();
    }),
    rawHeaders: userHeader,
  },
  {
    name: 'sets req.auth + WeakMap',
    app: buildApp((req, _res, next) => {
      req.auth = CONSTANT_AUTH;
      sideTable.set(req, CONSTANT_AUTH);
      next();
    }),
    rawHeaders: userHeader,
  },
  { name: 'guard header', app: buildApp(requireActiveSession(APP, { guard: byHeader })), rawHeaders: userHeader, check: (req) => getSessionAuth(req)?.userId === 'alice' },
  { name: 'guard header roles', app: buildApp(requireActiveSession(APP, { guard: byHeader, roles: ['admin'] })), rawHeaders: userHeader, check: (req) => getSessionAuth(req)?.authorization !== undefined },
  { name: 'guard jwt', app: buildApp(requireActiveSession(APP, { guard: byJwt })), rawHeaders: bearerHeader, check: (req) => getSessionAuth(req)?.userId === 'bob' },
];
const only = flags.only ? new Set(flags.only.split(',')) : undefined;
const chosen = variants.filter((v) => only === undefined || only.has(v.name) || v.name === 'sets req.auth');

const socket = new NullSocket();

/** One request through `app`, as Node's HTTP server hands it over; resolves when the response has ended. */
function request(app: Express, rawHeaders: string[]): { req: http.IncomingMessage; res: http.ServerResponse; done: boolean } {
  const req = new http.IncomingMessage(socket as never);
  req.method = 'GET';
  req.url = '/admin';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.httpVersion = '1.1';
  (req as unknown as { _addHeaderLines(h: string[], n: number): void })._addHeaderLines(rawHeaders, rawHeaders.length);
  req.complete = true;
  const res = new http.ServerResponse(req);
  res.shouldKeepAlive = true;
  res.assignSocket(socket as never);
  (app as unknown as { handle(q: unknown, s: unknown, d: (e?: unknown) => void): void }).handle(req, res, (error) => {
    throw new Error(`unexpected fall-through: ${String(error)}`);
  });
  const done = res.writableEnded;
  if (done) res.detachSocket(socket as never);
  else res.once('finish', () => res.detachSocket(socket as never));
  return { req, res, done };
}

async function warm(variant: Variant): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const { res, req, done } = request(variant.app, variant.rawHeaders);
    if (!done) await new Promise((resolve) => res.once('finish', resolve));
    if (res.statusCode !== 200) throw new Error(`${variant.name}: answered ${res.statusCode}`);
    if (variant.check && !variant.check(req as express.Request)) throw new Error(`${variant.name}: req.auth not as expected`);
  }
}

async function run(variant: Variant, n: number): Promise<number> {
  // CPU time of this process, not wall time: the machine is shared, and a process waiting for a core is not slower.
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const { res, done } = request(variant.app, variant.rawHeaders);
    if (!done) await new Promise((resolve) => res.once('finish', resolve));
    if ((i & 1023) === 1023) await new Promise((resolve) => setImmediate(resolve));
  }
  const used = process.cpuUsage(started);
  return ((used.user + used.system) * 1000) / n;
}

for (const variant of chosen) await warm(variant);
for (const variant of chosen) await run(variant, REQUESTS / 4); // JIT warm-up
const samples = new Map<string, number[]>(chosen.map((v) => [v.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of chosen) samples.get(variant.name)!.push(await run(variant, REQUESTS));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const reference = median(samples.get('sets req.auth')!);
console.log(`Node ${process.version}, Express 5, ${ROUNDS} interleaved rounds of ${REQUESTS} requests per variant\n`);
console.log('| variant | CPU ns per request (median) | range | throughput / "sets req.auth" |\n| --- | ---: | ---: | ---: |');
for (const variant of chosen) {
  const values = samples.get(variant.name)!;
  const m = median(values);
  console.log(`| ${variant.name} | ${Math.round(m)} | ${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))} | ${(reference / m).toFixed(3)} |`);
}
await byHeader.close();
await byJwt.close();
await fake.close();
