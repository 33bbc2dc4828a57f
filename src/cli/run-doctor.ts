import { checkConfiguration } from './check-configuration';
import { checkCredentials, checkSession, createDoctorClient } from './check-genauth';
import { checkHost } from './check-host';
import { checkDiscovery, checkJwks } from './check-keys';
import { checkToken } from './check-token';
import { DOCTOR_USAGE, parseDoctorOptions, UsageError } from './doctor-options';
import { formatJson, formatText, redact, type CheckResult, type DoctorIo, type StepOutcome } from './doctor-report';

const skip = (detail: string): StepOutcome<never> => ({ status: 'skip', detail });

/**
 * `genauth-session-guard doctor`: checks step by step that GenAuth can be used as the guard would use it, and
 * prints each step with a mark and its time. Resolves to the exit code: 0 when no check failed, 1 when one did, 2
 * on a usage mistake. Never prints a secret or a token. In-process, for tests: `env` and `io` are given.
 */
export async function runDoctor(argv: string[], env: Record<string, string | undefined>, io: DoctorIo): Promise<number> {
  let options: ReturnType<typeof parseDoctorOptions>;
  try {
    options = parseDoctorOptions(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`genauth-session-guard doctor: ${error.message}\n\n${DOCTOR_USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    io.out(`${DOCTOR_USAGE}\n`);
    return 0;
  }
  const secrets = [options.accessKeySecret, options.token];
  const checks: CheckResult[] = [];
  const step = async <T>(id: CheckResult['id'], title: string, run: () => StepOutcome<T> | Promise<StepOutcome<T>>): Promise<StepOutcome<T>> => {
    const started = performance.now();
    const outcome = await run();
    checks.push({ id, title, status: outcome.status, ms: performance.now() - started, detail: outcome.detail });
    return outcome;
  };

  const { value: config } = await step('configuration', 'configuration', () => checkConfiguration(options));
  const { host, issuer, accessKey } = config!;
  const auth = options.auth;

  const reached = await step('host', 'host answers over verified TLS', () =>
    host === undefined ? skip('no valid host') : checkHost(host, options.timeoutMs, options.tlsUnverified));

  const client = host !== undefined && accessKey
    ? createDoctorClient({ host, accessKeyId: options.accessKeyId!, accessKeySecret: options.accessKeySecret!, auth, timeoutMs: options.timeoutMs })
    : undefined;
  const credentials = await step('credentials', `credentials accepted (${auth} scheme)`, () => {
    if (client === undefined) return skip('the access key or the host is missing');
    if (reached.status !== 'pass') return skip('the host did not answer');
    return checkCredentials(client, auth, options.appId);
  });

  const discovery = await step('discovery', 'issuer discovery', () =>
    issuer === undefined
      ? skip('no --issuer or GENAUTH_ISSUER: the signing keys of bearerJwt({ issuer }) are not checked')
      : checkDiscovery(issuer, options.timeoutMs));
  const keys = await step('jwks', 'signing keys (JWKS) load', () =>
    discovery.value === undefined ? skip('no jwks_uri from discovery') : checkJwks(discovery.value, options.timeoutMs));

  const token = await step('token', 'token verified as the guard would', () => {
    if (options.token === undefined) return skip('no --token or GENAUTH_TOKEN');
    if (issuer === undefined || discovery.value === undefined || keys.status !== 'pass') return skip('needs the issuer\'s signing keys');
    return checkToken(options.token, { issuer, jwksUri: discovery.value, audience: options.audience, appId: options.appId });
  });

  const userId = options.userId ?? token.value?.userId;
  await step('session', 'live session check', () => {
    if (options.appId === undefined || userId === undefined) return skip('give --app-id and --user-id (or a valid --token) to check a live session');
    if (client === undefined || credentials.status !== 'pass') return skip('the credentials were not accepted');
    return checkSession(client, options.appId, userId);
  });
  client?.close();

  io.out(redact(options.json ? formatJson(checks) : formatText(checks), secrets));
  return checks.some((check) => check.status === 'fail') ? 1 : 0;
}
