'use strict';
// Real Redis Cluster and Sentinel topologies from the Debian redis-server binary, on 127.0.0.1 and free ports.
// One implementation for both users: the Jest harness (test/redis/topologies.ts, processes tied to the test
// process) and scripts/redis-topologies.mjs (.ci/run: detached processes that outlive the script, stopped by pid).
// CommonJS on purpose: Jest (CommonJS) requires it as is and plain Node imports it from the .mjs, no build step.
// Types: redis-topologies-core.d.cts.

const { spawn } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { createConnection, createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const HOST = '127.0.0.1';
const SENTINEL_NAME = 'mymaster';
const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN || 'redis-server';
const REDIS_CLI_BIN = process.env.REDIS_CLI_BIN || 'redis-cli';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port the OS just handed out on 127.0.0.1 (free when returned; `launch` retries if it is taken meanwhile). */
async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(() => resolve()));
  return port;
}

// ---------------------------------------------------------------------------------------------------------------
// A minimal RESP2 client: one connection per command, a deadline (a frozen node must not hang the harness).

function encode(args) {
  let out = `*${args.length}\r\n`;
  for (const arg of args) {
    const text = String(arg);
    out += `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
  }
  return out;
}

/** Parses one reply at `offset`; returns `undefined` when the buffer does not hold all of it yet. */
function parse(buffer, offset) {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset]);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+': return { value: line, next };
    case '-': return { value: new RespError(line), next };
    case ':': return { value: Number(line), next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString('utf8', next, next + length), next: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next };
      const items = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, at);
        if (!item) return undefined;
        items.push(item.value);
        at = item.next;
      }
      return { value: items, next: at };
    }
    default:
      throw new Error(`unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}

class RespError extends Error {}

/**
 * Sends one command to 127.0.0.1:port and resolves with its reply (strings, numbers, arrays, null). An error reply
 * rejects with its text; no answer within `timeoutMs` rejects too.
 */
function command(port, args, { timeoutMs = 2_000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    let buffer = Buffer.alloc(0);
    const done = (error, value) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value);
    };
    const timer = setTimeout(() => done(new Error(`127.0.0.1:${port} did not answer ${args[0]} within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (error) => done(error));
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      let reply;
      try {
        reply = parse(buffer, 0);
      } catch (error) {
        done(error);
        return;
      }
      if (!reply) return;
      if (reply.value instanceof RespError) done(new Error(`127.0.0.1:${port} ${args.join(' ')}: ${reply.value.message}`));
      else done(undefined, reply.value);
    });
    socket.write(encode(args));
  });
}

/** `INFO <section>` as a field -> value map. */
async function info(port, section) {
  const text = await command(port, ['INFO', section]);
  const fields = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

/**
 * Polls `check` until it returns true; throws with `what` and the last error after `timeoutMs`. An error counts as
 * "not yet", except one marked `fatal` (a process that died), which is thrown at once.
 */
async function waitFor(what, check, { timeoutMs = 20_000, stepMs = 25 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      if (await check()) return;
      lastError = undefined;
    } catch (error) {
      if (error && error.fatal) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`);
    }
    await sleep(stepMs);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Processes.
//
// mode 'watched' (tests): redis-server runs under a small sh watchdog that holds a pipe from this process and,
// when the pipe closes, SIGKILLs the server and removes its temporary directory (GSG_TOPOLOGY_DIR), so nothing
// outlives the test process, however it ends (SIGKILL of a Jest worker included; Jest's sandbox does not run
// 'exit' hooks). An 'exit' hook does the same synchronously on an ordinary exit of a plain Node process.
// mode 'detached' (.ci/run): redis-server in its own process group, unreferenced; stopped by pid (`stopPids`).

const WATCHDOG = [
  'command -v "$1" >/dev/null 2>&1 || { echo missing; exit 127; }',
  'exec 3<&0',
  '"$@" &',
  'pid=$!',
  'echo "$pid"',
  // The directory goes first: once the server is dead, the `wait` below ends this shell and this watcher with it.
  '( read _ <&3; [ -z "$GSG_TOPOLOGY_DIR" ] || rm -rf "$GSG_TOPOLOGY_DIR"; kill -9 "$pid" 2>/dev/null ) &',
  'watcher=$!',
  'wait "$pid"; code=$?',
  'kill "$watcher" 2>/dev/null',
  'exit "$code"',
].join('\n');

const watched = new Set(); // { pid } of live watched processes, for the exit hook
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const entry of watched) {
      try { process.kill(entry.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
}

const tempDirs = new Set();
/** A temporary directory removed by `removeDir`, or when the process exits. */
function makeTempDir(prefix) {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}
function removeDir(dir) {
  tempDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Is the process there (a zombie, dead but not yet reaped by its parent, counts as gone)? */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ...": a detached server's parent is init, which may reap late.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

function notFound(bin) {
  return new Error(`${bin} not found: the Redis topology tests need a real Redis. Install it with \`apt-get update && apt-get install -y redis-server\`, or set REDIS_SERVER_BIN / REDIS_CLI_BIN.`);
}

/**
 * Starts `redis-server <args>` (args include `--port <port>` and a `--logfile`), waits until it accepts
 * connections, and returns `{ pid, exited }` (`exited` resolves when it ends). Rejects with the log's tail if it
 * exits first (a port taken, say).
 */
async function launch({ args, port, logfile, mode }) {
  let pid;
  let exited;
  if (mode === 'detached') {
    const child = spawn(REDIS_SERVER_BIN, args, { stdio: 'ignore', detached: true });
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(error.code === 'ENOENT' ? notFound(REDIS_SERVER_BIN) : error));
    });
    child.unref();
    pid = child.pid;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
  } else {
    installExitHook();
    const ownDir = [...tempDirs].find((dir) => logfile.startsWith(`${dir}/`));
    const child = spawn('sh', ['-c', WATCHDOG, 'sh', REDIS_SERVER_BIN, ...args], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: { ...process.env, GSG_TOPOLOGY_DIR: ownDir ?? '' },
    });
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    pid = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
    });
    if (Number.isNaN(pid)) throw notFound(REDIS_SERVER_BIN);
    child.stdin.on('error', () => undefined);
    const entry = { pid };
    watched.add(entry);
    exited.then(() => watched.delete(entry));
    // The harness does not keep the test process alive: stop() is the way to end these, the exit hook the net.
    child.unref();
    child.stdin.unref?.();
    child.stdout.unref?.();
  }
  let gone = false;
  exited.then(() => (gone = true));
  try {
    await waitFor(`redis-server on port ${port} to accept connections`, async () => {
      if (gone || !isAlive(pid)) {
        const log = existsSync(logfile) ? readFileSync(logfile, 'utf8').split('\n').slice(-15).join('\n') : '(no log)';
        const error = new Error(`redis-server on port ${port} exited before accepting connections:\n${log}`);
        error.fatal = true;
        throw error;
      }
      // Ours, not another server that holds the port (then ours exits: "Address already in use").
      const server = await command(port, ['INFO', 'server'], { timeoutMs: 500 });
      return new RegExp(`\\r\\nprocess_id:${pid}\\r\\n`).test(server);
    }, { timeoutMs: 15_000, stepMs: 10 });
  } catch (error) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    throw error;
  }
  return { pid, exited };
}

/** Launches with fresh free ports until one attempt works (another process may take a port in between). */
async function launchOnFreePorts(count, build, attempts = 5) {
  for (let attempt = 1; ; attempt++) {
    const ports = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());
    try {
      return { ports, ...(await build(ports)) };
    } catch (error) {
      if (attempt >= attempts || !/Address already in use|exited before accepting/.test(error.message)) throw error;
    }
  }
}

/** SIGKILLs processes by pid (a frozen one too) and waits until they are gone. */
async function stopPids(pids) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch { /* already gone */ }
  }
  await waitFor(`redis processes ${pids.join(', ')} to exit`, () => pids.every((pid) => !isAlive(pid)), { timeoutMs: 10_000 });
}

// repl-diskless-sync-delay 0: a replica's first sync starts at once (the default waits 5 s for more replicas).
const BASE_ARGS = ['--bind', HOST, '--protected-mode', 'no', '--save', '', '--appendonly', 'no', '--loglevel', 'notice', '--repl-diskless-sync-delay', '0'];

/**
 * One redis-server (a cluster node, a Sentinel-managed primary or replica) in `dir`: on `ports` when given (a
 * restart), else on free ones (`portCount` of them; `extraArgs` receives them).
 */
async function startServer({ dir, name, mode, extraArgs = () => [], portCount = 1, ports: fixedPorts }) {
  const logfileOf = (ports) => join(dir, `${name}-${ports[0]}.log`);
  const build = (ports) => {
    const logfile = logfileOf(ports);
    return launch({ args: ['--port', String(ports[0]), '--dir', dir, '--logfile', logfile, ...BASE_ARGS, ...extraArgs(ports)], port: ports[0], logfile, mode });
  };
  const { ports, pid, exited } = fixedPorts
    ? { ports: fixedPorts, ...(await build(fixedPorts)) }
    : await launchOnFreePorts(portCount, build);
  return { port: ports[0], ports, pid, exited, logfile: logfileOf(ports) };
}

// ---------------------------------------------------------------------------------------------------------------
// Cluster.

/** The arguments of a cluster node: the bus on a port of its own (port + 10000 may be taken or above 65535). */
function clusterArgs(dir, port, busPort, nodeTimeoutMs) {
  return [
    '--cluster-enabled', 'yes',
    '--cluster-port', String(busPort),
    '--cluster-config-file', join(dir, `nodes-${port}.conf`),
    '--cluster-node-timeout', String(nodeTimeoutMs),
    // A node lost (no replica) leaves the rest serving their slots: the fault the store must survive.
    '--cluster-require-full-coverage', 'no',
    // Kept at Redis's default ("no"): a node that thinks the cluster is down refuses reads too, as in production.
    '--cluster-allow-reads-when-down', 'no',
  ];
}

/**
 * Starts one cluster node in `dir`: on `port`/`busPort` with its nodes-<port>.conf when given (a node brought
 * back rejoins with its slots), else on free ports. Returns `{ host, port, busPort, pid, exited, logfile }`.
 */
async function startClusterNode({ dir, mode, nodeTimeoutMs, port, busPort }) {
  const server = await startServer({
    dir,
    name: 'cluster',
    mode,
    portCount: 2,
    ...(port === undefined ? {} : { ports: [port, busPort] }),
    extraArgs: ([nodePort, nodeBusPort]) => clusterArgs(dir, nodePort, nodeBusPort, nodeTimeoutMs),
  });
  return { host: HOST, port: server.port, busPort: server.ports[1], pid: server.pid, exited: server.exited, logfile: server.logfile };
}

/** Parses CLUSTER NODES: [{ id, port, flags: string[], slots: string[] }]. */
function parseClusterNodes(text) {
  return text.trim().split('\n').filter(Boolean).map((line) => {
    const [id, address, flags, , , , , , ...slots] = line.split(' ');
    return { id, port: Number(address.split('@')[0].split(':').pop()), flags: flags.split(','), slots };
  });
}

/** CLUSTER SLOTS reduced to a comparable "start-end:port" list, sorted. */
async function slotMap(port) {
  const slots = await command(port, ['CLUSTER', 'SLOTS']);
  return slots.map(([start, end, primary]) => `${start}-${end}:${primary[1]}`).sort().join(',');
}

function runCli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(REDIS_CLI_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', (error) => reject(error.code === 'ENOENT' ? notFound(REDIS_CLI_BIN) : error));
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${REDIS_CLI_BIN} ${args.join(' ')} exited ${code}:\n${output}`))));
  });
}

/**
 * Starts a cluster of `primaries` primaries without replicas (`redis-cli --cluster create --cluster-yes`) and
 * waits until every node says `cluster_state:ok` and all agree on the slot map.
 * Returns `{ dir, nodes: [{ host, port, busPort, pid, logfile }] }` plus the functions the harness builds on.
 */
async function startCluster({ primaries = 3, nodeTimeoutMs = 1_000, mode = 'watched', dir } = {}) {
  if (!Number.isInteger(primaries) || primaries < 3) throw new TypeError(`startCluster: primaries must be an integer >= 3 (redis-cli --cluster create needs 3), got ${primaries}`);
  if (!Number.isInteger(nodeTimeoutMs) || nodeTimeoutMs < 100) throw new TypeError(`startCluster: nodeTimeoutMs must be an integer >= 100, got ${nodeTimeoutMs}`);
  const ownDir = dir === undefined;
  const base = ownDir ? makeTempDir('gsg-cluster-') : dir;
  mkdirSync(base, { recursive: true });
  const nodes = [];
  try {
    // All settled before going on: a failure of one stops the others that did start (none still starting).
    const results = await Promise.allSettled(Array.from({ length: primaries }, () => startClusterNode({ dir: base, mode, nodeTimeoutMs })));
    for (const result of results) if (result.status === 'fulfilled') nodes.push(result.value);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    await runCli(['--cluster', 'create', ...nodes.map((node) => `${HOST}:${node.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    await waitClusterOk(nodes.map((node) => node.port));
  } catch (error) {
    await stopPids(nodes.map((node) => node.pid)).catch(() => undefined);
    if (ownDir) removeDir(base);
    throw error;
  }
  return { dir: base, ownDir, nodes };
}

/**
 * Waits until every port in `ports` says `cluster_state:ok`, sees every other one without a fail/pfail flag and
 * with a handshake done, and all report the same slot map covering what is assigned.
 */
async function waitClusterOk(ports, { timeoutMs = 20_000 } = {}) {
  await waitFor(`cluster nodes ${ports.join(', ')} to agree (cluster_state:ok, same slots)`, async () => {
    const maps = [];
    for (const port of ports) {
      if ((await info(port, 'cluster').catch(() => ({}))).cluster_enabled !== '1') return false;
      const state = await command(port, ['CLUSTER', 'INFO']);
      if (!state.includes('cluster_state:ok')) return false;
      const known = parseClusterNodes(await command(port, ['CLUSTER', 'NODES']));
      for (const other of ports) {
        const node = known.find((entry) => entry.port === other);
        if (!node || node.flags.some((flag) => flag === 'fail' || flag === 'fail?' || flag === 'handshake' || flag === 'noaddr')) return false;
      }
      maps.push(await slotMap(port));
    }
    return maps.every((map) => map === maps[0]);
  }, { timeoutMs });
}

/** Waits until every port in `observers` flags the node on `port` as `fail` (not only `fail?`). */
async function waitClusterNodeFailed(observers, port, { timeoutMs = 20_000 } = {}) {
  await waitFor(`cluster nodes ${observers.join(', ')} to mark ${port} as failed`, async () => {
    for (const observer of observers) {
      const node = parseClusterNodes(await command(observer, ['CLUSTER', 'NODES'])).find((entry) => entry.port === port);
      if (!node || !node.flags.includes('fail')) return false;
    }
    return true;
  }, { timeoutMs });
}

/**
 * The port of the primary that serves `keyOrSlot` (a key, or a slot number), asked of the node on `askPort`
 * (CLUSTER KEYSLOT + CLUSTER SLOTS).
 */
async function clusterSlotOwner(askPort, keyOrSlot) {
  const slot = typeof keyOrSlot === 'number' ? keyOrSlot : await command(askPort, ['CLUSTER', 'KEYSLOT', keyOrSlot]);
  const ranges = await command(askPort, ['CLUSTER', 'SLOTS']);
  const range = ranges.find(([start, end]) => slot >= start && slot <= end);
  if (!range) throw new Error(`slot ${slot}${typeof keyOrSlot === 'number' ? '' : ` of key ${JSON.stringify(keyOrSlot)}`} is not assigned`);
  return Number(range[2][1]);
}

/** The node ids of a cluster, by port, as the node on `askPort` knows them. */
async function clusterNodeIds(askPort) {
  return new Map(parseClusterNodes(await command(askPort, ['CLUSTER', 'NODES'])).map((node) => [node.port, node.id]));
}

/**
 * Starts moving `slot` to the node on `toPort`, as `redis-cli --cluster reshard` does: IMPORTING on the target,
 * MIGRATING on the owner. Meanwhile the owner answers ASK for keys of the slot it no longer holds. Returns
 * `{ slot, from, to, moveKeys(keys?), finish() }`: `moveKeys` MIGRATEs the given keys (default: every key left in
 * the slot); `finish` moves the rest and gives the slot to the target on every node in `ports` (CLUSTER SETSLOT
 * NODE), after which the old owner answers MOVED.
 */
async function beginSlotMigration(ports, slot, toPort) {
  if (!Number.isInteger(slot) || slot < 0 || slot > 16383) throw new TypeError(`slot must be an integer from 0 to 16383, got ${slot}`);
  const ids = await clusterNodeIds(toPort);
  const ranges = await command(toPort, ['CLUSTER', 'SLOTS']);
  const range = ranges.find(([start, end]) => slot >= start && slot <= end);
  if (!range) throw new Error(`slot ${slot} is not assigned`);
  const from = Number(range[2][1]);
  if (from === toPort) throw new Error(`slot ${slot} is already on ${toPort}`);
  const fromId = ids.get(from);
  const toId = ids.get(toPort);
  await command(toPort, ['CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId]);
  await command(from, ['CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId]);
  const moveKeys = async (keys) => {
    for (;;) {
      const batch = keys ?? (await command(from, ['CLUSTER', 'GETKEYSINSLOT', slot, 100]));
      if (batch.length === 0) return;
      await command(from, ['MIGRATE', HOST, toPort, '', 0, 5_000, 'KEYS', ...batch], { timeoutMs: 10_000 });
      if (keys) return;
    }
  };
  return {
    slot,
    from,
    to: toPort,
    moveKeys,
    async finish() {
      await moveKeys();
      // The target first, then the old owner, then the others (the order redis-cli uses).
      for (const port of [toPort, from, ...ports.filter((port) => port !== toPort && port !== from)]) {
        await command(port, ['CLUSTER', 'SETSLOT', slot, 'NODE', toId]);
      }
      await waitFor(`every node to give slot ${slot} to ${toPort}`, async () => {
        for (const port of ports) {
          if ((await clusterSlotOwner(port, slot)) !== toPort) return false;
        }
        return true;
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Sentinel.

function sentinelConfig(dir, port, primaryPort, { downAfterMs, failoverTimeoutMs }) {
  return [
    `port ${port}`,
    `bind ${HOST}`,
    'protected-mode no',
    `dir ${dir}`,
    `logfile ${join(dir, `sentinel-${port}.log`)}`,
    `sentinel monitor ${SENTINEL_NAME} ${HOST} ${primaryPort} 2`,
    `sentinel down-after-milliseconds ${SENTINEL_NAME} ${downAfterMs}`,
    `sentinel failover-timeout ${SENTINEL_NAME} ${failoverTimeoutMs}`,
    `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
    '',
  ].join('\n');
}

/** `SENTINEL MASTER <name>` as a field -> value map. */
async function sentinelMaster(sentinelPort) {
  const flat = await command(sentinelPort, ['SENTINEL', 'MASTER', SENTINEL_NAME]);
  const fields = {};
  for (let i = 0; i < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  return fields;
}

/** The primary's port according to one sentinel. */
async function sentinelPrimaryPort(sentinelPort) {
  const [, port] = await command(sentinelPort, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME]);
  return Number(port);
}

/** Waits until the replica on `replicaPort` is in sync with the primary on `primaryPort`. */
async function waitReplicaInSync(primaryPort, replicaPort, { timeoutMs = 20_000 } = {}) {
  await waitFor(`replica ${replicaPort} to sync with primary ${primaryPort}`, async () => {
    const replica = await info(replicaPort, 'replication');
    if (replica.role !== 'slave' || Number(replica.master_port) !== primaryPort || replica.master_link_status !== 'up') return false;
    const primary = await info(primaryPort, 'replication');
    return primary.role === 'master' && Object.entries(primary).some(([field, value]) => /^slave\d+$/.test(field) && value.includes(`port=${replicaPort},`) && value.includes('state=online'));
  }, { timeoutMs });
}

/**
 * Waits until every sentinel names `primaryPort` as the primary, knows the other sentinels, and (when
 * `replicaPort` is given) knows that replica as up.
 */
async function waitSentinelsAgree(sentinelPorts, primaryPort, replicaPort, { timeoutMs = 20_000 } = {}) {
  await waitFor(`sentinels ${sentinelPorts.join(', ')} to agree on primary ${primaryPort}${replicaPort ? ` and replica ${replicaPort}` : ''}`, async () => {
    for (const sentinel of sentinelPorts) {
      const master = await sentinelMaster(sentinel);
      if (Number(master.port) !== primaryPort || master.flags !== 'master') return false;
      if (Number(master['num-other-sentinels']) !== sentinelPorts.length - 1) return false;
      if (replicaPort) {
        const replicas = await command(sentinel, ['SENTINEL', 'REPLICAS', SENTINEL_NAME]);
        const known = replicas.map((flat) => Object.fromEntries(flat.flatMap((value, i) => (i % 2 === 0 ? [[value, flat[i + 1]]] : []))));
        if (!known.some((replica) => Number(replica.port) === replicaPort && replica.flags === 'slave' && replica['master-link-status'] === 'ok')) return false;
      }
    }
    return true;
  }, { timeoutMs });
}

/**
 * Starts a data node of a Sentinel set in `dir`: on `port` when given (a restart), else a free one; a replica of
 * `replicaOf` when given. Resolves once it accepts connections (not waiting for a replica's sync).
 */
function startDataNode({ dir, mode, port, replicaOf }) {
  return startServer({
    dir,
    name: replicaOf === undefined ? 'primary' : 'replica',
    mode,
    ...(port === undefined ? {} : { ports: [port] }),
    extraArgs: () => (replicaOf === undefined ? [] : ['--replicaof', HOST, String(replicaOf)]),
  });
}

/**
 * Starts a primary, a replica of it (in sync), and three sentinels monitoring it (quorum 2), and waits until the
 * sentinels know the replica and each other.
 */
async function startSentinelSet({ mode = 'watched', dir, downAfterMs = 1_000, failoverTimeoutMs = 5_000 } = {}) {
  const ownDir = dir === undefined;
  const base = ownDir ? makeTempDir('gsg-sentinel-') : dir;
  mkdirSync(base, { recursive: true });
  const pids = [];
  try {
    const primary = await startDataNode({ dir: base, mode });
    pids.push(primary.pid);
    const replica = await startDataNode({ dir: base, mode, replicaOf: primary.port });
    pids.push(replica.pid);
    await waitReplicaInSync(primary.port, replica.port);
    const sentinelResults = await Promise.allSettled([0, 1, 2].map(async (i) => {
      const sentinelDir = join(base, `sentinel-${i}`);
      mkdirSync(sentinelDir, { recursive: true });
      const { ports, pid, exited } = await launchOnFreePorts(1, async ([port]) => {
        const conf = join(sentinelDir, 'sentinel.conf');
        writeFileSync(conf, sentinelConfig(sentinelDir, port, primary.port, { downAfterMs, failoverTimeoutMs }));
        return launch({ args: [conf, '--sentinel'], port, logfile: join(sentinelDir, `sentinel-${port}.log`), mode });
      });
      pids.push(pid);
      return { host: HOST, port: ports[0], pid, exited, logfile: join(sentinelDir, `sentinel-${ports[0]}.log`) };
    }));
    const failedSentinel = sentinelResults.find((result) => result.status === 'rejected');
    if (failedSentinel) throw failedSentinel.reason;
    const sentinels = sentinelResults.map((result) => result.value);
    await waitSentinelsAgree(sentinels.map((s) => s.port), primary.port, replica.port);
    return {
      dir: base,
      ownDir,
      name: SENTINEL_NAME,
      primary: { host: HOST, port: primary.port, pid: primary.pid, logfile: primary.logfile, exited: primary.exited },
      replica: { host: HOST, port: replica.port, pid: replica.pid, logfile: replica.logfile, exited: replica.exited },
      sentinels,
    };
  } catch (error) {
    await stopPids(pids).catch(() => undefined);
    if (ownDir) removeDir(base);
    throw error;
  }
}

/**
 * Makes the node on `port` a replica of `primaryPort` as a sentinel does (sentinelSendSlaveOf in Redis 7.0):
 * MULTI, REPLICAOF, CLIENT KILL TYPE normal, CLIENT KILL TYPE pubsub, EXEC on one connection (not killed itself:
 * SKIPME is the default).
 */
function rejoinAsReplica(port, primaryPort) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    const commands = [['MULTI'], ['REPLICAOF', HOST, primaryPort], ['CLIENT', 'KILL', 'TYPE', 'normal'], ['CLIENT', 'KILL', 'TYPE', 'pubsub'], ['EXEC']];
    let buffer = Buffer.alloc(0);
    let replies = 0;
    const timer = setTimeout(() => done(new Error(`127.0.0.1:${port} did not answer REPLICAOF within 2000 ms`)), 2_000);
    const done = (error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.once('error', done);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (let reply = parse(buffer, 0); reply; reply = parse(buffer, 0)) {
        buffer = buffer.subarray(reply.next);
        if (reply.value instanceof RespError) return done(new Error(`127.0.0.1:${port} rejoin as replica: ${reply.value.message}`));
        if (++replies === commands.length) {
          const failed = reply.value.find((value) => value instanceof RespError);
          return done(failed ? new Error(`127.0.0.1:${port} rejoin as replica: ${failed.message}`) : undefined);
        }
      }
    });
    socket.write(commands.map(encode).join(''));
  });
}

/** Is the node on `port` a primary that takes writes? */
async function isWritablePrimary(port) {
  const replication = await info(port, 'replication');
  if (replication.role !== 'master') return false;
  return (await command(port, ['SET', '__gsg_topology_probe', String(Date.now()), 'PX', '1000'])) === 'OK';
}

module.exports = {
  HOST,
  SENTINEL_NAME,
  command,
  info,
  waitFor,
  freePort,
  makeTempDir,
  removeDir,
  isAlive,
  stopPids,
  startServer,
  startCluster,
  startClusterNode,
  waitClusterOk,
  waitClusterNodeFailed,
  clusterSlotOwner,
  clusterNodeIds,
  beginSlotMigration,
  parseClusterNodes,
  slotMap,
  startSentinelSet,
  startDataNode,
  sentinelMaster,
  sentinelPrimaryPort,
  waitReplicaInSync,
  waitSentinelsAgree,
  isWritablePrimary,
  rejoinAsReplica,
};
