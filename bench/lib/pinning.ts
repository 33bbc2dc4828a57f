/**
 * CPU pinning (Linux, `taskset`): the server under test on core 0, the runner (load generator and fake GenAuth) on
 * the other cores. On a 2-core machine, unpinned, the scheduler moves the server, autocannon and their helper threads
 * across both cores, and a run's CPU per request varied by ±25 % between rounds of the same server; pinned, by a few
 * per cent. `--no-pin` turns it off; it is off without `taskset` or with fewer than 2 cores.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface Pinning {
  /** Whether children and the runner are pinned. */
  enabled: boolean;
  /** Why not, when not. */
  reason?: string;
  serverCores: string;
  runnerCores: string;
}

function taskset(args: string[]): boolean {
  try {
    execFileSync('taskset', args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Decides and pins the runner itself (all its threads) to the runner's cores. */
export function setUpPinning(wanted: boolean): Pinning {
  const cores = os.cpus().length;
  const serverCores = '0';
  const runnerCores = cores > 2 ? `1-${cores - 1}` : '1';
  if (!wanted) return { enabled: false, reason: '--no-pin', serverCores, runnerCores };
  if (process.platform !== 'linux') return { enabled: false, reason: 'not Linux', serverCores, runnerCores };
  if (cores < 2) return { enabled: false, reason: 'fewer than 2 cores', serverCores, runnerCores };
  if (!taskset(['-a', '-p', '-c', runnerCores, String(process.pid)])) {
    return { enabled: false, reason: '`taskset` not available', serverCores, runnerCores };
  }
  return { enabled: true, serverCores, runnerCores };
}

/** Pins a child (all its threads, and those it starts later) to the server's cores. */
export function pinServer(pinning: Pinning, pid: number | undefined): void {
  if (!pinning.enabled || pid === undefined) return;
  taskset(['-a', '-p', '-c', pinning.serverCores, String(pid)]);
}
