/**
 * `npx tsx examples/multi-instance/run.ts`: two replicas of `app.ts` in their own processes, one Redis, the fake
 * GenAuth. A user kicked and revoked on replica 1 is refused by replica 2 at once, though both cache answers for
 * 30 s. Uses REDIS_URL when set, else starts `redis-server` on a free port. Exits 1 if any step goes otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createFakeGenAuth } from '../../src/testing';

const APP_ID = 'admin-app';
const children: ChildProcess[] = [];
let failed = false;

function check(label: string, ok: boolean) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}`);
  if (!ok) failed = true;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a child and resolves with the first line of its output that matches. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<RegExpMatchArray> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready:\n${output}`)));
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = output.match(ready);
      if (match) resolve(match);
    });
  });
}

async function main() {
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const port = await freePort();
    await start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {}, /Ready to accept connections/);
    redisUrl = `redis://127.0.0.1:${port}`;
  }
  const fake = await createFakeGenAuth();
  try {
    const env = {
      REDIS_URL: redisUrl,
      GENAUTH_HOST: fake.host,
      GENAUTH_ACCESS_KEY_ID: fake.accessKeyId,
      GENAUTH_ACCESS_KEY_SECRET: fake.accessKeySecret,
      GENAUTH_ISSUER: fake.issuer,
      APP_ID,
    };
    const app = fileURLToPath(new URL('./app.ts', import.meta.url));
    const replicas = await Promise.all(['replica-1', 'replica-2'].map(async (name) => {
      const [, port] = await start(process.execPath, ['--import', 'tsx', app], { ...env, REPLICA: name }, /listening on (\d+)/);
      return `http://127.0.0.1:${port}`;
    }));
    const [one, two] = replicas as [string, string];
    const alice = { authorization: `Bearer ${await fake.login('alice', APP_ID)}` };
    const admin = { authorization: `Bearer ${await fake.login('admin', APP_ID)}` };

    // Wait until both replicas are connected to Redis and subscribed.
    for (const url of replicas) {
      while (((await (await fetch(`${url}/stats`, { headers: admin })).json()) as { store: string }).store !== 'up') {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const before = fake.calls.check;

    const first = await fetch(`${one}/admin`, { headers: alice });
    const second = await fetch(`${two}/admin`, { headers: alice });
    const sources = [((await first.json()) as any).session.source, ((await second.json()) as any).session.source];
    console.log(`alice on replica 1: ${first.status} (${sources[0]}), on replica 2: ${second.status} (${sources[1]})`);
    check('both replicas let alice in, and GenAuth was asked about her once', first.status === 200 && second.status === 200 && fake.calls.check - before === 1);

    fake.kick('alice'); // the admin ends her session at GenAuth...
    const revoke = await fetch(`${one}/sessions/alice/revoke`, { method: 'POST', headers: admin }); // ...and tells replica 1
    const revoked = performance.now();
    console.log('revoke on replica 1:', revoke.status, await revoke.json());
    const after = await fetch(`${two}/admin`, { headers: alice });
    const elapsed = performance.now() - revoked;
    console.log(`alice on replica 2 right after: ${after.status} (that request answered ${elapsed.toFixed(1)} ms after the revoke did)`);
    check('replica 2 refuses alice at once, though its own cached answer had 30 s to go', after.status === 401);
  } finally {
    for (const child of children.reverse()) child.kill('SIGTERM');
    await fake.close();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  for (const child of children) child.kill('SIGTERM');
  process.exit(1);
});
