/**
 * Real Redis Cluster and Sentinel topologies for the tests, from the Debian `redis-server` binary (7.0), on
 * 127.0.0.1 and free ports. The process logic lives in scripts/redis-topologies-core.cjs, shared with
 * scripts/redis-topologies.mjs (which .ci/run uses to start one cluster and one Sentinel set for the whole run).
 *
 * - `startCluster()`: 3 primaries, no replicas, `cluster-require-full-coverage no` (a lost node leaves the others
 *   serving their slots), `cluster-allow-reads-when-down no` (Redis's default), `cluster-node-timeout` 1000 ms.
 *   Ready (every node `cluster_state:ok`, all agreeing on the slots) in 2.0-2.2 s, most of it
 *   `redis-cli --cluster create`'s own one-second wait. A killed node is marked `fail` by the others in about 2 s;
 *   a frozen one likewise, and once thawed it is back (`waitOk()`) about 1.5 s later (Redis clears the flag of a
 *   primary with slots 2 node timeouts after it was set). `restart(port)` takes about 0.1 s plus `waitOk()`.
 * - `startSentinelSet()`: a primary, a replica in sync, 3 sentinels (quorum 2, down-after 1000 ms,
 *   failover-timeout 5000 ms) that know the replica and each other: 2.1-2.4 s (the sentinels' hello period is
 *   2 s). `failover()` (SENTINEL FAILOVER) about 1.2 s, `killPrimary()` about 3.2 s, `restartOldPrimary()` about
 *   0.35 s.
 *   Measured on the 2-core machine of CI with a load average of 4 (other tests running); topologies.test.ts,
 *   which goes through all of it, takes about 20 s.
 *
 * What the clients do, seen here: node-redis writes into the `rootNodes` it connects with (so the harness hands
 * out fresh ones on every read). After SENTINEL FAILOVER the old primary takes writes until the sentinels make it
 * a replica, up to about 10 s later, and drops them when it resyncs: node-redis `createSentinel` keeps writing
 * there for about 1 s after the promotion (until it follows `+switch-master`), ioredis `{ sentinels, name }`
 * (without `failoverDetector: true`) until the sentinels reconfigure it (about 10 s; its acknowledged writes of
 * that time were lost). `rejoinOldPrimary()` ends that window at once.
 *
 * Every process is SIGKILLed by `stop()`, and also when the test process ends however it ends (each server runs
 * under a watchdog that holds a pipe from this process); temporary directories go with `stop()` or at exit.
 *
 * Tests that only need a healthy topology use `sharedCluster()` / `sharedSentinelSet()`: the topology .ci/run
 * started (`GSG_REDIS_CLUSTER`, `GSG_REDIS_SENTINELS`, `GSG_REDIS_SENTINEL_NAME`) when set, else one of their own.
 * Other test files use the shared one at the same time: use keys of your own (a unique prefix or hash tag), never
 * FLUSHALL. Tests that kill, pause or fail over always start their own.
 *
 * Run locally (needs `redis-server` and `redis-cli` on PATH, or REDIS_SERVER_BIN / REDIS_CLI_BIN):
 *   npx jest test/redis/topologies.test.ts
 *   node scripts/redis-topologies.mjs start /tmp/gsg-topologies && set -a && . /tmp/gsg-topologies/env && set +a
 *   npx jest test/redis/...           # shared-topology tests now use those
 *   node scripts/redis-topologies.mjs stop /tmp/gsg-topologies
 */
import * as core from '../../scripts/redis-topologies-core.cjs';
import { assertKnownKeys, type OptionKeys } from '../../src/core/known-options';

export interface RedisAddress {
  host: string;
  port: number;
}

/** A cluster a test can use, shared or its own. */
export interface ClusterTopology {
  /** Every node of the cluster (all primaries), in start order. */
  readonly nodes: RedisAddress[];
  /**
   * For node-redis: `createCluster({ rootNodes })`. Fresh objects on every read: node-redis writes into the root
   * nodes it is given (`socket`, `reconnectStrategy: false`...), so one array must not serve two clients.
   */
  readonly rootNodes: { url: string }[];
  /** For ioredis: `new Cluster(ioredisNodes)`. Fresh objects on every read, as `rootNodes`. */
  readonly ioredisNodes: RedisAddress[];
  /**
   * The port of the primary that owns `key`'s slot, or slot `slot` (CLUSTER KEYSLOT + CLUSTER SLOTS, asked of a
   * running node).
   */
  slotOwner(keyOrSlot: string | number): Promise<number>;
  /** The slot of `key` (CLUSTER KEYSLOT). */
  slotOf(key: string): Promise<number>;
  /**
   * Waits until every running node (not killed, not paused) says `cluster_state:ok`, sees the other running ones
   * without a fail flag, and all agree on the slots.
   */
  waitOk(): Promise<void>;
  /** Stops the cluster (its own), or does nothing (the shared one). */
  stop(): Promise<void>;
}

/** A cluster of a test's own: its nodes can be lost and frozen, its slots moved. */
export interface OwnCluster extends ClusterTopology {
  /** SIGKILLs the node (lost, as a crashed machine) and waits until the process is gone. */
  kill(port: number): Promise<void>;
  /** Freezes the node (SIGSTOP): connections stay open, nothing is answered. */
  pause(port: number): void;
  /** Thaws a frozen node (SIGCONT). */
  resume(port: number): void;
  /** Waits until every other running node marks the node `fail` (about node timeout x 2). */
  waitFailed(port: number): Promise<void>;
  /** Starts a killed node again on its ports with its cluster config: it rejoins with its slots (then `waitOk()`). */
  restart(port: number): Promise<void>;
  /**
   * Starts resharding `slot` to the node on `toPort` (IMPORTING / MIGRATING, as `redis-cli --cluster reshard`):
   * while it lasts, the old owner answers ASK for the keys already moved (`moveKeys(keys)`), and `finish()`
   * completes it (then the old owner answers MOVED).
   */
  beginSlotMigration(slot: number, toPort: number): Promise<core.SlotMigration>;
  /** Reshards `slot` to the node on `toPort`, keys included, and waits until every running node agrees. */
  moveSlot(slot: number, toPort: number): Promise<void>;
}

function address(port: number): RedisAddress {
  return { host: core.HOST, port };
}

type AddressFields = 'nodes' | 'rootNodes' | 'ioredisNodes';

/**
 * Adds `nodes`, `rootNodes` and `ioredisNodes` to `topology` as getters that hand out fresh objects on every read
 * (clients modify what they are given).
 */
function withAddresses<T extends object>(topology: T, nodes: RedisAddress[]): T & Pick<ClusterTopology, AddressFields> {
  return Object.defineProperties(topology, {
    nodes: { enumerable: true, get: () => nodes.map((node) => ({ ...node })) },
    rootNodes: { enumerable: true, get: () => nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })) },
    ioredisNodes: { enumerable: true, get: () => nodes.map((node) => ({ ...node })) },
  }) as T & Pick<ClusterTopology, AddressFields>;
}

/** Options of {@link startCluster}. */
export interface StartClusterOptions {
  /** How many primaries: at least 3 (what `redis-cli --cluster create` accepts). Default 3. */
  primaries?: number;
  /** `cluster-node-timeout`: how long a node may not answer before it is suspected. Default 1000. */
  nodeTimeoutMs?: number;
}
const START_CLUSTER_KEYS = { primaries: true, nodeTimeoutMs: true } as const satisfies OptionKeys<StartClusterOptions>;

/**
 * Starts a cluster of `primaries` primaries (no replicas) and resolves once it is ready. Misspelt options and
 * values out of range are a `TypeError`.
 */
export async function startCluster(options: StartClusterOptions = {}): Promise<OwnCluster> {
  assertKnownKeys(options, START_CLUSTER_KEYS, 'startCluster options');
  const { primaries = 3, nodeTimeoutMs = 1_000 } = options;
  const started = await core.startCluster({ primaries, nodeTimeoutMs, mode: 'watched' });
  const nodes = new Map(started.nodes.map((node) => [node.port, node]));
  const killed = new Set<number>();
  const paused = new Set<number>();
  const ports = started.nodes.map((node) => node.port);
  const running = () => ports.filter((port) => !killed.has(port) && !paused.has(port));
  const nodeOf = (port: number) => {
    const node = nodes.get(port);
    if (!node) throw new TypeError(`no node of this cluster on port ${port} (nodes: ${ports.join(', ')})`);
    return node;
  };
  // Failure detection and its undoing take a few node timeouts: the waits scale with it (20 s at least).
  const waitMs = Math.max(20_000, nodeTimeoutMs * 10);
  const anyRunning = (what: string) => {
    const port = running()[0];
    if (port === undefined) throw new Error(`${what}: no node of the cluster is running`);
    return port;
  };
  let stopped = false;
  const control: Omit<OwnCluster, AddressFields> = {
    slotOwner: (keyOrSlot) => core.clusterSlotOwner(anyRunning('slotOwner'), keyOrSlot),
    slotOf: (key) => core.command(anyRunning('slotOf'), ['CLUSTER', 'KEYSLOT', key]),
    async beginSlotMigration(slot, toPort) {
      nodeOf(toPort);
      return core.beginSlotMigration(running(), slot, toPort);
    },
    async moveSlot(slot, toPort) {
      await (await control.beginSlotMigration(slot, toPort)).finish();
    },
    waitOk: () => core.waitClusterOk(running(), { timeoutMs: waitMs }),
    async kill(port) {
      const node = nodeOf(port);
      process.kill(node.pid, 'SIGKILL');
      await node.exited;
      killed.add(port);
      paused.delete(port);
    },
    pause(port) {
      process.kill(nodeOf(port).pid, 'SIGSTOP');
      paused.add(port);
    },
    resume(port) {
      process.kill(nodeOf(port).pid, 'SIGCONT');
      paused.delete(port);
    },
    waitFailed: (port) => core.waitClusterNodeFailed(running().filter((other) => other !== port), port, { timeoutMs: waitMs }),
    async restart(port) {
      const node = nodeOf(port);
      if (!killed.has(port)) throw new Error(`restart: the node on port ${port} is not killed`);
      nodes.set(port, await core.startClusterNode({ dir: started.dir, mode: 'watched', nodeTimeoutMs, port, busPort: node.busPort }));
      killed.delete(port);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await core.stopPids([...nodes.values()].map((node) => node.pid));
      core.removeDir(started.dir);
    },
  };
  return withAddresses(control, ports.map(address));
}

/** Parses "127.0.0.1:7000,127.0.0.1:7001" (the GSG_REDIS_* variables). */
function parseAddresses(name: string, value: string): RedisAddress[] {
  return value.split(',').map((entry) => {
    const match = /^\s*([^:\s]+):(\d+)\s*$/.exec(entry);
    if (!match) throw new TypeError(`${name}: expected host:port[,host:port...], got ${JSON.stringify(value)}`);
    return { host: match[1]!, port: Number(match[2]) };
  });
}

/**
 * The cluster .ci/run started (`GSG_REDIS_CLUSTER`), checked healthy, whose `stop()` does nothing; without that
 * variable, a cluster of this test's own. For tests that neither kill nor pause nodes.
 */
export async function sharedCluster(): Promise<ClusterTopology> {
  const fromEnv = process.env.GSG_REDIS_CLUSTER;
  if (!fromEnv) return startCluster();
  const nodes = parseAddresses('GSG_REDIS_CLUSTER', fromEnv);
  const ports = nodes.map((node) => node.port);
  const control: Omit<ClusterTopology, AddressFields> = {
    slotOwner: (keyOrSlot) => core.clusterSlotOwner(ports[0]!, keyOrSlot),
    slotOf: (key) => core.command(ports[0]!, ['CLUSTER', 'KEYSLOT', key]),
    waitOk: () => core.waitClusterOk(ports),
    stop: async () => undefined,
  };
  const cluster = withAddresses(control, nodes);
  await cluster.waitOk();
  return cluster;
}

/** A Sentinel set a test can use, shared or its own. */
export interface SentinelTopology {
  /** The name the sentinels monitor: 'mymaster'. */
  readonly name: string;
  readonly sentinels: RedisAddress[];
  /** For node-redis: `createSentinel(nodeRedisOptions())`. */
  nodeRedisOptions(): { name: string; sentinelRootNodes: RedisAddress[] };
  /** For ioredis: `new Redis(ioredisOptions())`. */
  ioredisOptions(): { sentinels: RedisAddress[]; name: string };
  /** The current primary, as the first sentinel names it. */
  currentPrimary(): Promise<RedisAddress>;
  /** Stops the set (its own), or does nothing (the shared one). */
  stop(): Promise<void>;
}

/** A Sentinel set of a test's own: it can fail over. */
export interface OwnSentinelSet extends SentinelTopology {
  /** The primary now (changes with `failover()` / `killPrimary()`). */
  readonly primary: RedisAddress;
  /**
   * The other data node: the replica; right after `failover()`, the old primary, which the sentinels make a
   * replica within about 10 s (their INFO period; `rejoinOldPrimary()` does it at once); after `killPrimary()`,
   * the killed old primary.
   */
  readonly replica: RedisAddress;
  /**
   * SENTINEL FAILOVER, then waits until every sentinel names the replica as primary and it takes writes.
   * The old primary keeps running, still a primary, until the sentinels reconfigure it at their next INFO (up to
   * about 10 s later; `rejoinOldPrimary()` does it at once): node-redis's `createSentinel` follows the
   * `+switch-master` announcement within about 1 s, but ioredis `{ sentinels, name }` (without
   * `failoverDetector: true`) keeps writing to the old primary until then, and those writes are lost when it
   * resyncs from the new one.
   */
  failover(): Promise<void>;
  /**
   * What the sentinels do to the old primary after a failover, now: REPLICAOF the new primary and CLIENT KILL of
   * its normal and pub/sub clients (which then ask the sentinels again), in one MULTI; waits for the sync.
   */
  rejoinOldPrimary(): Promise<void>;
  /** SIGKILLs the primary and waits until the sentinels have elected the replica (every one names it) and it takes writes. */
  killPrimary(): Promise<void>;
  /**
   * Starts the primary `killPrimary()` killed again, on its port and empty, as a replica of the new primary, and
   * waits until it is in sync and every sentinel sees it as a replica: the set can fail over again.
   */
  restartOldPrimary(): Promise<void>;
}

const sentinelClientOptions = (name: string, sentinels: RedisAddress[]) => ({
  nodeRedisOptions: () => ({ name, sentinelRootNodes: sentinels.map((node) => ({ ...node })) }),
  ioredisOptions: () => ({ sentinels: sentinels.map((node) => ({ ...node })), name }),
  currentPrimary: async () => address(await core.sentinelPrimaryPort(sentinels[0]!.port)),
});

/** Starts a primary, a replica in sync and 3 sentinels that know both and each other. */
export async function startSentinelSet(): Promise<OwnSentinelSet> {
  const started = await core.startSentinelSet({ mode: 'watched' });
  const sentinels = started.sentinels.map((sentinel) => address(sentinel.port));
  const sentinelPorts = sentinels.map((sentinel) => sentinel.port);
  const pids = new Set([started.primary.pid, started.replica.pid, ...started.sentinels.map((sentinel) => sentinel.pid)]);
  let primary: core.StartedProcess = started.primary;
  let replica: core.StartedProcess = started.replica;
  let replicaLost = false;
  let stopped = false;
  const promoteReplica = async () => {
    // An election split between sentinels is held again after 2 x failover-timeout (10 s): room for one retry.
    await core.waitSentinelsAgree(sentinelPorts, replica.port, undefined, { timeoutMs: 30_000 });
    await core.waitFor(`${replica.port} to take writes`, () => core.isWritablePrimary(replica.port));
    [primary, replica] = [replica, primary];
  };
  return {
    name: started.name,
    sentinels,
    ...sentinelClientOptions(started.name, sentinels),
    get primary() {
      return address(primary.port);
    },
    get replica() {
      return address(replica.port);
    },
    async failover() {
      if (replicaLost) throw new Error('failover: no replica left (the old primary was killed)');
      // A sentinel that has not yet seen the replica as fit (NOGOODSLAVE) or is busy (INPROG) is asked again.
      await core.waitFor('a sentinel to accept SENTINEL FAILOVER', async () => {
        try {
          return (await core.command(sentinelPorts[0]!, ['SENTINEL', 'FAILOVER', started.name])) === 'OK';
        } catch (error) {
          if (/NOGOODSLAVE|INPROG/.test((error as Error).message)) return false;
          throw error;
        }
      }, { timeoutMs: 20_000, stepMs: 100 });
      await promoteReplica();
    },
    async rejoinOldPrimary() {
      if (replicaLost) throw new Error('rejoinOldPrimary: the old primary was killed');
      await core.rejoinAsReplica(replica.port, primary.port);
      await core.waitReplicaInSync(primary.port, replica.port);
    },
    async killPrimary() {
      if (replicaLost) throw new Error('killPrimary: no replica left to elect');
      process.kill(primary.pid, 'SIGKILL');
      await primary.exited;
      await promoteReplica();
      replicaLost = true;
    },
    async restartOldPrimary() {
      if (!replicaLost) throw new Error('restartOldPrimary: no primary was killed (killPrimary() first)');
      const restarted = await core.startDataNode({ dir: started.dir, mode: 'watched', port: replica.port, replicaOf: primary.port });
      pids.add(restarted.pid);
      replica = restarted;
      replicaLost = false;
      await core.waitReplicaInSync(primary.port, replica.port);
      await core.waitSentinelsAgree(sentinelPorts, primary.port, replica.port);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await core.stopPids([...pids]);
      core.removeDir(started.dir);
    },
  };
}

/**
 * The Sentinel set .ci/run started (`GSG_REDIS_SENTINELS`, `GSG_REDIS_SENTINEL_NAME`, default 'mymaster'), whose
 * `stop()` does nothing; without those, a set of this test's own. For tests that do not fail over.
 */
export async function sharedSentinelSet(): Promise<SentinelTopology> {
  const fromEnv = process.env.GSG_REDIS_SENTINELS;
  if (!fromEnv) return startSentinelSet();
  const name = process.env.GSG_REDIS_SENTINEL_NAME || core.SENTINEL_NAME;
  const sentinels = parseAddresses('GSG_REDIS_SENTINELS', fromEnv);
  const topology: SentinelTopology = { name, sentinels, ...sentinelClientOptions(name, sentinels), stop: async () => undefined };
  const { port } = await topology.currentPrimary();
  await core.waitFor(`the shared Sentinel set's primary (${port}) to take writes`, () => core.isWritablePrimary(port));
  return topology;
}
