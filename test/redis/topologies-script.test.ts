import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '../../scripts/redis-topologies-core.cjs';
import { sharedCluster, sharedSentinelSet } from './topologies';

// scripts/redis-topologies.mjs, as .ci/run uses it: start, the variables it writes, stop.

const SCRIPT = join(__dirname, '../../scripts/redis-topologies.mjs');

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** The `export NAME=value` lines of <state-dir>/env. */
function readEnv(stateDir: string): Record<string, string> {
  const lines = readFileSync(join(stateDir, 'env'), 'utf8').trim().split('\n');
  return Object.fromEntries(lines.map((line) => /^export (\w+)=(.*)$/.exec(line)!.slice(1, 3) as [string, string]));
}

describe('scripts/redis-topologies.mjs', () => {
  const base = mkdtempSync(join(tmpdir(), 'gsg-script-test-'));
  const stateDir = join(base, 'state');
  const saved = { ...process.env };
  afterAll(async () => {
    await run('stop', stateDir);
    rmSync(base, { recursive: true, force: true });
    for (const name of ['GSG_REDIS_CLUSTER', 'GSG_REDIS_SENTINELS', 'GSG_REDIS_SENTINEL_NAME']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('start: a healthy cluster and Sentinel set, named in <state-dir>/env, that the shared helpers use; stop: all gone', async () => {
    const started = await run('start', stateDir);
    expect(started).toMatchObject({ code: 0, stderr: '' });
    const env = readEnv(stateDir);
    expect(Object.keys(env).sort()).toEqual(['GSG_REDIS_CLUSTER', 'GSG_REDIS_SENTINELS', 'GSG_REDIS_SENTINEL_NAME']);
    expect(env.GSG_REDIS_CLUSTER).toMatch(/^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
    expect(env.GSG_REDIS_SENTINELS).toMatch(/^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
    expect(env.GSG_REDIS_SENTINEL_NAME).toBe('mymaster');
    expect(started.stdout).toContain(readFileSync(join(stateDir, 'env'), 'utf8'));

    Object.assign(process.env, env);
    const cluster = await sharedCluster();
    expect(cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(',')).toBe(env.GSG_REDIS_CLUSTER);
    const set = await sharedSentinelSet();
    expect(set.sentinels.map(({ host, port }) => `${host}:${port}`).join(',')).toBe(env.GSG_REDIS_SENTINELS);
    const primary = await set.currentPrimary();
    for (const { port } of set.sentinels) expect(Number((await core.sentinelMaster(port))['num-slaves'])).toBe(1);

    // A second start on the same directory is refused (its processes would be lost to `stop`).
    expect(await run('start', stateDir)).toMatchObject({ code: 1, stderr: expect.stringContaining(`${stateDir} is not empty`) });

    const pids = readFileSync(join(stateDir, 'pids'), 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(8);
    expect(await run('stop', stateDir)).toMatchObject({ code: 0, stdout: 'stopped 8 redis processes\n' });
    expect(pids.filter((pid) => core.isAlive(pid))).toEqual([]);
    expect(existsSync(stateDir)).toBe(false);
    for (const port of [...cluster.nodes.map(({ port }) => port), primary.port]) {
      await expect(core.command(port, ['PING'])).rejects.toThrow();
    }
    // Idempotent, for the EXIT trap.
    expect(await run('stop', stateDir)).toMatchObject({ code: 0, stdout: `nothing to stop in ${stateDir}\n` });
  });

  it('stop leaves a directory with files of someone else; a wrong command line is exit code 2 with the usage', async () => {
    const foreign = join(base, 'foreign');
    rmSync(foreign, { recursive: true, force: true });
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'keep me');
    expect(await run('stop', foreign)).toMatchObject({ code: 0 });
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('keep me');

    for (const args of [[], ['start'], ['restart', foreign]]) {
      expect(await run(...args)).toMatchObject({ code: 2, stderr: 'usage: node scripts/redis-topologies.mjs start|stop <state-dir>\n' });
    }
  });
});
