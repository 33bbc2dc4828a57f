/** What the numbers were measured on, and with which code. */
import os from 'node:os';
import { execFileSync } from 'node:child_process';

export interface Machine {
  node: string;
  cpuModel: string;
  cpuCount: number;
  memoryGb: number;
  platform: string;
  date: string;
  commit: string;
  /** Files under src/ that differ from the commit when the run started (other work in progress). */
  dirtySrc: string[];
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
  } catch {
    return '';
  }
}

export function describeMachine(root: string): Machine {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    commit: git(['rev-parse', '--short', 'HEAD'], root) || 'unknown',
    dirtySrc: git(['status', '--porcelain', '--', 'src'], root).split('\n').filter(Boolean).map((line) => line.slice(3)),
  };
}
