import { APP, doctor, useFake } from './support';

describe('genauth-session-guard doctor: a working set-up', () => {
  const current = useFake();

  it.each(['token', 'signature'] as const)('%s scheme: every check passes, exit 0, with marks and times', async (auth) => {
    const { fake, env } = current();
    const token = await fake.login('alice', APP);
    const run = await doctor(['doctor', '--auth', auth, '--app-id', APP, '--token', token], env, [fake.accessKeySecret, token]);
    expect(run.code).toBe(0);
    expect(run.err).toBe('');
    for (const title of ['configuration', 'host answers over verified TLS', `credentials accepted (${auth} scheme)`, 'issuer discovery',
      'signing keys (JWKS) load', 'token verified as the guard would', 'live session check']) {
      expect(run.check(title).mark).toBe('✓');
    }
    expect(run.out).toMatch(/✓ live session check \(\d+ ms\)/);
    expect(run.check('token verified').detail).toMatch(/^valid: sub "alice", aud "app-1", expires .*in 60 min$/);
    expect(run.check('live session check').detail).toBe('user "alice" holds a live session in app "app-1"');
    expect(run.out).toMatch(/All checks passed\.\n$/);
  });

  it('--json: one document with every check, ok true', async () => {
    const { fake, env } = current();
    await fake.login('bob', APP);
    const run = await doctor(['doctor', '--json', '--app-id', APP, '--user-id', 'bob'], env, [fake.accessKeySecret]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.out) as { ok: boolean; checks: Array<{ id: string; status: string; ms: number; detail: string }> };
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => [check.id, check.status])).toEqual([
      ['configuration', 'pass'], ['host', 'pass'], ['credentials', 'pass'], ['discovery', 'pass'], ['jwks', 'pass'],
      ['token', 'skip'], ['session', 'pass'],
    ]);
    expect(report.checks.every((check) => Number.isInteger(check.ms) && check.ms >= 0)).toBe(true);
  });

  it('flags win over the environment; without an issuer the key checks are skipped (still exit 0)', async () => {
    const { fake, env } = current();
    const run = await doctor(['doctor', '--host', fake.host, '--access-key-id', fake.accessKeyId, '--access-key-secret', fake.accessKeySecret],
      { GENAUTH_HOST: 'https://wrong.invalid', GENAUTH_ACCESS_KEY_ID: 'nope', GENAUTH_ACCESS_KEY_SECRET: 'nope-nope' }, [fake.accessKeySecret]);
    expect(run.code).toBe(0);
    expect(run.check('issuer discovery')).toEqual({ mark: '-', detail: expect.stringContaining('no --issuer or GENAUTH_ISSUER') });
    expect(run.check('live session check').mark).toBe('-');
    expect(run.check('configuration').detail).toContain(`host ${env.GENAUTH_HOST}`);
  });

  it('GENAUTH_AUTH and GENAUTH_APP_ID are read; GENAUTH_TOKEN keeps the token off the command line', async () => {
    const { fake, env } = current();
    const token = await fake.login('alice', APP);
    const run = await doctor(['doctor'], { ...env, GENAUTH_AUTH: 'signature', GENAUTH_APP_ID: APP, GENAUTH_TOKEN: token }, [token, fake.accessKeySecret]);
    expect(run.code).toBe(0);
    expect(run.check('credentials accepted (signature scheme)').mark).toBe('✓');
    expect(run.check('live session check').detail).toContain('"alice"');
  });

  it('help and usage mistakes', async () => {
    expect((await doctor(['doctor', '--help'], {})).code).toBe(0);
    expect((await doctor(['--help'], {})).code).toBe(0);
    expect((await doctor([], {})).code).toBe(2);
    const unknown = await doctor(['doctor', '--frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("Unknown option '--frobnicate'");
    expect(unknown.err).not.toContain('Did you mean');
  });

  it('an unknown flag names the flag meant, never its value; exit 2', async () => {
    const typo = await doctor(['doctor', '--tiemout', '100'], {});
    expect(typo.code).toBe(2);
    expect(typo.err).toContain("genauth-session-guard doctor: Unknown option '--tiemout'. Did you mean '--timeout'?");
    const secret = 'sk-pasted-0123456789';
    const inline = await doctor(['doctor', `--acces-key-secret=${secret}`], {}, [secret]);
    expect(inline.code).toBe(2);
    expect(inline.err).toContain("Unknown option '--acces-key-secret'. Did you mean '--access-key-secret'?");
    expect((await doctor(['doctor', '--app_id', 'app-1'], {})).err).toContain("Unknown option '--app_id'. Did you mean '--app-id'?");
    expect((await doctor(['doctor', '--auth', 'password'], {})).err).toContain("--auth must be 'token' or 'signature'");
    expect((await doctor(['doctor', '--timeout', 'soon'], {})).code).toBe(2);
    // a stray word (a secret pasted in the wrong place) is not echoed
    const stray = await doctor(['doctor', 's3cr3t-pasted'], {}, ['s3cr3t-pasted']);
    expect(stray.code).toBe(2);
    expect((await doctor(['s3cr3t-pasted'], {}, ['s3cr3t-pasted'])).code).toBe(2);
  });
});
