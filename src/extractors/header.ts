import { assertKnownKeys, type OptionKeys } from '../core/known-options';
import type { ContextualIdentityExtractor } from './extract-context';
import { positiveIntegerOption, tokenNameOption } from './options';
import { readSingleHeader } from './request-headers';
import { DEFAULT_MAX_USER_ID_LENGTH, requireUserId } from './user-id';

/** Options of {@link header}. */
export interface HeaderOptions {
  /**
   * Longer values are refused with an `InvalidTokenError`.
   * @default 256
   */
  maxLength?: number;
}

const HEADER_OPTION_KEYS = { maxLength: true } as const satisfies OptionKeys<HeaderOptions>;

/**
 * Takes the user id, as it is, from a request header that a trusted proxy (an API gateway or an auth proxy
 * that has already authenticated the caller) sets.
 *
 * **Warning:** use it only behind a proxy that removes this header from every client request before setting
 * its own. Otherwise any client can send the header and be taken for any user. Do not use it on a service
 * reachable without that proxy.
 *
 * - Header absent: resolves to `undefined`.
 * - Header sent more than once, empty or blank, longer than `maxLength`, or containing control characters:
 *   throws an `InvalidTokenError` (the message never contains the value). Node joins a repeated custom header
 *   into one value with `, `; the repetition is still detected through Node's `req.rawHeaders`.
 *
 * @param name The header name, matched case-insensitively. A `TypeError` is thrown now if it is not a valid
 * header name (and for an unknown key in `options`).
 * @example
 * ```ts
 * const fromGateway = header('x-genauth-user-id');
 * ```
 */
export function header(name: string, options: HeaderOptions = {}): ContextualIdentityExtractor {
  const headerName = tokenNameOption(name, 'header: `name`').toLowerCase();
  if (typeof options === 'object' && options !== null) assertKnownKeys(options, HEADER_OPTION_KEYS, 'header options');
  const maxLength = positiveIntegerOption(options?.maxLength, DEFAULT_MAX_USER_ID_LENGTH, 'header: `maxLength`');
  const what = `${headerName} header`;
  return (req) => {
    const value = readSingleHeader(req, headerName);
    if (value === undefined) return undefined;
    return { userId: requireUserId(value, maxLength, what) };
  };
}
