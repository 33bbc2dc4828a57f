import { clientKind } from './client-kind';
import { openClusterConnections } from './cluster-connections';
import type { LuaScript } from './scripts';
import { openSentinelConnections } from './sentinel-connections';

/**
 * A node-redis v5 client (`createClient()`, `createCluster()` or `createSentinel()` from `redis`) or an ioredis 5
 * client (`new Redis()`, `new Redis({ sentinels, name })` or `new Redis.Cluster()`); see `clientKind`. Only its
 * settings are used: the store opens connections of its own (a node-redis Sentinel client, which cannot be
 * duplicated, excepted: its calls go through it).
 */
export interface RedisClientLike {
  connect: (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
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
  /** Runs a script (EVALSHA, then EVAL if the server does not know it), on the node of `keys[0]` on a cluster. */
  run(script: LuaScript, keys: string[], args: string[]): Promise<unknown>;
  /**
   * On a cluster, the node (`host:port`) that serves `key` as far as the client knows now; `undefined` on one server
   * (or Sentinel): every key is on the one primary.
   */
  nodeOf(key: string): string | undefined;
  close(): Promise<void>;
}

/** How the store's connections are opened. */
export interface ConnectionSettings {
  /** The invalidation channel. */
  channel: string;
  /** How often a cluster or Sentinel subscriber is checked with a PING (ms). */
  heartbeatMs: number;
}

export type Listener = (...args: any[]) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

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

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Runs a script through `send` (one command, as an argument list): EVALSHA, then EVAL when the server does not know
 * the script yet (a new or restarted node, a failover). Every kind of connection runs its scripts through this.
 */
export async function runScript(send: (command: string[]) => Promise<unknown>, script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
  try {
    return await send(['EVALSHA', script.sha, String(keys.length), ...keys, ...args]);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return send(['EVAL', script.source, String(keys.length), ...keys, ...args]);
  }
}

/** An ioredis client's `call`, as the one-command `send` of {@link runScript}. */
export function ioredisSend(client: { call(command: string, ...args: string[]): Promise<unknown> }): (command: string[]) => Promise<unknown> {
  return ([name, ...args]) => client.call(name!, ...args);
}

/** Tracks readiness and the first connection for both libraries. */
export class Readiness {
  #resolve!: () => void;
  readonly first = new Promise<void>((resolve) => {
    this.#resolve = resolve;
  });

  ready(): void {
    this.#resolve();
  }
}

/** Opens the connections for one store session: duplicates of `client`, which itself is left alone. */
export function openConnections(client: RedisClientLike, settings: ConnectionSettings, events: ConnectionEvents): RedisConnections {
  const kind = clientKind(client);
  switch (kind) {
    case 'node-redis':
      return openNodeRedis(client, settings.channel, events);
    case 'ioredis':
      return openIoRedis(client, settings.channel, events, {});
    case 'ioredis-sentinel':
      // ioredis asks the sentinels for the primary on every (re)connection of a duplicate, and with failoverDetector
      // leaves the old primary as soon as the sentinels announce a new one (+switch-master): the old one keeps taking
      // writes until it is made a replica, and drops them then (an invalidation would be lost). Its sentinel
      // connections arm ioredis's 2 s disconnect timer when closed: a process may exit up to 2 s after close().
      return openIoRedis(client, settings.channel, events, { failoverDetector: true });
    case 'node-redis-sentinel':
      return openSentinelConnections(client, settings, events);
    default:
      return openClusterConnections(kind, client, settings, events);
  }
}

type Duplicable = { duplicate: (...args: any[]) => unknown }; // eslint-disable-line @typescript-eslint/no-explicit-any

function openNodeRedis(given: RedisClientLike, channel: string, events: ConnectionEvents): RedisConnections {
  const client = given as unknown as Duplicable;
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
    nodeOf: () => undefined,
    run: (script, keys, args) => runScript(send, script, keys, args),
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

function openIoRedis(given: RedisClientLike, channel: string, events: ConnectionEvents, extra: Record<string, unknown>): RedisConnections {
  const client = given as unknown as Duplicable;
  // No offline queue and no resending after a reconnection: a call fails at once instead of running much later.
  // Nothing is pending when the store closes, so a socket that does not close at once (Redis gone) is not waited for
  // long (ioredis arms its disconnect timer even for a socket already closed).
  const commands = client.duplicate({ enableOfflineQueue: false, autoResendUnfulfilledCommands: false, lazyConnect: true, disconnectTimeout: 100, ...extra }) as IoRedisClient;
  // The subscription is renewed by hand on every (re)connection, so that its confirmation is known.
  const subscriber = client.duplicate({ autoResubscribe: false, lazyConnect: true, disconnectTimeout: 100, ...extra }) as IoRedisClient;
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

  const send = ioredisSend(commands);
  return {
    get ready() {
      return !closed && commands.status === 'ready';
    },
    whenReady: () => readiness.first,
    nodeOf: () => undefined,
    run: (script, keys, args) => runScript(send, script, keys, args),
    async close() {
      closed = true;
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

