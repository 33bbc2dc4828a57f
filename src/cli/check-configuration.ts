import { isTrustedTransport, normalizeHost } from '../client/host';
import type { DoctorOptions } from './doctor-options';
import type { StepOutcome } from './doctor-report';

/** What the later checks may rely on. */
export interface Configuration {
  /** The normalised host, when it is valid. */
  host?: string;
  /** Both halves of the access key are set. */
  accessKey: boolean;
  /** The issuer, when given and valid. */
  issuer?: string;
}

/** Checks the values themselves (no network): a valid host, both halves of the access key, a usable issuer. */
export function checkConfiguration(options: DoctorOptions): StepOutcome<Configuration> {
  const problems: string[] = [];
  const found: string[] = [];
  const value: Configuration = { accessKey: false };
  try {
    value.host = normalizeHost(options.host);
    found.push(`host ${value.host}`);
  } catch (error) {
    problems.push(`${(error as Error).message.replace(/^genauth-session-guard: /, '')}`);
  }
  if (options.accessKeyId === undefined) problems.push('GENAUTH_ACCESS_KEY_ID (or --access-key-id) is not set');
  else found.push(`access key id ${options.accessKeyId}`);
  if (options.accessKeySecret === undefined) problems.push('GENAUTH_ACCESS_KEY_SECRET (or --access-key-secret) is not set');
  value.accessKey = options.accessKeyId !== undefined && options.accessKeySecret !== undefined;
  found.push(`auth ${options.auth}`);
  if (options.issuer !== undefined) {
    const problem = issuerProblem(options.issuer);
    if (problem === undefined) {
      value.issuer = options.issuer;
      found.push(`issuer ${options.issuer}`);
    } else {
      problems.push(problem);
    }
  }
  if (options.appId !== undefined) found.push(`app id ${options.appId}`);
  return problems.length === 0
    ? { status: 'pass', detail: found.join(', '), value }
    : { status: 'fail', detail: problems.join('; '), value };
}

function issuerProblem(issuer: string): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return "the issuer is not a URL; expected e.g. 'https://<app domain>/oidc'";
  }
  if (!isTrustedTransport(url)) return 'the issuer must use https (plain http is accepted for loopback hosts only)';
  if (url.username || url.password) return 'the issuer must not carry credentials';
  return undefined;
}
