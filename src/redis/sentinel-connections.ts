import { nodeRedisLink, type NodeRedisNode } from './cluster-connections';
import { isNoScript, Readiness, type ConnectionEvents, type ConnectionSettings, type Listener, type RedisClientLike, type RedisConnections } from './connections';
import { NodeSubscriber } from './node-subscriber';

/** The parts of a node-redis v5 `RedisSentinel` used here. */
interface NodeRedisSentinel {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  sendCommand(isReadonly: boolean, args: string[]): Promise<unknown>;
  acquire(): Promise<NodeRedisNode & { release(): void }>;
  getMasterNode(): { host: string; port: number } | undefined;
}

/**
 * The store's connections behind Sentinel with node-redis: a `RedisSentinel` cannot be duplicated, so calls go
 * through the client given (connected by the store when it is not yet, and then closed by it too); invalidations
 * arrive on a {@link NodeSubscriber} of the store's own on the current primary (a duplicate of a leased client,
 * with its settings), opened again on the primary of the moment whenever it is lost.
 */
export function openSentinelConnections(given: RedisClientLike, settings: ConnectionSettings, events: ConnectionEvents): RedisConnections {
  const client = given as unknown as NodeRedisSentinel;
  const readiness = new Readiness();
  let closed = false;
  const connectedHere = !client.isOpen;
  const report = () => {
    if (!closed) events.status(client.isReady, subscriber.subscribed);
  };
  const subscriber = new NodeSubscriber({
    next: (linkEvents) => {
      const primary = client.getMasterNode();
      if (!primary) return undefined;
      return nodeRedisLink(`${primary.host}:${primary.port}`, async () => {
        const lease = await client.acquire();
        lease.release();
        return lease;
      }, settings.channel, linkEvents);
    },
    heartbeatMs: settings.heartbeatMs,
    status: report,
    resubscribed: () => events.resubscribed(),
    message: (message) => events.message(message),
    error: (error) => events.error(error, 'subscribe'),
  });
  const onError = (error: unknown) => {
    if (!closed) events.error(error, 'connect');
  };
  const onTopology = () => report();
  client.on('error', onError);
  client.on('topology-change', onTopology);
  const started = connectedHere ? client.connect() : Promise.resolve();
  started.then(() => {
    readiness.ready();
    subscriber.start();
    report();
  }, onError);
  const send = (args: string[]) => client.sendCommand(false, args);
  return {
    get ready() {
      return !closed && client.isReady;
    },
    whenReady: () => readiness.first,
    nodeOf: () => undefined,
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
      subscriber.close();
      client.off('error', onError);
      client.off('topology-change', onTopology);
      if (connectedHere) await client.close().catch(() => undefined);
    },
  };
}
