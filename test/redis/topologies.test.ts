import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Redis, { Cluster } from 'ioredis';
import { createCluster, createSentinel } from 'redis';
import * as core from '../../scripts/redis-topologies-core.cjs';
import { sharedCluster, sharedSentinelSet, startCluster, startSentinelSet, type OwnCluster, type OwnSentinelSet } from './topologies';

// Proves the harness itself (test/redis/topologies.ts): real topologies, real clients of both libraries.

/** One key per primary: `{owner-<port>-<n>}` keys tried in turn until every primary owns one. */
async function keyPerPrimary(cluster: OwnCluster): Promise<Map<number, string>> {
  const keys = new Map<number, string>();
  for (let n = 0; keys.size < cluster.nodes.length; n++) {
    const key = `{topology-${n}}:probe`;
    const owner = await cluster.slotOwner(key);
    if (!keys.has(owner)) keys.set(owner, key);
  }
  return keys;
}

// One cluster and one Sentinel set for the file, started together; each test leaves them healthy for the next.
let cluster: OwnCluster;
let set: OwnSentinelSet;
beforeAll(async () => {
  [cluster, set] = await Promise.all([startCluster(), startSentinelSet()]);
});
afterAll(async () => {
  await cluster?.stop();
  await set?.stop();
});

describe('startCluster', () => {
  it('has 3 primaries that cover the 16384 slots between them, and every node agrees', async () => {
    expect(cluster.nodes).toHaveLength(3);
    expect(cluster.rootNodes).toEqual(cluster.nodes.map(({ port }) => ({ url: `redis://127.0.0.1:${port}` })));
    expect(cluster.ioredisNodes).toEqual(cluster.nodes);
    const maps = new Set<string>();
    for (const { port } of cluster.nodes) {
      const info = await core.command(port, ['CLUSTER', 'INFO']);
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_slots_assigned:16384');
      expect(info).toContain('cluster_known_nodes:3');
      expect(info).toContain('cluster_size:3');
      maps.add(await core.slotMap(port));
    }
    expect(maps.size).toBe(1);
    const ranges = (await core.command(cluster.nodes[0]!.port, ['CLUSTER', 'SLOTS'])) as [number, number, [string, number]][];
    const covered = ranges.reduce((sum, [start, end]) => sum + end - start + 1, 0);
    expect(covered).toBe(16384);
    expect(new Set(ranges.map(([, , [, port]]) => port))).toEqual(new Set(cluster.nodes.map(({ port }) => port)));
  });

  it('slotOwner names the node that serves a key: it answers, the others redirect (MOVED)', async () => {
    const keys = await keyPerPrimary(cluster);
    expect([...keys.keys()].sort()).toEqual(cluster.nodes.map(({ port }) => port).sort());
    for (const [owner, key] of keys) {
      expect(await core.command(owner, ['SET', key, `on ${owner}`])).toBe('OK');
      const slot = await core.command(owner, ['CLUSTER', 'KEYSLOT', key]);
      for (const { port } of cluster.nodes.filter(({ port }) => port !== owner)) {
        await expect(core.command(port, ['GET', key])).rejects.toThrow(`MOVED ${slot} 127.0.0.1:${owner}`);
      }
    }
  });

  it('node-redis createCluster({ rootNodes }) and ioredis Cluster(ioredisNodes) both read and write keys on every primary', async () => {
    const keys = await keyPerPrimary(cluster);
    const nodeRedis = createCluster({ rootNodes: cluster.rootNodes });
    const ioredis = new Cluster(cluster.ioredisNodes);
    try {
      await nodeRedis.connect();
      for (const [owner, key] of keys) {
        await nodeRedis.set(key, `node-redis ${owner}`);
        expect(await ioredis.get(key)).toBe(`node-redis ${owner}`);
        await ioredis.set(key, `ioredis ${owner}`);
        expect(await nodeRedis.get(key)).toBe(`ioredis ${owner}`);
        expect(await core.command(owner, ['GET', key])).toBe(`ioredis ${owner}`);
      }
    } finally {
      await nodeRedis.close();
      await ioredis.quit();
    }
  });

  it('beginSlotMigration / moveSlot: the old owner answers ASK, then MOVED; node-redis and ioredis clients made before follow both', async () => {
    const [moved, stays] = ['{reshard}:moved', '{reshard}:stays'];
    const slot = await cluster.slotOf(moved);
    const from = await cluster.slotOwner(moved);
    const to = cluster.nodes.map(({ port }) => port).find((port) => port !== from)!;
    const nodeRedis = createCluster({ rootNodes: cluster.rootNodes });
    const ioredis = new Cluster(cluster.ioredisNodes);
    try {
      await nodeRedis.connect();
      await nodeRedis.set(moved, 'moved');
      await nodeRedis.set(stays, 'stays');
      expect(await ioredis.get(moved)).toBe('moved');

      const migration = await cluster.beginSlotMigration(slot, to);
      expect([migration.slot, migration.from, migration.to]).toEqual([slot, from, to]);
      await migration.moveKeys([moved]);
      await expect(core.command(from, ['GET', moved])).rejects.toThrow(`ASK ${slot} 127.0.0.1:${to}`);
      expect(await core.command(from, ['GET', stays])).toBe('stays');
      for (const client of [nodeRedis, ioredis]) {
        expect(await client.get(moved)).toBe('moved');
        expect(await client.get(stays)).toBe('stays');
      }

      await migration.finish();
      expect(await cluster.slotOwner(moved)).toBe(to);
      expect(await cluster.slotOwner(slot)).toBe(to);
      await expect(core.command(from, ['GET', stays])).rejects.toThrow(`MOVED ${slot} 127.0.0.1:${to}`);
      expect(await core.command(to, ['GET', stays])).toBe('stays');
      for (const client of [nodeRedis, ioredis]) {
        expect(await client.get(stays)).toBe('stays');
        expect(await client.set(moved, 'written')).toBe('OK');
      }
      expect(await core.command(to, ['GET', moved])).toBe('written');

      await cluster.moveSlot(slot, from);
      expect(await cluster.slotOwner(moved)).toBe(from);
      expect(await core.command(from, ['GET', stays])).toBe('stays');
      await cluster.waitOk();
    } finally {
      await nodeRedis.close();
      await ioredis.quit();
    }
  });

  it('pause: a frozen node answers nothing and is marked failed; resume: it serves again once waitOk() returns', async () => {
    const [frozen, other] = cluster.nodes.map(({ port }) => port) as [number, number];
    cluster.pause(frozen);
    await expect(core.command(frozen, ['PING'], { timeoutMs: 300 })).rejects.toThrow('did not answer PING within 300 ms');
    await cluster.waitFailed(frozen);
    expect(core.parseClusterNodes(await core.command(other, ['CLUSTER', 'NODES'])).find((node) => node.port === frozen)?.flags).toContain('fail');
    cluster.resume(frozen);
    await cluster.waitOk();
    expect(await core.command(frozen, ['PING'])).toBe('PONG');
    expect(core.parseClusterNodes(await core.command(other, ['CLUSTER', 'NODES'])).find((node) => node.port === frozen)?.flags).not.toContain('fail');
  });

  it('kill: the others mark it failed, stay cluster_state:ok and keep serving their keys to both clients; restart brings its slots back', async () => {
    const keys = await keyPerPrimary(cluster);
    // The first node: slotOwner() and waitOk() must then ask the others.
    const [lost, ...survivors] = cluster.nodes.map(({ port }) => port) as [number, number, number];
    const nodeRedis = createCluster({ rootNodes: cluster.rootNodes });
    nodeRedis.on('error', () => undefined);
    const ioredis = new Cluster(cluster.ioredisNodes);
    ioredis.on('error', () => undefined);
    try {
      await nodeRedis.connect();
      for (const key of keys.values()) await nodeRedis.set(key, 'before');

      await cluster.kill(lost);
      await cluster.waitFailed(lost);
      await cluster.waitOk();
      for (const port of survivors) {
        expect(await core.command(port, ['CLUSTER', 'INFO'])).toContain('cluster_state:ok');
        const view = core.parseClusterNodes(await core.command(port, ['CLUSTER', 'NODES']));
        expect(view.find((node) => node.port === lost)?.flags).toContain('fail');
        // The lost node's slots are served by no one: a survivor redirects to the dead node.
        await expect(core.command(port, ['GET', keys.get(lost)!])).rejects.toThrow(new RegExp(`MOVED \\d+ 127\\.0\\.0\\.1:${lost}`));
      }
      for (const port of survivors) {
        const key = keys.get(port)!;
        expect(await cluster.slotOwner(key)).toBe(port);
        expect(await nodeRedis.get(key)).toBe('before');
        await nodeRedis.set(key, 'after');
        expect(await ioredis.get(key)).toBe('after');
      }

      await cluster.restart(lost);
      await cluster.waitOk();
      expect(await cluster.slotOwner(keys.get(lost)!)).toBe(lost);
      expect(await core.command(lost, ['SET', keys.get(lost)!, 'back'])).toBe('OK');
    } finally {
      await nodeRedis.destroy();
      ioredis.disconnect();
    }
  });
});

describe('startCluster: misuse', () => {
  it('a misspelt option or a value out of range is a TypeError, before any process starts', async () => {
    await expect(startCluster({ primary: 3 } as never)).rejects.toThrow(new TypeError('genauth-session-guard: unknown option "primary" in startCluster options; did you mean "primaries"?'));
    await expect(startCluster({ primaries: 2 })).rejects.toThrow(new TypeError('startCluster: primaries must be an integer >= 3 (redis-cli --cluster create needs 3), got 2'));
    await expect(startCluster({ nodeTimeoutMs: 0 })).rejects.toThrow(TypeError);
  });

  it('a port that is not a node of the cluster or a slot out of range is a TypeError; restart() of a running node an Error', async () => {
    const stranger = await core.freePort();
    expect(() => cluster.pause(stranger)).toThrow(new TypeError(`no node of this cluster on port ${stranger} (nodes: ${cluster.nodes.map(({ port }) => port).join(', ')})`));
    await expect(cluster.kill(stranger)).rejects.toThrow(TypeError);
    await expect(cluster.restart(cluster.nodes[0]!.port)).rejects.toThrow(`restart: the node on port ${cluster.nodes[0]!.port} is not killed`);
    await expect(cluster.moveSlot(0, stranger)).rejects.toThrow(TypeError);
    await expect(cluster.moveSlot(16384, cluster.nodes[0]!.port)).rejects.toThrow(new TypeError('slot must be an integer from 0 to 16383, got 16384'));
  });
});

describe('startSentinelSet', () => {
  it('starts a primary, a replica in sync and 3 sentinels that know both and each other', async () => {
    expect(set.name).toBe('mymaster');
    expect(set.sentinels).toHaveLength(3);
    expect((await core.info(set.replica.port, 'replication')).master_link_status).toBe('up');
    for (const { port } of set.sentinels) {
      const master = await core.sentinelMaster(port);
      expect(Number(master.port)).toBe(set.primary.port);
      expect(master['num-slaves']).toBe('1');
      expect(master['num-other-sentinels']).toBe('2');
      expect(master.quorum).toBe('2');
    }
  });
});

describe('sharedCluster / sharedSentinelSet', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['GSG_REDIS_CLUSTER', 'GSG_REDIS_SENTINELS', 'GSG_REDIS_SENTINEL_NAME']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('use the topology the environment names (stop() leaves it running), and reject a malformed variable', async () => {
    process.env.GSG_REDIS_CLUSTER = cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(',');
    process.env.GSG_REDIS_SENTINELS = set.sentinels.map(({ host, port }) => `${host}:${port}`).join(',');
    process.env.GSG_REDIS_SENTINEL_NAME = 'mymaster';
    const shared = await sharedCluster();
    expect(shared.nodes).toEqual(cluster.nodes);
    expect(shared.rootNodes).toEqual(cluster.rootNodes);
    // Fresh objects on every read: node-redis writes into the root nodes it is given.
    const rootNodes = shared.rootNodes;
    const client = createCluster({ rootNodes });
    await client.connect();
    await client.close();
    expect(rootNodes).not.toEqual(shared.rootNodes);
    expect(shared.rootNodes).toEqual(cluster.nodes.map(({ port }) => ({ url: `redis://127.0.0.1:${port}` })));
    expect(await shared.slotOwner('{x}')).toBe(await cluster.slotOwner('{x}'));
    await shared.stop();
    await cluster.waitOk();
    const sharedSet = await sharedSentinelSet();
    expect(sharedSet.ioredisOptions()).toEqual(set.ioredisOptions());
    expect(sharedSet.nodeRedisOptions()).toEqual({ name: 'mymaster', sentinelRootNodes: set.sentinels });
    expect(await sharedSet.currentPrimary()).toEqual(set.primary);
    await sharedSet.stop();
    expect(await core.command(set.primary.port, ['PING'])).toBe('PONG');

    process.env.GSG_REDIS_CLUSTER = '127.0.0.1';
    await expect(sharedCluster()).rejects.toThrow('GSG_REDIS_CLUSTER: expected host:port[,host:port...], got "127.0.0.1"');
  });
});

describe('startSentinelSet: failover', () => {
  it('failover(), rejoinOldPrimary(), killPrimary(), restartOldPrimary(), failover() again: node-redis createSentinel and ioredis { sentinels, name } follow the new primary', async () => {
    const nodeRedis = createSentinel(set.nodeRedisOptions());
    nodeRedis.on('error', () => undefined);
    const ioredis = new Redis(set.ioredisOptions());
    ioredis.on('error', () => undefined);
    /** Writes through `write` until the value lands on `port` (a client may still talk to the old primary for a while). */
    const landsOn = (port: number, key: string, write: () => Promise<unknown>) =>
      core.waitFor(`${key} to be written to ${port}`, async () => (await write()) === 'OK' && (await core.command(port, ['GET', key])) === 'written');
    try {
      await nodeRedis.connect();
      await nodeRedis.set('topology:before', 'node-redis');
      expect(await ioredis.get('topology:before')).toBe('node-redis');
      const [first, second] = [set.primary.port, set.replica.port];

      await set.failover();
      expect([set.primary.port, set.replica.port]).toEqual([second, first]);
      for (const { port } of set.sentinels) expect(await core.sentinelPrimaryPort(port)).toBe(second);
      expect(await core.command(second, ['GET', 'topology:before'])).toBe('node-redis');
      await landsOn(second, 'topology:node-redis', () => nodeRedis.set('topology:node-redis', 'written'));
      // Until the old primary is reconfigured, ioredis (no failoverDetector) may still write to it.
      await set.rejoinOldPrimary();
      expect((await core.info(first, 'replication')).master_port).toBe(String(second));
      await landsOn(second, 'topology:ioredis', () => ioredis.set('topology:ioredis', 'written'));
      expect(await nodeRedis.get('topology:ioredis')).toBe('written');
      expect(await ioredis.get('topology:node-redis')).toBe('written');

      await set.killPrimary();
      expect(set.primary.port).toBe(first);
      for (const { port } of set.sentinels) expect(await core.sentinelPrimaryPort(port)).toBe(first);
      await landsOn(first, 'topology:node-redis-2', () => nodeRedis.set('topology:node-redis-2', 'written'));
      await landsOn(first, 'topology:ioredis-2', () => ioredis.set('topology:ioredis-2', 'written'));
      await expect(set.failover()).rejects.toThrow('failover: no replica left (the old primary was killed)');

      await set.restartOldPrimary();
      expect(set.replica.port).toBe(second);
      expect((await core.info(second, 'replication')).master_port).toBe(String(first));
      expect(await core.command(second, ['GET', 'topology:ioredis-2'])).toBe('written');
      await set.failover();
      expect(set.primary.port).toBe(second);
      await landsOn(second, 'topology:node-redis-3', () => nodeRedis.set('topology:node-redis-3', 'written'));
    } finally {
      await nodeRedis.destroy();
      ioredis.disconnect();
    }
  });
});

describe('stop()', () => {
  it('ends every process of the cluster and of the Sentinel set', async () => {
    const ports = [...cluster.nodes, ...set.sentinels, set.primary].map(({ port }) => port);
    await cluster.stop();
    await set.stop();
    for (const port of ports) await expect(core.command(port, ['PING'])).rejects.toThrow();
  });
});

describe('processes', () => {
  it('a server that cannot start (its port taken) is an error at once, with the tail of its log', async () => {
    const dir = core.makeTempDir('gsg-taken-');
    try {
      const taken = await core.startDataNode({ dir, mode: 'watched' });
      const error = await core.startDataNode({ dir, mode: 'watched', port: taken.port }).catch((caught: Error) => caught);
      expect(error).toBeInstanceOf(Error);
      // Not "timed out after 15000 ms waiting for ...": the exit is seen on the next poll.
      expect((error as Error).message).toMatch(new RegExp(`^redis-server on port ${taken.port} exited before accepting connections:\n[^]*Address already in use`));
      await core.stopPids([taken.pid]);
    } finally {
      core.removeDir(dir);
    }
  });

  it('a process that exits without stop() takes its servers and their temporary directory with it', async () => {
    const script = `
      const core = require(${JSON.stringify(join(__dirname, '../../scripts/redis-topologies-core.cjs'))});
      const dir = core.makeTempDir('gsg-exit-');
      core.startServer({ dir, name: 'left', mode: 'watched' }).then((server) => {
        process.stdout.write(server.pid + ' ' + server.port + ' ' + dir + '\\n', () => process.exit(0));
      });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    expect(await new Promise((resolve) => child.once('exit', (code) => resolve(code)))).toBe(0);
    const [pid, port, dir] = output.trim().split(' ') as [string, string, string];
    expect(dir).toContain('gsg-exit-');
    expect(existsSync(dir)).toBe(false);
    await core.waitFor('the left redis-server to die', () => !core.isAlive(Number(pid)), { timeoutMs: 5_000 });
    await expect(core.command(Number(port), ['PING'])).rejects.toThrow();
  });

  it('a redis-server started by a process that is SIGKILLed dies with it, and its temporary directory goes', async () => {
    const script = `
      const core = require(${JSON.stringify(join(__dirname, '../../scripts/redis-topologies-core.cjs'))});
      const dir = core.makeTempDir('gsg-orphan-');
      core.startServer({ dir, name: 'orphan', mode: 'watched' }).then((server) => {
        process.stdout.write(server.pid + ' ' + server.port + ' ' + dir + '\\n', () => process.kill(process.pid, 'SIGKILL'));
      });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    const signal = await new Promise((resolve) => child.once('exit', (_code, exitSignal) => resolve(exitSignal)));
    expect(signal).toBe('SIGKILL');
    const [pid, port, dir] = output.trim().split(' ') as [string, string, string];
    expect(Number(pid)).toBeGreaterThan(0);
    expect(dir).toContain('gsg-orphan-');
    await core.waitFor('the orphaned redis-server to die and its directory to go', () => !core.isAlive(Number(pid)) && !existsSync(dir), { timeoutMs: 5_000 });
    await expect(core.command(Number(port), ['PING'])).rejects.toThrow();
  });
});
