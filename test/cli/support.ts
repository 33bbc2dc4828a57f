import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { runCli } from '../../src/cli/run-cli';

export const APP = 'app-1';

export interface DoctorRun {
  code: number;
  out: string;
  err: string;
  /** The line of a check and the detail line below it, e.g. `lines('credentials accepted')`. */
  check(title: string): { mark: string; detail: string };
}

/** Runs `genauth-session-guard <argv>` in-process and checks that no secret of `secrets` was printed. */
export async function doctor(argv: string[], env: Record<string, string | undefined>, secrets: string[] = []): Promise<DoctorRun> {
  let out = '';
  let err = '';
  const code = await runCli(argv, env, { out: (text) => void (out += text), err: (text) => void (err += text) });
  for (const secret of secrets) {
    expect(out).not.toContain(secret);
    expect(err).not.toContain(secret);
  }
  const lines = out.split('\n');
  return {
    code,
    out,
    err,
    check(title) {
      const index = lines.findIndex((line) => line.slice(2).startsWith(title));
      if (index < 0) throw new Error(`no check "${title}" in:\n${out}`);
      return { mark: lines[index]!.slice(0, 1), detail: (lines[index + 1] ?? '').trim() };
    },
  };
}

/** A fresh fake GenAuth per test, and the environment that points doctor at it. */
export function useFake(): () => { fake: FakeGenAuth; env: Record<string, string> } {
  let fake: FakeGenAuth | undefined;
  beforeEach(async () => {
    fake = await createFakeGenAuth();
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  return () => {
    if (!fake) throw new Error('only inside a test');
    return {
      fake,
      env: {
        GENAUTH_HOST: fake.host,
        GENAUTH_ACCESS_KEY_ID: fake.accessKeyId,
        GENAUTH_ACCESS_KEY_SECRET: fake.accessKeySecret,
        GENAUTH_ISSUER: fake.issuer,
      },
    };
  };
}
