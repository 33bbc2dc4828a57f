/**
 * Soak: `npm run soak -- --seconds N [--users N] [--concurrency N] [--long-ttl MS] [--json]`
 *
 * Starts the fake GenAuth, an Express 5 app and a Koa 3 app sharing two guards (two GenAuth apps, Bearer tokens and
 * the identity header): half the users go through the short guard (`ttlMs` 1 s), the other half through the long
 * guard (`ttlMs` --long-ttl, default 5 s). Each guard has a webhook receiver (`genauthWebhook`, on the Express app:
 * the short one's registered at the fake as JSON, the long one's as form-encoded), so that kicks at the fake (of every
 * app, or of one) are delivered to both by webhook; short webhook fault episodes drop, delay, duplicate or send with
 * a wrong secret some of the deliveries. Nothing else calls `invalidate`. For N seconds it drives random logins,
 * logouts (no webhook event exists for them), kicks, expired management tokens, short fault episodes (small `times`) and
 * blips (GenAuth failing every check for 150 to 450 ms), while a bounded number of requests stay in flight against
 * both apps, some of them for applications GenAuth does not know (an `appId` from the request, answered apiCode 2011).
 * Every answer is compared with the fake's ground truth, kept as a timestamped log of each session's states:
 *
 * - a 200 is a wrong pass if it names another user or app, if the session was not live at any moment of
 *   [request start - ttlMs - timeoutMs - slack, request end] (the documented revocation delay; timeoutMs because
 *   GenAuth reads the state up to one attempt before the guard stamps the answer), if its `auth.session.checkedAt`
 *   is older than ttlMs at the request start, or if the session was not live around that `checkedAt`;
 * - a 401 session_inactive is a wrong refusal when the session was live all through
 *   [request start - inactiveTtlMs - timeoutMs - slack, request end] (a user who signs in again may wait
 *   inactiveTtlMs, documented); a good credential refused with another 401 code is a wrong refusal; a bad one must
 *   get exactly invalid_token (or missing_credentials when absent);
 * - a 503 session_check_unavailable is a wrong refusal unless explained by its cause (the `UpstreamError` kind):
 *   an upstream attempt that failed with that kind during the request (seen on the `upstream` diagnostics
 *   channel), a fault in force of a kind that causes it (`causesOf`: a 100 ms latency causes nothing, a hang only
 *   timeouts, a reset only network errors, ...), or, for `circuit_open`, the circuit breaker open (it opened, or a
 *   failed probe opened it again, at most `cooldownMs`, its longest window, before the request); every failed
 *   attempt must itself be explained by a fault in force that causes its kind, a recent management-token expiry
 *   (for a refused token), or, for a timeout, a slow loopback path (see below); every breaker opening by failures.
 *   A 503 explained only by the open circuit, for a request that started more than 1 s after the last fault ended
 *   (`late503s`, the blip goal), is a breach too;
 * - kicks must be acknowledged: a run in which either guard's receiver acknowledged no kick, or no request was
 *   judged against an acknowledgement, checked nothing of the "refused at once" rule below, and fails;
 * - the heap (after a forced GC) may not grow by more than HEAP_GROWTH_BOUND_MB from the warm reading to the end
 *   (see there why that bound); a run that cannot force a GC cannot judge it, and fails;
 * - a request for an unknown application must be refused: 503 (GenAuth answers application not found; fail
 *   closed) or, for a Bearer token issued for another app, 401 invalid_token; a 200 is a wrong pass. Its
 *   application-not-found answers are not upstream failures, and must never open the circuit;
 * - any other 5xx, or no answer within 5 s, is unexpected.
 *
 * Webhooks, and how a pass after a kick is judged. The TTL rule above holds for both guards, each with its own
 * ttlMs: it is the backstop for a lost delivery (a kicked user let through after ttlMs + timeoutMs + slack is a wrong
 * pass whatever happened to the webhook; one let through within it after a dropped, delayed or refused delivery is
 * not, and is counted apart for the long guard). On top of it, a delivered kick must take effect at once: the soak
 * notes when each guard's receiver answered 200 to a kick (its handler runs after the invalidation is applied, and
 * the answer is written after that), for each user and app the kick names (`data.application` absent: every app).
 * A 200 for a request that started after such an acknowledgement is a wrong pass when the session was not live at
 * any moment from the acknowledgement to the end of the request: after the acknowledgement every answer must come
 * from GenAuth (the cached one was dropped; a check in flight across the invalidation must not be cached nor shared
 * with a later request), and GenAuth said "inactive" unless the user signed in again. No slack is needed: the
 * request starts after the acknowledgement in the same process. A delivery with a wrong secret must be answered 401
 * and change nothing (a 200 to it is a wrong webhook answer, a breach); an authentic one must be answered 200 (any
 * other answer is a breach too). Duplicates are answered 200 twice, with no other effect. Deliveries that the receiver
 * refused or that were dropped leave the user to the TTL rule; the report counts deliveries per fault and the 401s
 * (a request after a delivered kick refused at once) that the long TTL would otherwise have let through.
 *
 * The fake runs in this process, on a machine other work may share. A guard timeout with no fault in force is
 * judged on what Node's HTTP client saw of that exchange (undici's diagnostics channels): explained when the fake's
 * answer had not arrived yet (the loopback path was slow: the guard saw a slow upstream and failed closed), a
 * breach when it had arrived well before the timeout. A canary request and an event-loop ticker report how slow the
 * path and the loop were; the pass and inactive windows widen by the longest single event-loop stall measured
 * around the request. Prints a table (or JSON with --json) and exits 1 on any breach. Loopback only; every loop is
 * bounded by time and count; everything is closed at the end so the process exits by itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import express from 'express';
import Koa from 'koa';
import {
  bearerJwt,
  channels,
  createSessionGuard,
  firstOf,
  header,
  genauthWebhook,
  requireActiveSession as requireExpress,
  type SessionGuard,
} from '../src/index';
import { requireActiveSession as requireKoa } from '../src/koa';
import { createFakeGenAuth, type FakeGenAuth, type Fault } from '../src/testing';

// --- Options ------------------------------------------------------------------------------------------------------
function option(name: string, fallback: number): number {
  const args = process.argv.slice(2);
  const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (index === -1) return fallback;
  const raw = args[index]!.includes('=') ? args[index]!.split('=')[1] : args[index + 1];
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`soak: --${name} needs a positive number`);
    process.exit(2);
  }
  return value;
}

const SECONDS = option('seconds', 10);
const USERS = Math.floor(option('users', 40));
const CONCURRENCY = Math.floor(option('concurrency', 32));
const JSON_OUTPUT = process.argv.includes('--json');

const APPS = ['soak-app-1', 'soak-app-2'] as const;
const TTL_MS = 1_000;
/** The long guard's TTL: the backstop for a lost delivery; a delivered kick is refused at once. */
const LONG_TTL_MS = Math.floor(option('long-ttl', 5_000));
const INACTIVE_TTL_MS = 1_000;
/** Both receivers' secret (the fake sends `${secret}-wrong` on a `wrong-secret` fault). */
const WEBHOOK_SECRET = 'soak-webhook-secret-0123456789abcdef';
/** Time between two webhook fault episodes; each one misbehaves for the next 1 to 3 deliveries. */
const WEBHOOK_FAULT_EVERY_MS: [number, number] = [200, 800];
const TIMEOUT_MS = 300;
const RETRIES = 1;
const BREAKER = { failureThreshold: 5, cooldownMs: 2_000 };
/** Applications GenAuth does not know, taken by some requests as their `appId`. */
const UNKNOWN_APPS = Array.from({ length: 8 }, (_, i) => `soak-unknown-${i}`);
/** Share of requests for an unknown application. */
const UNKNOWN_APP_SHARE = 0.05;
/** Event-loop and scheduling slack added to every window. */
const SLACK_MS = 100;
const REQUEST_TIMEOUT_MS = 5_000;
const MAX_REQUESTS = SECONDS * 50_000;
/**
 * Heap growth allowed from the warm reading (caches filled) to the end, both after a forced GC. What may
 * legitimately grow meanwhile is bounded: the guards' caches by 40 users x 2 apps x a few policies, the soak's own
 * records by time windows (HTTP exchanges 10 s, lag samples 10 s, failed attempts 20 s, session history
 * HISTORY_MS), each record under 200 bytes: at 2,000 requests/s (about twice the fastest rate seen on this loaded
 * 2-core machine, 170-1,100/s) that is under 8 MB. The bound doubles that for V8's own variance (code, feedback
 * vectors, new-space leftovers); healthy 10 s runs here grew 1-3 MB (six runs, load average 6-7), and one that kept
 * 12 KB per request grew 68 MB. A leak of a few hundred bytes per request exceeds it in a minute's soak.
 */
const HEAP_GROWTH_BOUND_MB = 16;
/** A 503 explained only by the open circuit, more than this after the last fault ended, is late (a breach). */
const LATE_503_AFTER_MS = 1_000;
const MAX_CHAOS_STEPS = SECONDS * 200;

// --- Ground truth: every session's states over time -----------------------------------------------------------------
const now = () => performance.now();
/** Per `${user}|${app}`: [time, live] in time order; the first entry is the state at the start. */
const history = new Map<string, Array<[number, boolean]>>();
const keyOf = (user: string, app: string) => `${user}|${app}`;

function record(user: string, app: string, live: boolean, at = now()): void {
  const log = history.get(keyOf(user, app))!;
  if (log[log.length - 1]![1] !== live) log.push([at, live]);
}

function stateAt(log: Array<[number, boolean]>, t: number): boolean {
  let state = log[0]![1];
  for (const [at, live] of log) {
    if (at > t) break;
    state = live;
  }
  return state;
}

/** Live at some moment of [from, to]. */
function liveSometime(user: string, app: string, from: number, to: number): boolean {
  const log = history.get(keyOf(user, app))!;
  if (stateAt(log, from)) return true;
  return log.some(([at, live]) => live && at > from && at <= to);
}

/** Live all through [from, to]. */
function liveThroughout(user: string, app: string, from: number, to: number): boolean {
  const log = history.get(keyOf(user, app))!;
  if (!stateAt(log, from)) return false;
  return !log.some(([at, live]) => !live && at > from && at <= to);
}

/** Drops history older than the longest window still needed (keeps the state in force at the cut). */
function prune(before: number): void {
  for (const log of history.values()) {
    let cut = 0;
    while (cut + 1 < log.length && log[cut + 1]![0] <= before) cut++;
    if (cut > 0) log.splice(0, cut);
  }
}

/** Event-loop lag samples: [time, lag ms] of a 10 ms ticker (the fake, the apps and the guard share one loop). */
const lagSamples: Array<[number, number]> = [];
/** The longest single event-loop stall overlapping [from, to] (a busy loop shows many small lags; a stall, one big one). */
const lagWithin = (from: number, to: number) =>
  lagSamples.reduce((max, [at, lag]) => (at >= from && at - lag <= to ? Math.max(max, lag) : max), 0);

/**
 * A canary, reported only: every 25 ms, an unauthenticated POST to the fake's kick-users endpoint (never faulted
 * here; refused without touching any session), on the same loop and HTTP client as the guard: the fake reads and
 * parses the body and checks authentication as for a session check. Its latency shows how slow the loopback path
 * to GenAuth is on this machine at the time.
 */
const canary: Array<[number, number]> = [];

/**
 * Fault episodes: [injected, cleared] (cleared = Infinity while in force), the failure kinds each can cause
 * (`causesOf`), and what each was.
 */
const episodes: Array<[number, number]> = [];
const episodeCauses: Array<ReadonlySet<string>> = [];
const episodeLabels: string[] = [];
function lastEpisodeBefore(at: number): string {
  for (let i = episodes.length - 1; i >= 0; i--) {
    const [from, to] = episodes[i]!;
    if (from <= at) return `${episodeLabels[i]}, ${to >= at ? 'in force' : `${(at - to).toFixed(0)} ms after its end`}`;
  }
  return 'none';
}
/** A fault in force at some moment of [from, to]; with `kind`, only one that can cause a failure of that kind. */
const faultWithin = (from: number, to: number, kind?: string) =>
  episodes.some(([start, end], i) => start <= to && end >= from && (kind === undefined || episodeCauses[i]!.has(kind)));
/** When management tokens were expired at the fake. */
const tokenExpiries: number[] = [];
/** Failed upstream attempts (end time, failure kind), each explained by a fault or not. */
const failedAttempts: Array<{ at: number; outcome: string; justified: boolean }> = [];
/** A justified failed attempt in [from, to]; with `kind`, one that failed with that kind. */
const failedAttemptWithin = (from: number, to: number, kind?: string) =>
  failedAttempts.some(({ at, outcome, justified }) => justified && at >= from && at <= to && (kind === undefined || outcome === kind));
/** Times the breaker was seen open (polled), and whether failed attempts explain each opening. */
const breakerOpenings: Array<{ at: number; justified: boolean; after: string }> = [];
const breakerOpenWithin = (from: number, to: number) =>
  breakerOpenings.some(({ at, justified }) => justified && at <= to && at + BREAKER.cooldownMs + 2 * SLACK_MS >= from);

// --- Webhook acknowledgements ---------------------------------------------------------------------------------------
type GuardName = 'short' | 'long';
/** How long the session history (and the acknowledgements judged against it) is kept. */
const HISTORY_MS = Math.max(10_000, LONG_TTL_MS + TIMEOUT_MS + 5_000);
/** Per guard and `${user}|${app}`: when that guard's receiver answered 200 to a kick naming them, in time order. */
const kickAcks: Record<GuardName, Map<string, number[]>> = { short: new Map(), long: new Map() };

function ackKick(name: GuardName, user: string, apps: readonly string[], at: number): void {
  for (const app of apps) {
    const key = keyOf(user, app);
    const acks = kickAcks[name].get(key) ?? [];
    acks.push(at);
    while (acks.length > 0 && acks[0]! < at - HISTORY_MS + 2_000) acks.shift();
    kickAcks[name].set(key, acks);
  }
}

/** The latest acknowledgement of a kick of (user, app) by that guard's receiver at or before `t`. */
function lastAckBefore(name: GuardName, user: string, app: string, t: number): number | undefined {
  const acks = kickAcks[name].get(keyOf(user, app));
  if (!acks) return undefined;
  for (let i = acks.length - 1; i >= 0; i--) if (acks[i]! <= t) return acks[i];
  return undefined;
}

/** The users and apps a kick delivery names (JSON body, or form-encoded with `data` holding JSON), or undefined. */
function kickTargets(body: unknown): { users: string[]; apps: readonly string[] } | undefined {
  try {
    const { eventName, data: raw } = (body ?? {}) as { eventName?: unknown; data?: unknown };
    if (eventName !== 'kick') return undefined;
    const data = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { users?: unknown[]; application?: unknown };
    const users = (data.users ?? []).map((u) => (typeof u === 'string' ? u : String((u as { userId?: string; id?: string }).userId ?? (u as { id?: string }).id)));
    const application = data.application as string | { id?: string; appId?: string } | undefined;
    const appId = typeof application === 'string' ? application : application?.id ?? application?.appId;
    return { users, apps: appId === undefined ? APPS : [appId] };
  } catch {
    return undefined;
  }
}

// --- Figures ------------------------------------------------------------------------------------------------------
const figures = {
  requests: 0,
  byApp: { express: 0, koa: 0 },
  passes: 0,
  refusals: {} as Record<string, number>,
  unavailableCauses: {} as Record<string, number>,
  passesInTtlWindow: 0,
  longPassesInTtlWindow: 0,
  byGuard: { short: 0, long: 0 },
  kickAcks: 0,
  kickAcksByGuard: { short: 0, long: 0 },
  judgedAfterAck: 0,
  unacknowledgedKicks: 0,
  webhookAnswers: {} as Record<string, number>,
  webhookFaultEpisodes: {} as Record<string, number>,
  refusedAfterDeliveredKick: 0,
  wrongWebhookAnswers: 0,
  refusalsInInactiveWindow: 0,
  unavailableDuringFaults: 0,
  unknownAppRequests: 0,
  late503s: 0,
  heapGrowthBreaches: 0,
  blips: 0,
  wrongPasses: 0,
  wrongRefusals: 0,
  unexpected5xx: 0,
  unanswered: 0,
  unjustifiedBreakerOpenings: 0,
  upstreamFailuresWithoutFault: 0,
  failedAttempts: 0,
  timeoutsOnSlowPath: 0,
  canaryRequests: 0,
  slowCanaries: 0,
  maxLoopLagMs: 0,
  loopStallsOver100Ms: 0,
  logins: 0,
  logouts: 0,
  kicks: 0,
  tokenExpiries: 0,
  faultEpisodes: 0,
};
const breaches: string[] = [];
function breach(kind: keyof typeof figures, detail: string): void {
  (figures[kind] as number)++;
  if (breaches.length < 20) breaches.push(`${kind}: ${detail}`);
}

// --- Set-up ---------------------------------------------------------------------------------------------------------
function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function gcFunction(): { gc: (() => void) | undefined; how: string } {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return { gc: exposed, how: 'global.gc (--expose-gc)' };
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    if (typeof gc === 'function') return { gc, how: 'v8.setFlagsFromString("--expose-gc")' };
  } catch {
    // fall through
  }
  return { gc: undefined, how: 'not available: heapUsed without a forced GC' };
}

function heapMb(gc: (() => void) | undefined): number {
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

const FAULTS: Fault[] = [
  { kind: 'http-status', status: 502, html: true },
  { kind: 'http-status', status: 500 },
  { kind: 'body-status', statusCode: 500 },
  { kind: 'throttle', inBody: true },
  { kind: 'throttle', retryAfterSec: 1 },
  { kind: 'malformed' },
  { kind: 'truncated' },
  { kind: 'empty' },
  { kind: 'missing-active' },
  { kind: 'non-boolean-active' },
  { kind: 'huge', bytes: 200_000 },
  { kind: 'hang' },
  { kind: 'reset' },
  { kind: 'drip', ms: 20 },
  { kind: 'latency', ms: 100 },
  { kind: 'latency', ms: 600 },
];

/**
 * The failure kinds (`UpstreamError` kind, the `upstream` channel's outcome) a fault can cause, besides the
 * consequences of any failure (`overloaded` while answers are slow, `circuit_open` after several; judged apart).
 * A latency the timeout absorbs causes none: a 503 during it is a wrong refusal unless something else explains it.
 */
function causesOf(fault: Fault): ReadonlySet<string> {
  switch (fault.kind) {
    case 'latency': return new Set(fault.ms >= TIMEOUT_MS ? ['timeout', 'overloaded'] : []);
    case 'hang':
    case 'drip': return new Set(['timeout', 'overloaded']);
    case 'http-status': return new Set(['http', 'server']);
    case 'body-status': return new Set(['server']);
    case 'throttle': return new Set(['throttled']);
    case 'reset': return new Set(['network']);
    // Larger than the client reads (malformed); streamed on a loaded loop it may also run past the timeout.
    case 'huge': return new Set(['malformed', 'timeout', 'overloaded']);
    // The envelope cut short: unparsable, or the connection closed before its announced length.
    case 'truncated': return new Set(['malformed', 'network']);
    default: return new Set(['malformed']); // malformed, empty, missing-active, non-boolean-active
  }
}

async function main(): Promise<number> {
  const { gc, how: gcHow } = gcFunction();
  const fake: FakeGenAuth = await createFakeGenAuth({ apps: APPS });
  const audience = ({ appId }: { appId: string }) => appId;
  const makeGuard = (ttlMs: number): SessionGuard => createSessionGuard({
    host: fake.host,
    accessKeyId: fake.accessKeyId,
    accessKeySecret: fake.accessKeySecret,
    identity: firstOf(bearerJwt({ issuer: fake.issuer, audience }), header('x-user-id')),
    cache: { ttlMs, inactiveTtlMs: INACTIVE_TTL_MS },
    timeoutMs: TIMEOUT_MS,
    retries: RETRIES,
    circuitBreaker: BREAKER,
  } as Parameters<typeof createSessionGuard>[0]);
  const guards: Record<GuardName, SessionGuard> = { short: makeGuard(TTL_MS), long: makeGuard(LONG_TTL_MS) };
  const ttlOf = (name: GuardName) => (name === 'long' ? LONG_TTL_MS : TTL_MS);

  // The default answers, plus the refusal's cause (kind of upstream failure) in a header, for the breach report.
  const causeOf = (error: unknown): string => {
    const cause = (error as { cause?: { name?: string; kind?: string; message?: string } }).cause;
    return cause ? `${cause.name ?? 'Error'} ${cause.kind ?? ''} ${cause.message ?? ''}`.replace(/[^\x20-\x7e]/g, '?') : 'none';
  };
  const expressApp = express();
  const onRejectExpress = (error: any, _req: any, res: any) => {
    res.status(error.status).set(error.headers).set('x-soak-cause', causeOf(error)).json(error.toJSON());
  };
  const onRejectKoa = (error: any, ctx: any) => {
    ctx.status = error.status;
    ctx.set(error.headers);
    ctx.set('x-soak-cause', causeOf(error));
    ctx.body = error.toJSON();
  };
  const koaApp = new Koa();
  for (const name of ['short', 'long'] as const) {
    const guard = guards[name];
    const path = name === 'long' ? '/admin-long' : '/admin';
    expressApp.get(path, requireExpress((req) => String(req.get('x-app')), { guard, onReject: onRejectExpress }), (req, res) => {
      res.json({ auth: req.auth });
    });
    const koaGuard = requireKoa((ctx) => String(ctx.get('x-app')), { guard, onReject: onRejectKoa });
    koaApp.use(async (ctx, next) => {
      if (ctx.path !== path) return next();
      await koaGuard(ctx as never, async () => {
        ctx.body = { auth: ctx.state.auth };
      });
    });
  }

  // Each guard's webhook receiver, behind a recorder that notes, once the answer is written, when a kick was
  // acknowledged (the receiver answers after applying the invalidation) and checks the answer against the secret.
  const recordAcks = (name: GuardName) => (req: express.Request, res: express.Response, next: express.NextFunction) => {
    const authentic = req.get('x-authing-webhook-secret') === WEBHOOK_SECRET;
    const body: unknown = req.body;
    res.on('finish', () => {
      const at = now();
      const label = `${name} ${authentic ? 'authentic' : 'wrong secret'} ${res.statusCode}`;
      figures.webhookAnswers[label] = (figures.webhookAnswers[label] ?? 0) + 1;
      if (!authentic) {
        if (res.statusCode !== 401) breach('wrongWebhookAnswers', `${name} receiver answered ${res.statusCode} to a delivery with a wrong secret`);
        return;
      }
      if (res.statusCode !== 200) {
        breach('wrongWebhookAnswers', `${name} receiver answered ${res.statusCode} to an authentic delivery`);
        return;
      }
      const kick = kickTargets(body);
      if (!kick) return;
      figures.kickAcks++;
      figures.kickAcksByGuard[name]++;
      for (const user of kick.users) ackKick(name, user, kick.apps, at);
    });
    next();
  };
  expressApp.post('/hooks/short', express.json(), recordAcks('short'), genauthWebhook({ guard: guards.short, secret: WEBHOOK_SECRET }));
  expressApp.post('/hooks/long', express.urlencoded({ extended: false }), recordAcks('long'),
    genauthWebhook({ guard: guards.long, secret: WEBHOOK_SECRET }));
  const servers = { express: await listen(expressApp), koa: await listen(koaApp.callback()) };
  fake.addWebhook({ url: `${servers.express.url}/hooks/short`, secret: WEBHOOK_SECRET, events: ['kick'], name: 'soak short' });
  fake.addWebhook({
    url: `${servers.express.url}/hooks/long`, secret: WEBHOOK_SECRET, events: ['kick'], name: 'soak long',
    contentType: 'application/x-www-form-urlencoded',
  });

  // Users: known to the fake, about half live in each app at the start; a token per (user, app).
  const users = Array.from({ length: USERS }, (_, i) => `user-${i}`);
  /** Every other user goes through the long guard. */
  const longUsers = new Set(users.filter((_, i) => i % 2 === 1));
  const tokens = new Map<string, string>();
  const start = now();
  for (const user of users) {
    fake.addUser(user);
    for (const app of APPS) {
      const live = Math.random() < 0.5;
      history.set(keyOf(user, app), [[start, live]]);
      tokens.set(keyOf(user, app), live ? await fake.login(user, app) : await fake.signToken({ sub: user, aud: app, iss: fake.issuer }));
    }
  }

  // The HTTP exchanges with the fake as Node's HTTP clients saw them, independently of the guard: when each request
  // was created, when its answer's headers arrived and when its body was complete. The guard calls GenAuth with
  // node:http (its own agent); undici (global fetch) is watched too, for a guard given a `fetch`.
  const exchanges: Array<{ path: string; created: number; headers?: number; done?: number }> = [];
  const byRequest = new WeakMap<object, (typeof exchanges)[number]>();
  const fakeOrigin = new URL(fake.host).origin;
  const undiciListeners: Array<[string, (message: any) => void]> = [
    ['undici:request:create', ({ request }) => {
      if (!loadRunning || String(request.origin) !== fakeOrigin || !String(request.path).startsWith('/api/v3/')) return;
      const exchange = { path: String(request.path), created: now() };
      exchanges.push(exchange);
      byRequest.set(request, exchange);
      while (exchanges.length > 0 && exchanges[0]!.created < now() - 10_000) exchanges.shift();
    }],
    ['undici:request:headers', ({ request }) => {
      const exchange = byRequest.get(request);
      if (exchange) exchange.headers = now();
    }],
    ['undici:request:trailers', ({ request }) => {
      const exchange = byRequest.get(request);
      if (exchange) exchange.done = now();
    }],
  ];
  const fakeHost = new URL(fake.host).host;
  const httpListeners: Array<[string, (message: any) => void]> = [
    ['http.client.request.start', ({ request }) => {
      if (!loadRunning || String(request.getHeader('host')) !== fakeHost || !String(request.path).startsWith('/api/v3/')) return;
      const exchange = { path: String(request.path), created: now() };
      exchanges.push(exchange);
      byRequest.set(request, exchange);
      while (exchanges.length > 0 && exchanges[0]!.created < now() - 10_000) exchanges.shift();
    }],
    ['http.client.response.finish', ({ request, response }) => {
      const exchange = byRequest.get(request);
      if (!exchange) return;
      exchange.headers = now();
      response.once('end', () => {
        exchange.done = now();
      });
    }],
  ];
  undiciListeners.push(...httpListeners);
  for (const [name, listener] of undiciListeners) subscribe(name, listener);

  /**
   * A guard timeout with no fault in force: the guard is right if the fake's answer had not reached this process
   * in time (a slow loopback path on a busy machine), wrong if every exchange it could be had its answer complete
   * well before the timeout fired.
   */
  function judgeTimeout(at: number, durationMs: number, endpoint: string, record: { justified: boolean }): void {
    const startedAt = at - durationMs;
    const path = endpoint === 'get-management-token' ? '/api/v3/get-management-token' : '/api/v3/check-session-status';
    const candidates = exchanges.filter((e) => e.path === path && e.created >= startedAt - 2 && e.created <= startedAt + 20);
    const late = candidates.filter((e) => e.done === undefined || e.done > at - 20);
    if (candidates.length > 0 && late.length > 0) {
      figures.timeoutsOnSlowPath++;
      return;
    }
    record.justified = false;
    breach('upstreamFailuresWithoutFault', `${endpoint} attempt timed out (${durationMs.toFixed(0)} ms) at ${(at - start).toFixed(0)} ms with no fault in force, ` +
      (candidates.length === 0 ? 'and no matching HTTP exchange seen' : `although the answer had arrived ${(at - Math.max(...candidates.map((e) => e.done!))).toFixed(0)} ms before`) +
      ` (last episode: ${lastEpisodeBefore(at)})`);
  }

  const onUpstream = (message: unknown) => {
    const { outcome, durationMs, endpoint, apiCode } = message as { outcome: string; durationMs: number; endpoint: string; apiCode?: number };
    if (outcome === 'ok' || !loadRunning) return;
    if (outcome === 'rejected' && apiCode === 2011) return; // an unknown application: GenAuth answered
    const at = now();
    figures.failedAttempts++;
    if (outcome === 'aborted') return; // the guard gave up on its own call: not a failure of GenAuth
    const explained = faultWithin(at - durationMs - SLACK_MS, at, outcome) ||
      (outcome === 'credentials' && tokenExpiries.some((t) => t <= at && t >= at - 5_000));
    const record = { at, outcome, justified: true };
    failedAttempts.push(record);
    if (explained) return;
    if (outcome === 'timeout') {
      // Judged once the HTTP client has reported on the exchange (its events may follow the guard's by a tick).
      setTimeout(() => judgeTimeout(at, durationMs, endpoint, record), 30);
      return;
    }
    record.justified = false;
    breach('upstreamFailuresWithoutFault', `${endpoint} attempt failed (${outcome}, ${durationMs.toFixed(0)} ms) at ${(at - start).toFixed(0)} ms with no fault in force that causes it (last episode: ${lastEpisodeBefore(at)})`);
  };
  let loadRunning = true;
  subscribe(channels.upstream, onUpstream);

  let lastTick = now();
  const ticker = setInterval(() => {
    const at = now();
    const lag = at - lastTick - 10;
    lastTick = at;
    if (lag > 2) lagSamples.push([at, lag]);
    if (lag > figures.maxLoopLagMs) figures.maxLoopLagMs = Math.round(lag);
    if (lag > 100) figures.loopStallsOver100Ms++;
  }, 10);

  let canaryOn = true;
  const canaryLoop = (async () => {
    while (canaryOn) {
      const begun = now();
      try {
        const response = await fetch(`${fake.host}/api/v3/kick-users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId: 'canary-nobody' }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await response.text();
      } catch {
        // a failed canary is a slow one
      }
      const ended = now();
      canary.push([begun, ended]);
      figures.canaryRequests++;
      if (ended - begun >= TIMEOUT_MS / 2) figures.slowCanaries++;
      while (canary.length > 0 && canary[0]![1] < ended - 10_000) canary.shift();
      await sleep(25);
    }
  })();

  const heapStart = heapMb(gc);
  const deadline = now() + SECONDS * 1_000;
  const running = () => now() < deadline;
  // Heap once warm (caches filled, code optimised): growth after that point is what a leak would show.
  let heapWarm: number | undefined;
  const warmTimer = setTimeout(() => {
    heapWarm = heapMb(gc);
  }, Math.min(Math.max(2_000, SECONDS * 200), SECONDS * 500));

  // Chaos: logins, logouts, kicks, expired management tokens.
  const chaos = (async () => {
    for (let step = 0; step < MAX_CHAOS_STEPS && running(); step++) {
      await sleep(between(5, 30));
      const user = pick(users);
      const app = pick(APPS);
      const roll = Math.random();
      if (roll < 0.55) {
        record(user, app, true);
        figures.logins++;
        tokens.set(keyOf(user, app), await fake.login(user, app));
      } else if (roll < 0.77) {
        record(user, app, false);
        fake.logout(user, app);
        figures.logouts++;
      } else if (roll < 0.98) {
        // A kick of every app (the webhook carries no application), or of one (it names the application).
        const at = now();
        const kicked = Math.random() < 0.5 ? undefined : [app];
        for (const each of kicked ?? APPS) record(user, each, false, at);
        fake.kick(user, kicked);
        figures.kicks++;
      } else {
        tokenExpiries.push(now());
        fake.expireManagementTokens(); // must be absorbed by one refresh: no 503 expected
        figures.tokenExpiries++;
      }
    }
  })();

  // Faults: short episodes (small `times`) separated by quiet stretches.
  const faults = (async () => {
    for (let step = 0; step < MAX_CHAOS_STEPS && running(); step++) {
      await sleep(between(1_200, 3_000));
      if (!running()) break;
      const episode: [number, number] = [now(), Infinity];
      episodes.push(episode);
      const causes = new Set<string>();
      episodeCauses.push(causes);
      figures.faultEpisodes++;
      const roll = Math.random();
      if (roll < 0.35) {
        // A blip: every check fails for 150-450 ms, then GenAuth is healthy again.
        const fault = pick([FAULTS[0]!, FAULTS[1]!, FAULTS[2]!, FAULTS[3]!, FAULTS[5]!, FAULTS[12]!]);
        episodeLabels.push(`blip ${JSON.stringify(fault)}`);
        for (const kind of causesOf(fault)) causes.add(kind);
        figures.blips++;
        fake.fault(fault);
        await sleep(between(150, 450));
        fake.clearFaults();
        episode[1] = now();
        continue;
      }
      if (roll < 0.5) {
        const fault = pick([FAULTS[0]!, FAULTS[5]!, FAULTS[11]!, FAULTS[12]!]);
        const times = between(1, 2);
        episodeLabels.push(`token ${JSON.stringify(fault)} x${times}`);
        for (const kind of causesOf(fault)) causes.add(kind);
        fake.fault(fault, { endpoint: 'token', times });
        tokenExpiries.push(now());
        fake.expireManagementTokens();
        figures.tokenExpiries++;
      } else {
        const fault = pick(FAULTS);
        const times = between(1, 4);
        episodeLabels.push(`check ${JSON.stringify(fault)} x${times}`);
        for (const kind of causesOf(fault)) causes.add(kind);
        fake.fault(fault, { times });
      }
      await sleep(between(100, 500));
      fake.clearFaults();
      episode[1] = now();
    }
  })();

  // Webhook faults: every 200-800 ms, the next 1 to 3 deliveries are dropped, delayed, duplicated or sent with a
  // wrong secret (a fault is taken per delivery, so one kick may reach one receiver and not the other).
  const WEBHOOK_FAULTS = [
    () => ({ kind: 'drop' as const }),
    () => ({ kind: 'delay' as const, ms: between(20, 600) }),
    () => ({ kind: 'duplicate' as const }),
    () => ({ kind: 'wrong-secret' as const }),
  ];
  const webhookFaults = (async () => {
    for (let step = 0; step < MAX_CHAOS_STEPS && running(); step++) {
      await sleep(between(...WEBHOOK_FAULT_EVERY_MS));
      if (!running()) break;
      const fault = pick(WEBHOOK_FAULTS)();
      figures.webhookFaultEpisodes[fault.kind] = (figures.webhookFaultEpisodes[fault.kind] ?? 0) + 1;
      fake.clearWebhookFaults();
      fake.webhookFault(fault, { times: between(1, 3) });
    }
    fake.clearWebhookFaults();
  })();

  // The breakers, polled: each opening must follow faults.
  const seenOpenings: Record<GuardName, number> = { short: 0, long: 0 };
  const poll = setInterval(() => {
    for (const name of ['short', 'long'] as const) {
      const opened = (guards[name].stats() as { circuitOpened?: number }).circuitOpened ?? 0;
      while (seenOpenings[name] < opened) {
        seenOpenings[name]++;
        const at = now();
        // Failures without a failed attempt (an answer whose data.active is unusable) count too: a fault explains them.
        const justified = failedAttemptWithin(at - 50 - 2 * SLACK_MS, at) || faultWithin(at - TIMEOUT_MS - 50 - 2 * SLACK_MS, at);
        breakerOpenings.push({ at, justified, after: `${name} guard; ${lastEpisodeBefore(at)}` });
        if (!justified) breach('unjustifiedBreakerOpenings', `the ${name} guard's circuit opened at ${(at - start).toFixed(0)} ms with no failed attempt just before`);
      }
    }
    prune(now() - HISTORY_MS);
    while (failedAttempts.length > 0 && failedAttempts[0]!.at < now() - 20_000) failedAttempts.shift();
    while (lagSamples.length > 0 && lagSamples[0]![0] < now() - 10_000) lagSamples.shift();
  }, 50);

  // Load: CONCURRENCY workers, each one request at a time.
  async function oneRequest(): Promise<void> {
    const user = pick(users);
    const guardName: GuardName = longUsers.has(user) ? 'long' : 'short';
    const ttlMs = ttlOf(guardName);
    const unknownApp = Math.random() < UNKNOWN_APP_SHARE;
    const app = unknownApp ? pick(UNKNOWN_APPS) : pick(APPS);
    const target = Math.random() < 0.5 ? 'express' : 'koa';
    const roll = Math.random();
    const style = roll < 0.7 ? 'bearer' : roll < 0.94 ? 'header' : roll < 0.99 ? 'bad' : 'none';
    const headers: Record<string, string> = { 'x-app': app };
    if (style === 'bearer') headers.authorization = `Bearer ${tokens.get(keyOf(user, unknownApp ? pick(APPS) : app))}`;
    else if (style === 'header') headers['x-user-id'] = user;
    else if (style === 'bad') headers.authorization = `Bearer not.a.${Math.random().toString(36).slice(2)}`;

    const started = now();
    let status: number;
    let cause = '';
    let body: { error?: string; auth?: { userId: string; appId: string; session: { checkedAt: number } } };
    try {
      const response = await fetch(`${servers[target].url}${guardName === 'long' ? '/admin-long' : '/admin'}`, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      status = response.status;
      cause = response.headers.get('x-soak-cause') ?? '';
      const text = await response.text();
      try {
        body = JSON.parse(text);
      } catch {
        body = {};
      }
    } catch (error) {
      breach('unanswered', `${target} ${style} ${user} ${app}: ${(error as Error).message}`);
      return;
    }
    const ended = now();
    figures.requests++;
    figures.byApp[target]++;
    figures.byGuard[guardName]++;
    const what = `${guardName} ${target} ${style} ${user}@${app} at ${(started - start).toFixed(0)}-${(ended - start).toFixed(0)} ms`;

    if (unknownApp) {
      figures.unknownAppRequests++;
      const code = typeof body.error === 'string' ? body.error : `http-${status}`;
      figures.refusals[`${status} ${code} (unknown app)`] = (figures.refusals[`${status} ${code} (unknown app)`] ?? 0) + 1;
      if (status === 200) breach('wrongPasses', `200 for ${what}, an application GenAuth does not know`);
      else if (style === 'none' ? code !== 'missing_credentials' : style === 'bad' || style === 'bearer'
        ? code !== 'invalid_token' && code !== 'session_check_unavailable'
        : code !== 'session_check_unavailable') {
        breach('wrongRefusals', `${status} ${code} for ${what} (an unknown application)`);
      }
      return;
    }

    if (status === 200) {
      figures.passes++;
      const auth = body.auth;
      if (style === 'bad' || style === 'none' || !auth || auth.userId !== user || auth.appId !== app) {
        breach('wrongPasses', `200 for ${what} naming ${JSON.stringify(auth && { userId: auth.userId, appId: auth.appId })}`);
        return;
      }
      // Windows widen by the longest event-loop stall measured around the request (a stall delays the stamp).
      const lag = lagWithin(started - ttlMs - TIMEOUT_MS - 1_000, ended);
      if (!liveSometime(user, app, started - ttlMs - TIMEOUT_MS - SLACK_MS - lag, ended)) {
        breach('wrongPasses', `200 for ${what}, not live at any moment of the TTL window`);
        return;
      }
      // A kick acknowledged by this guard's receiver before the request started takes effect at once.
      const acked = lastAckBefore(guardName, user, app, started);
      if (acked !== undefined) figures.judgedAfterAck++;
      if (acked !== undefined && !liveSometime(user, app, acked, ended)) {
        breach('wrongPasses', `200 for ${what}, after its guard's receiver acknowledged a kick at ${(acked - start).toFixed(0)} ms, not live since`);
        return;
      }
      // The answer's own stamp: confirmed no longer than ttlMs before the request, and live when GenAuth said so.
      const checkedAt = auth.session.checkedAt - performance.timeOrigin;
      if (checkedAt < started - ttlMs - SLACK_MS - lag) {
        breach('wrongPasses', `200 for ${what} on an answer confirmed ${(started - checkedAt).toFixed(0)} ms before the request (ttlMs ${ttlMs})`);
        return;
      }
      if (!liveSometime(user, app, checkedAt - TIMEOUT_MS - SLACK_MS - lag, checkedAt + SLACK_MS)) {
        breach('wrongPasses', `200 for ${what} on an answer confirmed at ${(checkedAt - start).toFixed(0)} ms, when the session was not live`);
        return;
      }
      if (!liveSometime(user, app, started, ended)) {
        figures.passesInTtlWindow++;
        if (guardName === 'long') figures.longPassesInTtlWindow++;
      }
      return;
    }
    const code = typeof body.error === 'string' ? body.error : `http-${status}`;
    figures.refusals[`${status} ${code}`] = (figures.refusals[`${status} ${code}`] ?? 0) + 1;

    if (status === 503 && code === 'session_check_unavailable') {
      const kind = cause.split(' ')[1] || cause || 'unknown';
      figures.unavailableCauses[kind] = (figures.unavailableCauses[kind] ?? 0) + 1;
      // Explained by a failed attempt of its kind (itself explained), by a fault in force that causes its kind (an
      // answer the guard rejects after a successful HTTP exchange, e.g. data.active missing, is no failed attempt),
      // or, failing fast, by the open circuit (seen by a 50 ms poll: it may be noticed just after the answer).
      const ownFailure = kind === 'circuit_open'
        ? failedAttemptWithin(started - SLACK_MS, ended + SLACK_MS)
        : failedAttemptWithin(started - SLACK_MS, ended + SLACK_MS, kind) || faultWithin(started - TIMEOUT_MS - SLACK_MS, ended, kind);
      const circuit = kind === 'circuit_open' && breakerOpenWithin(started - SLACK_MS, ended + 2 * SLACK_MS);
      if (ownFailure || circuit) {
        figures.unavailableDuringFaults++;
        const lastEnd = episodes.reduce((latest, [from, to]) => (from <= started ? Math.max(latest, to) : latest), -Infinity);
        if (!ownFailure && !faultWithin(started, ended) && started > lastEnd + LATE_503_AFTER_MS) {
          breach('late503s', `503 for ${what}, failing fast ${(started - lastEnd).toFixed(0)} ms after the last fault ended (${lastEpisodeBefore(started)})`);
        }
      } else {
        breach('wrongRefusals', `503 for ${what} with no failed attempt, fault in force or open circuit that causes it (cause: ${cause}; last episode: ${lastEpisodeBefore(started)})`);
      }
      return;
    }
    if (status >= 500) {
      breach('unexpected5xx', `${status} ${code} for ${what}`);
      return;
    }
    if (style === 'bad') {
      if (status !== 401 || code !== 'invalid_token') breach('wrongRefusals', `${status} ${code} for ${what} (expected invalid_token)`);
      return;
    }
    if (style === 'none') {
      if (status !== 401 || code !== 'missing_credentials') breach('wrongRefusals', `${status} ${code} for ${what} (expected missing_credentials)`);
      return;
    }
    if (status === 401 && code === 'session_inactive') {
      const lag = lagWithin(started - INACTIVE_TTL_MS - TIMEOUT_MS - 1_000, ended);
      if (liveThroughout(user, app, started - INACTIVE_TTL_MS - TIMEOUT_MS - SLACK_MS - lag, ended)) {
        breach('wrongRefusals', `session_inactive for ${what}, live all through the window`);
      } else if (liveThroughout(user, app, started, ended)) {
        figures.refusalsInInactiveWindow++;
      }
      const acked = lastAckBefore(guardName, user, app, started);
      if (acked !== undefined) figures.judgedAfterAck++;
      if (guardName === 'long' && acked !== undefined && started - acked < LONG_TTL_MS && !liveSometime(user, app, acked, ended)) {
        figures.refusedAfterDeliveredKick++;
      }
      return;
    }
    breach('wrongRefusals', `${status} ${code} for ${what}`);
  }

  // Ramp up over the first second (a cold process would time out on its first burst), then CONCURRENCY in flight.
  const workers = Array.from({ length: CONCURRENCY }, async (_, index) => {
    await sleep(Math.floor((index * 1_000) / CONCURRENCY));
    while (running() && figures.requests + figures.unanswered < MAX_REQUESTS) await oneRequest();
  });
  await Promise.all(workers);
  const elapsedSec = (now() - (deadline - SECONDS * 1_000)) / 1_000;
  await Promise.all([chaos, faults, webhookFaults]);
  loadRunning = false;
  canaryOn = false;
  await canaryLoop;
  await sleep(50); // the last timeouts' judgements
  unsubscribe(channels.upstream, onUpstream);
  for (const [name, listener] of undiciListeners) unsubscribe(name, listener);
  clearInterval(poll);
  clearInterval(ticker);
  clearTimeout(warmTimer);
  fake.clearFaults();
  fake.clearWebhookFaults();
  // Every delivery started is answered (or failed) before the servers close; the fake's log, by fault and status.
  const deliveries: Record<string, number> = {};
  for (const { fault, status } of await fake.webhookDeliveries()) {
    const label = `${fault ?? 'normal'} ${status === 0 ? 'not sent' : status}`;
    deliveries[label] = (deliveries[label] ?? 0) + 1;
  }

  const heapEnd = heapMb(gc);
  // What a run must have exercised, and the heap bound (see the header).
  for (const name of ['short', 'long'] as const) {
    if (figures.kickAcksByGuard[name] === 0) {
      breach('unacknowledgedKicks', `the ${name} guard's receiver acknowledged no kick (${figures.kicks} kicks): the "refused at once" rule checked nothing`);
    }
  }
  if (figures.kickAcks > 0 && figures.judgedAfterAck === 0) {
    breach('unacknowledgedKicks', 'no request was judged against an acknowledged kick: the "refused at once" rule checked nothing');
  }
  if (!gc) breach('heapGrowthBreaches', `the heap bound cannot be judged without a forced GC (${gcHow})`);
  else if (heapWarm === undefined) breach('heapGrowthBreaches', 'the warm heap was never read');
  else if (heapEnd - heapWarm > HEAP_GROWTH_BOUND_MB) {
    breach('heapGrowthBreaches', `heap grew ${round(heapEnd - heapWarm)} MB from warm to end, over the ${HEAP_GROWTH_BOUND_MB} MB bound`);
  }
  const stats = guards.short.stats();
  const longStats = guards.long.stats();
  await Promise.all([closeServer(servers.express.server), closeServer(servers.koa.server)]);
  await Promise.all([guards.short.close(), guards.long.close()]);
  await fake.close();

  const breachCount = figures.wrongPasses + figures.wrongRefusals + figures.unexpected5xx + figures.unanswered +
    figures.unjustifiedBreakerOpenings + figures.upstreamFailuresWithoutFault + figures.wrongWebhookAnswers +
    figures.late503s + figures.unacknowledgedKicks + figures.heapGrowthBreaches;
  const report = {
    settings: {
      seconds: SECONDS, users: USERS, apps: APPS.length, concurrency: CONCURRENCY, ttlMs: TTL_MS, longTtlMs: LONG_TTL_MS, inactiveTtlMs: INACTIVE_TTL_MS,
      timeoutMs: TIMEOUT_MS, retries: RETRIES, circuitBreaker: BREAKER,
      passWindowMs: TTL_MS + TIMEOUT_MS + SLACK_MS, inactiveWindowMs: INACTIVE_TTL_MS + TIMEOUT_MS + SLACK_MS, slackMs: SLACK_MS,
    },
    requests: figures.requests,
    requestsPerSec: Math.round(figures.requests / elapsedSec),
    byFramework: figures.byApp,
    byGuard: figures.byGuard,
    passes: figures.passes,
    refusals: Object.fromEntries(Object.entries(figures.refusals).sort()),
    passesInTtlWindow: figures.passesInTtlWindow,
    longPassesInTtlWindow: figures.longPassesInTtlWindow,
    webhooks: {
      faultEpisodes: figures.webhookFaultEpisodes,
      deliveries,
      receiverAnswers: Object.fromEntries(Object.entries(figures.webhookAnswers).sort()),
      kicksAcknowledged: figures.kickAcks,
      kicksAcknowledgedByGuard: figures.kickAcksByGuard,
      requestsJudgedAfterAck: figures.judgedAfterAck,
      refusedAfterDeliveredKick: figures.refusedAfterDeliveredKick,
    },
    wrongWebhookAnswers: figures.wrongWebhookAnswers,
    refusalsInInactiveWindow: figures.refusalsInInactiveWindow,
    unavailableDuringFaults: figures.unavailableDuringFaults,
    late503s: figures.late503s,
    unacknowledgedKicks: figures.unacknowledgedKicks,
    heapGrowthBreaches: figures.heapGrowthBreaches,
    unknownAppRequests: figures.unknownAppRequests,
    unavailableByCause: Object.fromEntries(Object.entries(figures.unavailableCauses).sort(([, a], [, b]) => b - a)),
    breakerOpenings: breakerOpenings.map(({ at, justified, after }) => ({ atMs: Math.round(at - (deadline - SECONDS * 1_000)), justified, after })),
    wrongPasses: figures.wrongPasses,
    wrongRefusals: figures.wrongRefusals,
    unexpected5xx: figures.unexpected5xx,
    unanswered: figures.unanswered,
    unjustifiedBreakerOpenings: figures.unjustifiedBreakerOpenings,
    upstreamFailuresWithoutFault: figures.upstreamFailuresWithoutFault,
    failedUpstreamAttempts: figures.failedAttempts,
    timeoutsOnSlowPath: figures.timeoutsOnSlowPath,
    eventLoop: { maxLagMs: figures.maxLoopLagMs, stallsOver100Ms: figures.loopStallsOver100Ms },
    canary: { requests: figures.canaryRequests, slow: figures.slowCanaries },
    machine: { cpus: cpus().length, loadAverage1m: round(loadavg()[0] ?? 0) },
    chaos: {
      logins: figures.logins, logouts: figures.logouts, kicks: figures.kicks,
      managementTokensExpired: figures.tokenExpiries, faultEpisodes: figures.faultEpisodes, blips: figures.blips,
    },
    guard: stats,
    longGuard: longStats,
    heap: {
      startMb: round(heapStart),
      warmMb: heapWarm === undefined ? null : round(heapWarm),
      endMb: round(heapEnd),
      growthSinceWarmMb: heapWarm === undefined ? null : round(heapEnd - heapWarm),
      boundMb: HEAP_GROWTH_BOUND_MB,
      gc: gcHow,
    },
    breaches: breachCount,
    breachExamples: breaches,
    verdict: breachCount === 0 ? 'PASS' : 'FAIL',
  };

  if (JSON_OUTPUT) console.log(JSON.stringify(report, null, 2));
  else printTable(report);
  return breachCount === 0 ? 0 : 1;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function printTable(report: Record<string, any>): void {
  const s = report.settings;
  const rows: Array<[string, string]> = [
    ['duration', `${s.seconds} s, ${s.users} users x ${s.apps} apps, ${s.concurrency} requests in flight`],
    ['guards', `ttlMs ${s.ttlMs} (short) and ${s.longTtlMs} (long), inactiveTtlMs ${s.inactiveTtlMs}, timeoutMs ${s.timeoutMs}, retries ${s.retries}, breaker ${s.circuitBreaker.failureThreshold}/${s.circuitBreaker.cooldownMs} ms`],
    ['windows', `pass ${s.passWindowMs} ms (long guard ${s.longTtlMs + s.passWindowMs - s.ttlMs} ms), inactive ${s.inactiveWindowMs} ms (ttl + timeoutMs + ${s.slackMs} ms slack); at once after an acknowledged kick`],
    ['requests', `${report.requests} (${report.requestsPerSec}/s; Express ${report.byFramework.express}, Koa ${report.byFramework.koa}; short guard ${report.byGuard.short}, long ${report.byGuard.long})`],
    ['passes (200)', String(report.passes)],
    ...Object.entries(report.refusals as Record<string, number>).map(([code, count]): [string, string] => [`refused ${code}`, String(count)]),
    ['passes in the TTL window', `${report.passesInTtlWindow} (session ended, within the documented delay; long guard ${report.longPassesInTtlWindow}: logouts, lost deliveries)`],
    ['webhook faults', Object.entries(report.webhooks.faultEpisodes as Record<string, number>).map(([kind, count]) => `${kind} ${count}`).join(', ') || '-'],
    ['webhook deliveries', Object.entries(report.webhooks.deliveries as Record<string, number>).map(([label, count]) => `${label}: ${count}`).join(', ') || '-'],
    ['receiver answers', Object.entries(report.webhooks.receiverAnswers as Record<string, number>).map(([label, count]) => `${label}: ${count}`).join(', ') || '-'],
    ['kicks acknowledged', `${report.webhooks.kicksAcknowledged} (short ${report.webhooks.kicksAcknowledgedByGuard.short}, long ${report.webhooks.kicksAcknowledgedByGuard.long}); requests judged after one: ${report.webhooks.requestsJudgedAfterAck}; long guard refused at once after one: ${report.webhooks.refusedAfterDeliveredKick} (within its ttlMs)`],
    ['refusals in the inactive window', `${report.refusalsInInactiveWindow} (signed in again, within inactiveTtlMs)`],
    ['503 explained by its cause', `${report.unavailableDuringFaults} by a failed attempt or a fault of a kind that causes it, or the open circuit (failed upstream attempts: ${report.failedUpstreamAttempts})`],
    ['LATE 503s (> 1 s after a fault)', `${report.late503s} (failing fast on the open circuit after GenAuth recovered; the blip goal)`],
    ['UNACKNOWLEDGED KICKS', `${report.unacknowledgedKicks} (a guard whose receiver acknowledged none, or no request judged after one)`],
    ['unknown-app requests', `${report.unknownAppRequests} (refused; never a pass, never opening the circuit)`],
    ['503 by cause', Object.entries(report.unavailableByCause as Record<string, number>).map(([kind, count]) => `${kind} ${count}`).join(', ') || '-'],
    ...(report.breakerOpenings as Array<{ atMs: number; after: string }>).map(({ atMs, after }): [string, string] => ['circuit opened', `at ${atMs} ms, after: ${after}`]),
    ['WRONG PASSES', String(report.wrongPasses)],
    ['WRONG REFUSALS', String(report.wrongRefusals)],
    ['UNEXPECTED 5xx', String(report.unexpected5xx)],
    ['UNANSWERED (> 5 s)', String(report.unanswered)],
    ['BREAKER OPENED WITHOUT FAULT', String(report.unjustifiedBreakerOpenings)],
    ['UPSTREAM FAILED WITHOUT FAULT', String(report.upstreamFailuresWithoutFault)],
    ['WRONG WEBHOOK ANSWERS', String(report.wrongWebhookAnswers)],
    ['HEAP OVER BOUND', String(report.heapGrowthBreaches)],
    ['event loop', `max lag ${report.eventLoop.maxLagMs} ms, ${report.eventLoop.stallsOver100Ms} stalls over 100 ms; machine: ${report.machine.cpus} CPUs, load ${report.machine.loadAverage1m}`],
    ['slow loopback path', `${report.timeoutsOnSlowPath} guard timeouts with no fault, the fake's answer not yet received (explained); canary: ${report.canary.slow} of ${report.canary.requests} over ${TIMEOUT_MS / 2} ms`],
    ['chaos', `${report.chaos.logins} logins, ${report.chaos.logouts} logouts, ${report.chaos.kicks} kicks, ${report.chaos.managementTokensExpired} management tokens expired, ${report.chaos.faultEpisodes} fault episodes (${report.chaos.blips} blips)`],
    ...(['guard', 'longGuard'] as const).map((key): [string, string] => {
      const g = report[key];
      return [`${key === 'guard' ? 'short' : 'long'} guard stats`, `hits ${g.hits}, misses ${g.misses}, coalesced ${g.coalesced}, upstream calls ${g.upstreamCalls}, errors ${g.errors}, refreshes ${g.refreshes ?? '-'}, token fetches ${g.tokenFetches}, circuit opened ${g.circuitOpened ?? '-'}, webhook events ${g.webhookEvents ?? '-'}, rejected ${g.webhookRejected ?? '-'}`];
    }),
    ['heap used', `${report.heap.startMb} MB before load, ${report.heap.warmMb ?? '-'} MB warm, ${report.heap.endMb} MB at the end: growth since warm ${report.heap.growthSinceWarmMb ?? '-'} MB, bound ${report.heap.boundMb} MB (GC: ${report.heap.gc})`],
    ['verdict', `${report.verdict} (${report.breaches} breaches)`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log('genauth-session-guard soak');
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
  for (const example of report.breachExamples as string[]) console.log(`  ! ${example}`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('soak: crashed', error);
    process.exitCode = 2;
  },
);
