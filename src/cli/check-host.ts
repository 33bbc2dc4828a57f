import type { StepOutcome } from './doctor-report';

/** Node's codes of a certificate that could not be verified. */
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|HOSTNAME_MISMATCH|ALTNAME/;

/** The code deepest in a fetch error's causes (`ECONNREFUSED`, `CERT_HAS_EXPIRED`, ...). */
export function networkCode(error: unknown): string | undefined {
  let code: string | undefined;
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const found = (current as { code?: unknown }).code;
    if (typeof found === 'string') code = found;
  }
  return code;
}

/**
 * Whether the host answers at all, over TLS whose certificate Node verifies (plain http only on loopback, as the
 * guard allows). Any HTTP status counts as an answer.
 */
export async function checkHost(host: string, timeoutMs: number, tlsUnverified: boolean): Promise<StepOutcome> {
  const https = host.startsWith('https:');
  if (https && tlsUnverified) {
    return {
      status: 'fail',
      detail: 'NODE_TLS_REJECT_UNAUTHORIZED=0 turns certificate verification off for the whole process: unset it ' +
        '(give a private CA with NODE_EXTRA_CA_CERTS instead)',
    };
  }
  try {
    const response = await fetch(`${host}/`, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel().catch(() => undefined);
    const transport = https ? 'TLS, certificate verified' : 'plain http (accepted on loopback only)';
    return { status: 'pass', detail: `${host} answered (HTTP ${response.status}) over ${transport}` };
  } catch (error) {
    const name = (error as { name?: unknown }).name;
    if (name === 'TimeoutError') return { status: 'fail', detail: `${host} did not answer within ${timeoutMs} ms` };
    const code = networkCode(error);
    const cause = (error as { cause?: unknown }).cause;
    if (code !== undefined && TLS_CODES.test(code)) {
      return {
        status: 'fail',
        detail: `the TLS certificate of ${host} could not be verified (${code}); for a private CA, set NODE_EXTRA_CA_CERTS`,
      };
    }
    return { status: 'fail', detail: `${host} could not be reached (${code ?? (typeof (cause as { message?: unknown } | undefined)?.message === 'string' ? (cause as Error).message.slice(0, 100) : 'network error')}): check GENAUTH_HOST and the network` };
  }
}
