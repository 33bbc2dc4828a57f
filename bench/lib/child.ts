/** Starting and stopping the processes under test (each server in its own Node process, run through tsx). */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const REPO_ROOT = path.dirname(BENCH_DIR);

const live = new Set<ChildProcess>();

/** CPU seconds (user + system) the children used, read from /proc just before each is stopped (Linux only). */
export const childCpu = { seconds: 0, measured: true };

export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Kills whatever is still running when the runner exits (normally nothing: every child is stopped first). */
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface StartOptions {
  /** Path under bench/, e.g. `servers/guard-jwt.ts`. */
  file: string;
  /** Handed to the child as BENCH_CONFIG (JSON). */
  config: unknown;
  /** Extra Node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** Extra environment. */
  env?: Record<string, string>;
  /** How long to wait for the first IPC message. */
  readyTimeoutMs?: number;
  /** A command the server runs under, node and its flags following its own (bench:instructions: valgrind). */
  wrapper?: { command: string; args: string[] };
}

export interface Child {
  process: ChildProcess;
  /** The first message of `type` the child sends. */
  waitFor<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  /** Asks the child to exit (`stop` over IPC) and waits for it; kills it after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export function startChild(options: StartOptions): Child {
  const nodeArgs = [...(options.nodeFlags ?? []), '--import', 'tsx'];
  const { wrapper } = options;
  const child = fork(path.join(BENCH_DIR, options.file), [], {
    cwd: REPO_ROOT,
    ...(wrapper ? { execPath: wrapper.command, execArgv: [...wrapper.args, process.execPath, ...nodeArgs] } : { execArgv: nodeArgs }),
    env: { ...process.env, ...options.env, BENCH_CONFIG: JSON.stringify(options.config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? (signal ? -1 : null));
    });
  });
  return {
    process: child,
    waitFor<T>(type: string, timeoutMs = options.readyTimeoutMs ?? 30_000) {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`${options.file}: no '${type}' message within ${timeoutMs} ms`)), timeoutMs);
        const onMessage = (message: { type?: string }) => {
          if (message?.type === type) finish(undefined, message as T);
        };
        const onExit = (code: number | null) => finish(new Error(`${options.file} exited (code ${code}) before sending '${type}'`));
        function finish(error?: Error, value?: T) {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolve(value as T);
        }
        child.on('message', onMessage);
        child.once('exit', onExit);
      });
    },
    async stop(timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      const cpu = cpuSecondsOf(child.pid);
      if (cpu === undefined) childCpu.measured = false;
      else childCpu.seconds += cpu;
      if (child.connected) child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface RunningServer extends Child {
  name: string;
  url: string;
  /** CPU seconds the server process has used so far (undefined where /proc is not readable). */
  cpuSeconds(): number | undefined;
}

/** Starts a server child and waits for its `ready` message. */
export async function startServer(name: string, options: StartOptions): Promise<RunningServer> {
  const child = startChild(options);
  try {
    const { port } = await child.waitFor<{ port: number }>('ready');
    return { ...child, name, url: `http://127.0.0.1:${port}`, cpuSeconds: () => cpuSecondsOf(child.process.pid) };
  } catch (error) {
    await child.stop(1_000);
    throw error;
  }
}
