import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeGenAuth, type FakeGenAuth, type FakeGenAuthOptions } from '../../src/testing';
import {
  createSessionGuard,
  header,
  type SessionGuard,
  type SessionGuardError,
  type SessionGuardOptions,
  type SessionAuth,
} from '../../src/index';

export const APP = 'app-1';

/** A clock tests move by hand (shared by the guard and the fake). */
export function manualClock(start = Date.UTC(2026, 10, 26, 11, 0, 0)) {
  let now = start;
  const clock = () => now;
  return Object.assign(clock, {
    advance(ms: number) {
      now += ms;
    },
  });
}
export type ManualClock = ReturnType<typeof manualClock>;

/** Polls (a real wait, bounded) until `condition` holds; for "the fake has seen N requests" points, not for timing. */
export async function until(condition: () => boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** The rejection of a promise that must reject. */
export async function rejectionOf(promise: Promise<unknown>): Promise<SessionGuardError> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  return outcome.error as SessionGuardError;
}

/** A request for `header('x-user-id')`. */
export function asUser(userId: string) {
  return { headers: { 'x-user-id': userId } };
}

export interface Harness {
  fake: FakeGenAuth;
  clock: ManualClock;
  /** A guard against the fake (identity: the x-user-id header, injected clock, no retries, 5 s timeout); closed after the test. */
  guard(overrides?: Partial<SessionGuardOptions> & Record<string, unknown>): SessionGuard;
  /** Runs `fn` after the test (reverse order). */
  defer(fn: () => unknown): void;
  ask(guard: SessionGuard, userId: string, appId?: string): Promise<SessionAuth>;
}

/**
 * A fresh fake GenAuth (sharing a manual clock with the guards) per test, torn down afterwards together with every
 * guard made through the harness.
 */
export function useHarness(fakeOptions: FakeGenAuthOptions = {}): () => Harness {
  let current: Harness | undefined;
  let cleanups: Array<() => unknown> = [];
  beforeEach(async () => {
    const clock = manualClock();
    const fake = await createFakeGenAuth({ clock, ...fakeOptions });
    cleanups = [() => fake.close()];
    current = {
      fake,
      clock,
      guard(overrides = {}) {
        const guard = createSessionGuard({
          host: fake.host,
          accessKeyId: fake.accessKeyId,
          accessKeySecret: fake.accessKeySecret,
          identity: header('x-user-id'),
          clock,
          timeoutMs: 5_000,
          retries: 0,
          ...overrides,
        } as SessionGuardOptions);
        cleanups.push(() => guard.close());
        return guard;
      },
      defer(fn) {
        cleanups.push(fn);
      },
      ask(guard, userId, appId = APP) {
        return guard.authenticate(asUser(userId), appId);
      },
    };
  });
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups = [];
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('the harness is only available inside a test');
    return current;
  };
}

/** A tiny real HTTP server on 127.0.0.1:0. */
export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{
  url: string;
  server: Server;
  close(): Promise<void>;
}> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * A `fetch` for the guard that forwards to the real fake but holds the answers of matching calls (the fake has
 * already answered, so the held answer reflects the state at that moment) until `release()`. A held call honours
 * its abort signal, as a real slow answer would.
 */
export function gatedFetch(match: (url: string) => boolean = (url) => url.endsWith('/api/v3/check-session-status')) {
  let open = false;
  let heldCount = 0;
  const waiting: Array<() => void> = [];
  const fetchImpl = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    if (open || !match(String(input))) return response;
    heldCount++;
    await new Promise<void>((resolve, reject) => {
      const signal = init?.signal;
      const onAbort = () => {
        void response.body?.cancel().catch(() => undefined);
        reject(signal?.reason ?? new Error('aborted'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
    return response;
  };
  return {
    fetch: fetchImpl,
    /** Answers held so far (including ones since aborted). */
    get held() {
      return heldCount;
    },
    /** Lets every held answer through, and every later one. */
    release() {
      open = true;
      for (const resume of waiting.splice(0)) resume();
    },
    /** Lets the answers held now through; later ones are held again. */
    releaseHeld() {
      for (const resume of waiting.splice(0)) resume();
    },
  };
}
