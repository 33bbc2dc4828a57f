import type { ClientKind } from './client-kind';
import { clusterSlot } from './cluster-slot';
import { ioredisSend, runScript, Readiness, type ConnectionEvents, type ConnectionSettings, type Listener, type RedisClientLike, type RedisConnections } from './connections';
import { NodeSubscriber, type LinkEvents, type NodeLink } from './node-subscriber';

/** The parts of a node-redis v5 `RedisCluster` used here. */
interface NodeRedisCluster {
  readonly isOpen: boolean;
  readonly masters: ReadonlyArray<{ host: string; port: number; address: string }>;
  readonly slots: ReadonlyArray<{ master: { address: string } } | undefined>;
  readonly _options?: { defaults?: Record<string, unknown>; rootNodes?: Array<Record<string, unknown>> };
  on(event: string, listener: Listener): unknown;
  connect(): Promise<unknown>;
  duplicate(overrides?: Record<string, unknown>): NodeRedisCluster;
  nodeClient(node: unknown): Promise<NodeRedisNode>;
  sendCommand(firstKey: string | undefined, isReadonly: boolean, args: string[]): Promise<unknown>;
  destroy(): void;
}

/** A node-redis v5 `RedisClient` of one node. */
export interface NodeRedisNode {
  readonly options?: { socket?: Record<string, unknown> };
  on(event: string, listener: Listener): unknown;
  connect(): Promise<unknown>;
  duplicate(overrides?: Record<string, unknown>): NodeRedisNode;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  ping(): Promise<unknown>;
  destroy(): void;
}

/** The parts of an ioredis `Cluster` used here. */
interface IoRedisCluster {
  readonly status: string;
  readonly slots: ReadonlyArray<string[] | undefined>;
  readonly options: { redisOptions?: Record<string, unknown> };
  on(event: string, listener: Listener): unknown;
  connect(): Promise<void>;
  duplicate(startupNodes: unknown[], options: Record<string, unknown>): IoRedisCluster;
  nodes(role: 'master'): IoRedisNode[];
  call(command: string, ...args: string[]): Promise<unknown>;
  disconnect(): void;
}

interface IoRedisNode {
  readonly options: { host?: string; port?: number };
  on(event: string, listener: Listener): unknown;
  connect(): Promise<void>;
  duplicate(overrides: Record<string, unknown>): IoRedisNode;
  subscribe(channel: string): Promise<unknown>;
  ping(): Promise<unknown>;
  disconnect(): void;
}

/**
 * A node-redis subscriber link on one node: a plain client of its own (`duplicate()` of the node's client, with the
 * cluster's or the Sentinel client's settings: credentials, TLS), which does not reconnect: a new link is opened.
 */
export function nodeRedisLink(address: string, base: () => Promise<NodeRedisNode>, channel: string, events: LinkEvents): NodeLink {
  let client: NodeRedisNode | undefined;
  let closed = false;
  return {
    address,
    async open() {
      const node = await base();
      if (closed) return;
      client = node.duplicate({ socket: { ...node.options?.socket, reconnectStrategy: false } });
      client.on('error', () => undefined); // reported as 'end'
      client.on('end', () => events.lost());
      await client.connect();
      await client.subscribe(channel, (message) => events.message(message));
    },
    ping: () => client ? client.ping() : Promise.reject(new Error('not connected')),
    close() {
      closed = true;
      try {
        client?.destroy();
      } catch {
        // already closed
      }
    },
  };
}

function ioRedisLink(node: IoRedisNode, channel: string, events: LinkEvents): NodeLink {
  // A short disconnect timer: ioredis arms it even for a socket already closed (a lost node), and it holds the process.
  const client = node.duplicate({ lazyConnect: true, autoResubscribe: false, retryStrategy: () => null, enableOfflineQueue: true, disconnectTimeout: 100 });
  client.on('error', () => undefined); // reported as 'close'
  client.on('message', (from: string, message: string) => {
    if (from === channel) events.message(message);
  });
  client.on('close', () => events.lost());
  return {
    address: `${node.options.host}:${node.options.port}`,
    async open() {
      await client.connect();
      await client.subscribe(channel);
    },
    ping: () => client.ping(),
    close: () => client.disconnect(),
  };
}

/**
 * The store's connections on a Redis Cluster: a cluster client of its own for calls (each script runs on the node of
 * its keys, one slot; MOVED and ASK are followed by the client), and a {@link NodeSubscriber} on one primary at a
 * time for invalidations (classic pub/sub: every node receives every message, so any node will do).
 */
export function openClusterConnections(
  kind: Extract<ClientKind, 'node-redis-cluster' | 'ioredis-cluster'>,
  client: RedisClientLike,
  settings: ConnectionSettings,
  events: ConnectionEvents,
): RedisConnections {
  return kind === 'node-redis-cluster'
    ? openNodeRedisCluster(client as unknown as NodeRedisCluster, settings, events)
    : openIoRedisCluster(client as unknown as IoRedisCluster, settings, events);
}

/**
 * The node that serves `slot`, or the slot itself while the client does not know (its slot map is being read again):
 * on a cluster a failure is always one shard's, never the whole store's.
 */
function nodeOrSlot(slot: number, owner: (slot: number) => string | undefined): string {
  return owner(slot) ?? `slot ${slot}`;
}

function subscriberOf(settings: ConnectionSettings, events: ConnectionEvents, report: () => void, next: (events: LinkEvents) => NodeLink | undefined) {
  return new NodeSubscriber({
    next,
    heartbeatMs: settings.heartbeatMs,
    status: report,
    resubscribed: () => events.resubscribed(),
    message: (message) => events.message(message),
    error: (error) => events.error(error, 'subscribe'),
  });
}

function openNodeRedisCluster(client: NodeRedisCluster, settings: ConnectionSettings, events: ConnectionEvents): RedisConnections {
  // No offline queue on the node clients: a call to a node that is away fails at once instead of waiting for it.
  // Node clients made on first use: an eager connection to every primary fails the whole connect when one is lost.
  // A root node asked for the slots that does not answer (frozen) is given up after a while, for the next one: the
  // clients of that discovery are the only ones with a socket timeout.
  const socketTimeout = Math.max(1_000, 2 * settings.heartbeatMs);
  const rootNodes = (client._options?.rootNodes ?? []).map((node) => ({
    ...node,
    socket: { ...(node.socket as Record<string, unknown> | undefined), socketTimeout },
  }));
  const commands = client.duplicate({
    minimizeConnections: true,
    ...(rootNodes.length > 0 ? { rootNodes } : {}),
    defaults: { ...client._options?.defaults, disableOfflineQueue: true },
  });
  const readiness = new Readiness();
  let connected = false;
  let closed = false;
  let turn = 0;
  const ready = () => !closed && connected && commands.isOpen;
  const report = () => {
    if (!closed) events.status(ready(), subscriber.subscribed);
  };
  const subscriber = subscriberOf(settings, events, report, (linkEvents) => {
    const masters = commands.masters;
    if (masters.length === 0) return undefined;
    const node = masters[turn++ % masters.length]!;
    return nodeRedisLink(node.address, () => commands.nodeClient(node), settings.channel, linkEvents);
  });
  commands.on('error', (error: unknown) => {
    if (!closed) events.error(error, 'connect');
  });
  for (const event of ['disconnect', 'connect']) commands.on(event, report);
  commands.connect().then(() => {
    connected = true;
    readiness.ready();
    subscriber.start();
    report();
  }, (error: unknown) => {
    if (!closed) events.error(error, 'connect');
  });
  const send = (keys: string[], args: string[]) => commands.sendCommand(keys[0], false, args);
  return {
    get ready() {
      return ready();
    },
    whenReady: () => readiness.first,
    nodeOf: (key) => nodeOrSlot(clusterSlot(key), (slot) => commands.slots[slot]?.master.address),
    run: (script, keys, args) => runScript((command) => send(keys, command), script, keys, args),
    async close() {
      closed = true;
      subscriber.close();
      try {
        commands.destroy();
      } catch {
        // never connected
      }
    },
  };
}

function openIoRedisCluster(client: IoRedisCluster, settings: ConnectionSettings, events: ConnectionEvents): RedisConnections {
  // `Cluster.duplicate(options)` would take the options for startup nodes: they go second. No offline queue: a call
  // while the cluster is away fails at once.
  // No ready check: it asks CLUSTER INFO of one node, which never answers if that node is frozen. A short disconnect
  // timer on the node connections (those of its slot refreshes included): ioredis arms it even for a socket already
  // closed (a lost node), and it holds the process.
  const commands = client.duplicate([], {
    enableOfflineQueue: false,
    enableReadyCheck: false,
    lazyConnect: true,
    redisOptions: { ...client.options.redisOptions, disconnectTimeout: 100 },
  });
  const readiness = new Readiness();
  let closed = false;
  let turn = 0;
  const ready = () => !closed && commands.status === 'ready';
  const report = () => {
    if (!closed) events.status(ready(), subscriber.subscribed);
  };
  const subscriber = subscriberOf(settings, events, report, (linkEvents) => {
    const masters = commands.nodes('master');
    if (masters.length === 0) return undefined;
    return ioRedisLink(masters[turn++ % masters.length]!, settings.channel, linkEvents);
  });
  commands.on('ready', () => {
    readiness.ready();
    subscriber.start();
    report();
  });
  for (const event of ['close', 'end', 'reconnecting']) commands.on(event, report);
  commands.on('error', (error: unknown) => {
    if (!closed) events.error(error, 'connect');
  });
  commands.connect().catch(() => undefined);
  const send = ioredisSend(commands);
  return {
    get ready() {
      return ready();
    },
    whenReady: () => readiness.first,
    nodeOf: (key) => nodeOrSlot(clusterSlot(key), (slot) => commands.slots[slot]?.[0]),
    run: (script, keys, args) => runScript(send, script, keys, args),
    async close() {
      closed = true;
      subscriber.close();
      commands.disconnect();
    },
  };
}
