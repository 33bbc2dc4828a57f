/** One step of `doctor`, as printed. */
export interface CheckResult {
  /** Stable id, for `--json` consumers. */
  id: 'configuration' | 'host' | 'credentials' | 'discovery' | 'jwks' | 'token' | 'session';
  title: string;
  status: 'pass' | 'fail' | 'skip';
  /** How long the step took, in ms. */
  ms: number;
  /** What was found, or why it failed or was skipped. */
  detail: string;
}

/** Where `doctor` writes. */
export interface DoctorIo {
  out(text: string): void;
  err(text: string): void;
}

const MARKS = { pass: '✓', fail: '✗', skip: '-' } as const;

/** The human report: one line per step with its mark and time, its detail below. */
export function formatText(checks: CheckResult[]): string {
  const lines = ['genauth-session-guard doctor', ''];
  for (const check of checks) {
    const time = check.status === 'skip' ? '' : ` (${Math.round(check.ms)} ms)`;
    lines.push(`${MARKS[check.status]} ${check.title}${time}`);
    if (check.detail) lines.push(`    ${check.detail}`);
  }
  const failed = checks.filter((check) => check.status === 'fail').length;
  lines.push('', failed === 0 ? 'All checks passed.' : `${failed} check${failed === 1 ? '' : 's'} failed.`, '');
  return lines.join('\n');
}

/** The `--json` report. */
export function formatJson(checks: CheckResult[]): string {
  const ok = checks.every((check) => check.status !== 'fail');
  return `${JSON.stringify({ ok, checks: checks.map((check) => ({ ...check, ms: Math.round(check.ms) })) }, null, 2)}\n`;
}

/**
 * Replaces every occurrence of the secrets in `text`: the checks never put one in a message, and this makes sure
 * of it whatever an upstream library says.
 */
export function redact(text: string, secrets: Array<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result;
}

/** What one check found: its status, its detail, and a value later checks use. */
export interface StepOutcome<T = undefined> {
  status: 'pass' | 'fail' | 'skip';
  detail: string;
  value?: T;
}
