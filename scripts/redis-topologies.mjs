#!/usr/bin/env node
// Starts (or stops) the Redis topologies the whole test run shares, for .ci/run:
//   node scripts/redis-topologies.mjs start <state-dir>   a 3-primary Redis Cluster and a primary + replica +
//                                                         3 sentinels, from the same redis-server the tests use;
//                                                         writes <state-dir>/env (sh `export` lines) and prints it
//   node scripts/redis-topologies.mjs stop <state-dir>    kills them (SIGKILL, by pid) and removes <state-dir>
//                                                         (if it holds only what `start` wrote); idempotent
// The variables: GSG_REDIS_CLUSTER=127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3, GSG_REDIS_SENTINELS=127.0.0.1:s1,...,
// GSG_REDIS_SENTINEL_NAME=mymaster. Tests read them through sharedCluster() / sharedSentinelSet() in
// test/redis/topologies.ts. The processes are detached: they outlive this script until `stop`.
// Plain Node, no dependencies (no npm install needed); the process logic is redis-topologies-core.cjs.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const core = require('./redis-topologies-core.cjs');

const USAGE = 'usage: node scripts/redis-topologies.mjs start|stop <state-dir>';

async function start(stateDir) {
  if (existsSync(stateDir) && readdirSync(stateDir).length > 0) {
    throw new Error(`${stateDir} is not empty: stop what runs there first (node scripts/redis-topologies.mjs stop ${stateDir})`);
  }
  mkdirSync(stateDir, { recursive: true });
  const pidsFile = join(stateDir, 'pids');
  const began = Date.now();
  const timed = async (start) => {
    const value = await start();
    return { value, ms: Date.now() - began };
  };
  // Both at once; the pids file lists every process started, so `stop` finds them even if one topology failed.
  const [clusterResult, setResult] = await Promise.allSettled([
    timed(() => core.startCluster({ mode: 'detached', dir: join(stateDir, 'cluster') })),
    timed(() => core.startSentinelSet({ mode: 'detached', dir: join(stateDir, 'sentinel') })),
  ]);
  const started = [
    ...(clusterResult.status === 'fulfilled' ? clusterResult.value.value.nodes : []),
    ...(setResult.status === 'fulfilled' ? [setResult.value.value.primary, setResult.value.value.replica, ...setResult.value.value.sentinels] : []),
  ];
  writeFileSync(pidsFile, started.map((node) => `${node.pid}\n`).join(''));
  if (clusterResult.status === 'rejected') throw clusterResult.reason;
  if (setResult.status === 'rejected') throw setResult.reason;
  const { value: cluster, ms: clusterMs } = clusterResult.value;
  const { value: set, ms: sentinelMs } = setResult.value;
  const env = {
    GSG_REDIS_CLUSTER: cluster.nodes.map((node) => `${node.host}:${node.port}`).join(','),
    GSG_REDIS_SENTINELS: set.sentinels.map((node) => `${node.host}:${node.port}`).join(','),
    GSG_REDIS_SENTINEL_NAME: set.name,
  };
  const lines = Object.entries(env).map(([name, value]) => `export ${name}=${value}\n`).join('');
  writeFileSync(join(stateDir, 'env'), lines);
  process.stdout.write(`cluster ready in ${clusterMs} ms, sentinel set (primary ${set.primary.port}, replica ${set.replica.port}) in ${sentinelMs} ms\n${lines}`);
}

/** What `start` writes in <state-dir>: `stop` removes the directory only if it holds nothing else. */
const OWN_ENTRIES = new Set(['cluster', 'sentinel', 'env', 'pids']);

async function stop(stateDir) {
  if (!existsSync(stateDir)) {
    console.log(`nothing to stop in ${stateDir}`);
    return;
  }
  const pidsFile = join(stateDir, 'pids');
  const pids = existsSync(pidsFile) ? readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
  await core.stopPids(pids);
  if (readdirSync(stateDir).every((entry) => OWN_ENTRIES.has(entry))) rmSync(stateDir, { recursive: true, force: true });
  console.log(pids.length > 0 ? `stopped ${pids.length} redis processes` : `nothing to stop in ${stateDir}`);
}

const [action, stateDir] = process.argv.slice(2);
if (!stateDir || (action !== 'start' && action !== 'stop')) {
  console.error(USAGE);
  process.exit(2);
}
try {
  await (action === 'start' ? start(resolve(stateDir)) : stop(resolve(stateDir)));
} catch (error) {
  console.error(`redis-topologies ${action}: ${error.message}`);
  process.exitCode = 1;
}
