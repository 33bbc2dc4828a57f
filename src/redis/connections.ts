import type { LuaScript } from './scripts';

/**
 * A node-redis v5 client (`createClient()` from `redis`) or an ioredis client (`new Redis()`), standalone or behind
 * Sentinel. Only its settings are used: the store opens connections of its own with `client.duplicate()`.
 */
export interface RedisClientLike {
  duplicate: (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** What the store is told about its connections. */
export interface ConnectionEvents {
  /** A message on the channel. */
  message(message: string): void;
  /** Calls can (not) be sent; messages are (not) being received. */
  status(commands: boolean, subscribed: boolean): void;
  /** The subscription came back after the subscriber's connection was lost. */
  resubscribed(): void;
  error(error: unknown, operation: 'connect' | 'subscribe'): void;
}

/** The two connections of one store session: commands (no offline queue) and the invalidation subscriber. */
export interface RedisConnections {
  readonly ready: boolean;
  whenReady(): Promise<void>;
  /** Runs a script (EVALSHA, then EVAL if the server does not know it). */
  run(script: LuaScript, keys: string[], args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

type Listener = (...args: any[]) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The parts of a node-redis v5 client used here. */
interface NodeRedisClient {
  readonly isReady: boolean;
  readonly isOpen: boolean;
  on(event: string, listener: Listener): unknown;
  connect(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<void>;
  destroy(): void;
}

/** The parts of an ioredis client used here. */
interface IoRedisClient {
  readonly status: string;
  on(event: string, listener: Listener): unknown;
  connect(): Promise<void>;
  call(command: string, ...args: string[]): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  disconnect(): void;
}

function isNodeRedis(client: object): boolean {
  const candidate = client as Partial<Record<string, unknown>>;
  return typeof candidate.sendCommand === 'function' && typeof candidate.connect === 'function' && 'isReady' in client;
}

function isIoRedis(client: object): boolean {
  const candidate = client as Partial<Record<string, unknown>>;
  return typeof candidate.call === 'function' && typeof candidate.status === 'string' && typeof candidate.connect === 'function';
}

/** Which library a client comes from; throws a `TypeError` for anything else. */
export function clientKind(client: unknown): 'node-redis' | 'ioredis' {
  if (typeof client === 'object' && client !== null && typeof (client as RedisClientLike).duplicate === 'function') {
    if (isNodeRedis(client)) return 'node-redis';
    if (isIoRedis(client)) return 'ioredis';
  }
  throw new TypeError('genauth-session-guard: redisStore({ client }) needs a node-redis v5 client (createClient() from "redis") or an ioredis client (new Redis()).');
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** Tracks readiness and the first connection for both libraries. */
class Readiness {
  #resolve!: () => void;
  readonly first = new Promise<void>((resolve) => {
    this.#resolve = resolve;
  });

  ready(): void {
    this.#resolve();
  }
}

/** Opens the connections for one store session: duplicates of `client`, which itself is left alone. */
export function openConnections(client: RedisClientLike, channel: string, events: ConnectionEvents): RedisConnections {
  return clientKind(client) === 'node-redis'
    ? openNodeRedis(client, channel, events)
    : openIoRedis(client, channel, events);
}

function openNodeRedis(client: RedisClientLike, channel: string, events: ConnectionEvents): RedisConnections {
  // No offline queue: while disconnected a call fails at once instead of waiting for the connection to come back.
  const commands = client.duplicate({ disableOfflineQueue: true }) as NodeRedisClient;
  const subscriber = client.duplicate() as NodeRedisClient;
  const readiness = new Readiness();
  let subscribed = false;
  let everSubscribed = false;
  let closed = false;
  const report = () => {
    if (!closed) events.status(commands.isReady, subscribed && subscriber.isReady);
  };

  commands.on('ready', () => {
    readiness.ready();
    report();
  });
  for (const event of ['end', 'reconnecting']) commands.on(event, report);
  commands.on('error', (error: unknown) => {
    if (closed) return;
    events.error(error, 'connect');
    report();
  });

  subscriber.on('ready', () => {
    // node-redis subscribes again before it reports ready after a reconnection.
    if (everSubscribed && !closed) {
      subscribed = true;
      events.resubscribed();
    }
    report();
  });
  for (const event of ['end', 'reconnecting']) subscriber.on(event, report);
  subscriber.on('error', (error: unknown) => {
    if (closed) return;
    events.error(error, 'connect');
    report();
  });

  commands.connect().catch((error: unknown) => {
    if (!closed) events.error(error, 'connect');
  });
  subscriber.connect()
    .then(() => subscriber.subscribe(channel, (message) => events.message(message)))
    .then(() => {
      everSubscribed = true;
      subscribed = true;
      report();
    })
    .catch((error: unknown) => {
      if (!closed) events.error(error, 'subscribe');
    });

  const send = (args: string[]) => commands.sendCommand(args);
  return {
    get ready() {
      return !closed && commands.isReady;
    },
    whenReady: () => readiness.first,
    async run(script, keys, args) {
      try {
        return await send(['EVALSHA', script.sha, String(keys.length), ...keys, ...args]);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return send(['EVAL', script.source, String(keys.length), ...keys, ...args]);
      }
    },
    async close() {
      closed = true;
      for (const connection of [commands, subscriber]) {
        try {
          if (connection.isOpen) connection.destroy();
        } catch {
          // already closed
        }
      }
    },
  };
}

function openIoRedis(client: RedisClientLike, channel: string, events: ConnectionEvents): RedisConnections {
  // No offline queue and no resending after a reconnection: a call fails at once instead of running much later.
  // Nothing is pending when the store closes, so a socket that does not close at once (Redis gone) is not waited for
  // long (ioredis arms its disconnect timer even for a socket already closed).
  const commands = client.duplicate({ enableOfflineQueue: false, autoResendUnfulfilledCommands: false, lazyConnect: true, disconnectTimeout: 100 }) as IoRedisClient;
  // The subscription is renewed by hand on every (re)connection, so that its confirmation is known.
  const subscriber = client.duplicate({ autoResubscribe: false, lazyConnect: true, disconnectTimeout: 100 }) as IoRedisClient;
  const readiness = new Readiness();
  let subscribed = false;
  let everSubscribed = false;
  let closed = false;
  const report = () => {
    if (!closed) events.status(commands.status === 'ready', subscribed && subscriber.status === 'ready');
  };

  commands.on('ready', () => {
    readiness.ready();
    report();
  });
  for (const event of ['close', 'end', 'reconnecting']) commands.on(event, report);
  commands.on('error', (error: unknown) => {
    if (closed) return;
    events.error(error, 'connect');
    report();
  });

  subscriber.on('message', (from: string, message: string) => {
    if (from === channel) events.message(message);
  });
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(() => {
      if (closed) return;
      subscribed = true;
      if (everSubscribed) events.resubscribed();
      everSubscribed = true;
      report();
    }, (error: unknown) => {
      if (!closed) events.error(error, 'subscribe');
    });
  });
  for (const event of ['close', 'end', 'reconnecting']) {
    subscriber.on(event, () => {
      subscribed = false;
      report();
    });
  }
  subscriber.on('error', (error: unknown) => {
    if (closed) return;
    events.error(error, 'connect');
    report();
  });

  // A failed first attempt is retried by ioredis's retryStrategy; the error is reported through 'error'.
  commands.connect().catch(() => undefined);
  subscriber.connect().catch(() => undefined);

  return {
    get ready() {
      return !closed && commands.status === 'ready';
    },
    whenReady: () => readiness.first,
    async run(script, keys, args) {
      try {
        return await commands.call('EVALSHA', script.sha, String(keys.length), ...keys, ...args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return commands.call('EVAL', script.source, String(keys.length), ...keys, ...args);
      }
    },
    async close() {
      closed = true;
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}
