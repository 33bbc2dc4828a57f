import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type AddressInfo } from 'node:net';

/**
 * The redis-server binary the tests start. Missing, the tests fail (they do not skip): install it with
 * `apt-get install -y redis-server`, or point REDIS_SERVER_BIN at one.
 */
export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';

/** A redis-server of a test's own, on 127.0.0.1 and a free port, with no persistence. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops it (SIGTERM, then waits for the exit). The port stays reserved for `start`. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Freezes (SIGSTOP) and thaws (SIGCONT) it: connections stay open, nothing is answered meanwhile. */
  pause(): void;
  resume(): void;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function launch(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(REDIS_SERVER_BIN, [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--save', '',
      '--appendonly', 'no',
      '--protected-mode', 'no',
      '--loglevel', 'warning',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const fail = (error: Error) => {
      clearInterval(poll);
      reject(error);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      fail(error.code === 'ENOENT'
        ? new Error(`redis-server not found (${REDIS_SERVER_BIN}): the Redis tests need a real Redis. Install it with \`apt-get update && apt-get install -y redis-server\`, or set REDIS_SERVER_BIN.`)
        : error);
    });
    child.once('exit', (code, signal) => fail(new Error(`redis-server exited (${code ?? signal}) before accepting connections:\n${output}`)));
    const started = Date.now();
    const poll = setInterval(async () => {
      if (await canConnect(port)) {
        clearInterval(poll);
        child.removeAllListeners('exit');
        resolve(child);
      } else if (Date.now() - started > 30_000) {
        child.kill('SIGKILL');
        fail(new Error(`redis-server did not accept connections on port ${port} within 30 s:\n${output}`));
      }
    }, 20);
  });
}

/** Starts a redis-server on a free port (retrying if another process took the port meanwhile). */
export async function startRedis(): Promise<RedisServer> {
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      child = await launch(port);
      break;
    } catch (error) {
      if (attempt >= 3 || (error as Error).message.startsWith('redis-server not found')) throw error;
    }
  }
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGCONT');
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    async start() {
      if (child) return;
      child = await launch(port);
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
  };
}
