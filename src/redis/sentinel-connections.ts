import { runScript, Readiness, type ConnectionEvents, type ConnectionSettings, type Listener, type RedisClientLike, type RedisConnections } from './connections';

/** The parts of a node-redis v5 `RedisSentinel` used here. */
interface NodeRedisSentinel {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  sendCommand(isReadonly: boolean, args: string[]): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  unsubscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
}

/**
 * The store's connections behind Sentinel with node-redis: a `RedisSentinel` cannot be duplicated (nor can its
 * leased clients), so calls and the subscription go through the client given (connected by the store when it is not
 * yet, and then closed by it too). node-redis moves the subscription to the new primary itself; every change of
 * primary it reports (`topology-change` MASTER_CHANGE) counts as a lost subscription: messages sent meanwhile may
 * have been missed, so the guard drops its in-process answers, as after a reconnection to one Redis.
 * Not covered: a primary frozen without failover is not detected by the subscription (no PING on node-redis's own
 * pub/sub connection); calls to it time out and the store is reported down.
 */
export function openSentinelConnections(given: RedisClientLike, { channel }: ConnectionSettings, events: ConnectionEvents): RedisConnections {
  const client = given as unknown as NodeRedisSentinel;
  const readiness = new Readiness();
  let closed = false;
  let subscribed = false;
  const connectedHere = !client.isOpen;
  const report = () => {
    if (!closed) events.status(client.isReady, subscribed && client.isReady);
  };
  const onError = (error: unknown) => {
    if (!closed) events.error(error, 'connect');
    report();
  };
  const onTopology = (event: { type?: string }) => {
    if (closed) return;
    if (event?.type === 'MASTER_CHANGE') {
      // Connections to a new primary: a fresh start (calls that failed on the old one do not hold the guard off; the
      // tokens are read again), and messages sent meanwhile may have been missed.
      events.status(false, false);
      if (subscribed) events.resubscribed();
    }
    report();
  };
  const onMessage = (message: string) => {
    if (!closed) events.message(message);
  };
  client.on('error', onError);
  client.on('topology-change', onTopology);
  const started = connectedHere ? client.connect() : Promise.resolve();
  started.then(() => {
    readiness.ready();
    report();
    return client.subscribe(channel, onMessage);
  }).then(() => {
    subscribed = true;
    report();
  }, (error: unknown) => {
    if (!closed) events.error(error, 'subscribe');
  });
  const send = (args: string[]) => client.sendCommand(false, args);
  return {
    get ready() {
      return !closed && client.isReady;
    },
    whenReady: () => readiness.first,
    nodeOf: () => undefined,
    run: (script, keys, args) => runScript(send, script, keys, args),
    async close() {
      closed = true;
      client.off('error', onError);
      client.off('topology-change', onTopology);
      if (connectedHere) await client.close().catch(() => undefined);
      else await client.unsubscribe(channel, onMessage).catch(() => undefined);
    },
  };
}
