import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { startRedis, type RedisServer } from './redis-server';

/**
 * docs/replicas.md: an ioredis client made with `lazyConnect: true` (as the examples make it) lets the process exit
 * after `guard.close()`; one made without it connects at once and keeps the process alive (the store never closes
 * the client it was given): the newcomer's stumble of issue 20, pinned both ways.
 */
describe('ioredis and process exit after guard.close()', () => {
  let fake: FakeGenAuth;
  let redis: RedisServer;
  let dir: string;

  beforeAll(async () => {
    fake = await createFakeGenAuth();
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'gsg-ioredis-exit-'));
  });
  afterAll(async () => {
    await fake.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs a job that uses a guard with an ioredis client, closes the guard and ends; resolves how it ended. */
  function runJob(lazyConnect: boolean): Promise<'exited' | 'still running' | string> {
    const script = join(dir, `job-${lazyConnect}.mts`);
    writeFileSync(script, `
import { Redis } from ${JSON.stringify(require.resolve('ioredis'))};
import { createSessionGuard, header } from ${JSON.stringify(resolve(__dirname, '../../src/index.ts'))};
import { redisStore } from ${JSON.stringify(resolve(__dirname, '../../src/redis.ts'))};
const [host, accessKeyId, accessKeySecret, url] = process.argv.slice(2);
const guard = createSessionGuard({
  host, accessKeyId, accessKeySecret, identity: header('x-user-id'), retries: 0,
  store: redisStore({ client: new Redis(url, { lazyConnect: ${lazyConnect} }) }),
});
await guard.checkSession('alice', 'app-1');
await guard.close();
console.log('closed');
`);
    const child = spawn(process.execPath, ['--import', 'tsx', script, fake.host, fake.accessKeyId, fake.accessKeySecret, redis.url], {
      cwd: resolve(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => void (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (err += chunk.toString()));
    return new Promise((done) => {
      let timer: NodeJS.Timeout | undefined;
      child.once('exit', () => {
        clearTimeout(timer);
        // Only an exit after the job closed the guard counts: a crash is not an exit of interest.
        done(out.includes('closed') ? 'exited' : `crashed: ${err.slice(0, 500)}`);
      });
      // Closed, then given 5 s to exit: an open connection keeps it alive far longer.
      const poll = setInterval(() => {
        if (!out.includes('closed')) return;
        clearInterval(poll);
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          done('still running');
        }, 5_000);
      }, 20);
      child.once('exit', () => clearInterval(poll));
    });
  }

  it('lazyConnect: true (as documented): the process exits', async () => {
    await fake.login('alice', 'app-1');
    await expect(runJob(true)).resolves.toBe('exited');
  });

  it('without lazyConnect the client connects at once and holds the process (why the docs say so)', async () => {
    await expect(runJob(false)).resolves.toBe('still running');
  });
});
