import { createHmac, randomBytes } from 'node:crypto';

/** Header names that enter the string to sign: `date` and every `x-authing-*` header. */
function isSignedHeader(name: string): boolean {
  return name === 'date' || name.startsWith('x-authing-');
}

function canonicalValue(value: string): string {
  return value.replace(/[\t\n\r\f]/g, ' ').trim();
}

function canonicalParam(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/**
 * The string to sign of GenAuth's HMAC-SHA1 request signature (authing-node-sdk 4.x), as the wire page gives it:
 * method, canonical headers, then the path with its sorted, un-encoded parameters. No trailing newline.
 */
export function stringToSign(
  method: string,
  path: string,
  headers: Record<string, string>,
  params?: Record<string, unknown>,
): string {
  const headerLines = Object.keys(headers)
    .map((name) => [name.toLowerCase(), headers[name] ?? ''] as const)
    .filter(([name]) => isSignedHeader(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${canonicalValue(value)}\n`)
    .join('');
  let resource = path;
  // As authing-node-sdk does: any key (even one whose value is undefined) adds the `?`.
  if (params && Object.keys(params).length > 0) {
    const pairs = Object.keys(params)
      .sort()
      .filter((key) => params[key] !== undefined)
      .map((key) => `${key}=${canonicalParam(params[key])}`);
    resource += `?${pairs.join('&')}`;
  }
  return `${method.toUpperCase()}\n${headerLines}${resource}`;
}

/** `base64(HMAC-SHA1(secret, stringToSign))`. */
export function computeSignature(secret: string, toSign: string): string {
  return createHmac('sha1', secret).update(toSign, 'utf8').digest('base64');
}

/** A fresh random nonce, hex. */
export function signatureNonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The headers of a signed request: `date`, the `x-authing-signature-*` set and `authorization: authing <id>:<sig>`,
 * merged over `baseHeaders` (which should carry `x-authing-lang` and `x-authing-sdk-version`; they are signed too).
 */
export function signRequest(input: {
  method: string;
  path: string;
  params?: Record<string, unknown>;
  accessKeyId: string;
  accessKeySecret: string;
  baseHeaders: Record<string, string>;
  now: Date;
  nonce?: string;
}): Record<string, string> {
  const headers: Record<string, string> = {
    ...input.baseHeaders,
    date: input.now.toUTCString(),
    'x-authing-signature-method': 'HMAC-SHA1',
    'x-authing-signature-version': '1.0',
    'x-authing-signature-nonce': input.nonce ?? signatureNonce(),
  };
  const signature = computeSignature(input.accessKeySecret, stringToSign(input.method, input.path, headers, input.params));
  headers.authorization = `authing ${input.accessKeyId}:${signature}`;
  return headers;
}
