import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createFakeGenAuth, type Fault, type FakeGenAuth } from '../../src/testing';

/**
 * A job with nothing else pending (an ES module whose top-level await is a `checkSession`) must wait for the answer:
 * a retry's wait is part of the call and holds the process, as the request it follows did. Before, the backoff timer
 * was unref'd, and Node exited during it with the top-level await unsettled (exit code 13, nothing printed).
 *
 * The fake GenAuth runs here, in Jest: in the child its server alone would keep the process alive.
 */
describe('a call under way keeps the process alive until it settles', () => {
  let fake: FakeGenAuth;
  let dir: string;
  let script: string;

  beforeAll(async () => {
    fake = await createFakeGenAuth();
    await fake.login('alice', 'app-1');
    dir = mkdtempSync(join(tmpdir(), 'gsg-alive-'));
    script = join(dir, 'job.mts');
    writeFileSync(script, `
import { createSessionGuard, header } from ${JSON.stringify(resolve(__dirname, '../../src/index.ts'))};
const [host, accessKeyId, accessKeySecret] = process.argv.slice(2);
const guard = createSessionGuard({ host, accessKeyId, accessKeySecret, identity: header('x-user-id'), retries: 2, circuitBreaker: false });
const answer = await guard.checkSession('alice', 'app-1');
console.log(JSON.stringify({ active: answer.active, source: answer.source }));
`);
  });

  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function runJob(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', script, fake.host, fake.accessKeyId, fake.accessKeySecret], {
      cwd: resolve(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Far beyond what the job takes on a loaded machine (its retries wait at most a few seconds).
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) => child.on('exit', (c, s) => done([c, s])));
    clearTimeout(killer);
    return { code, signal, stdout, stderr };
  }

  it.each<[string, Fault]>([
    ['an HTTP 502 (a backoff of 50-100 ms)', { kind: 'http-status', status: 502 }],
    ['an HTTP 429 with Retry-After: 1 (a wait of 1 s)', { kind: 'throttle', retryAfterSec: 1 }],
    ['a connection reset', { kind: 'reset' }],
  ])('after %s, the job prints the retried answer and exits 0', async (_label, fault) => {
    const before = fake.calls.check;
    fake.fault(fault, { times: 1 });
    expect(await runJob()).toEqual({ code: 0, signal: null, stdout: '{"active":true,"source":"upstream"}\n', stderr: '' });
    expect(fake.calls.check - before).toBe(2);
  }, 60_000);
});
