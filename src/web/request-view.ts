import type { RequestLike } from '../core/types';

/**
 * `Headers.get` joins a repeated header into one value with `, ` (the Fetch standard; Bun, Deno and undici alike),
 * and a Web `Request` keeps no other trace of the repetition. A joined value is handed to extractors as the list of
 * its parts, as Node hands over a repeated `set-cookie`: a single-valued header (`authorization`, the user id of
 * `header()`) sent twice is then refused as sent more than once, as on Node. `cookie` is joined with `; ` instead
 * and stays one string.
 */
const JOINED = ', ';

/**
 * A read-only, lower-case view of a Web `Headers` with the shape of Node's `req.headers`: a value is read from the
 * `Headers` when an extractor asks for it, nothing is copied. Unknown and invalid names read `undefined`.
 */
const HEADERS_VIEW: ProxyHandler<Headers> = {
  get(headers, name) {
    if (typeof name !== 'string') return undefined;
    let value: string | null;
    try {
      value = headers.get(name);
    } catch {
      return undefined; // not a valid header name
    }
    if (value === null) return undefined;
    return name === 'cookie' || !value.includes(JOINED) ? value : value.split(JOINED);
  },
  has(headers, name) {
    return typeof name === 'string' && HEADERS_VIEW.get!(headers, name, headers) !== undefined;
  },
  ownKeys(headers) {
    return [...headers.keys()];
  },
  getOwnPropertyDescriptor(headers, name) {
    const value: unknown = HEADERS_VIEW.get!(headers, name, headers);
    return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: false };
  },
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
};

/** The request as the core and the extractors read it: a view of its headers, its method and URL. */
export function requestLikeOf(request: Request): RequestLike {
  return {
    headers: new Proxy(request.headers, HEADERS_VIEW) as unknown as RequestLike['headers'],
    method: request.method,
    url: request.url,
  };
}

/** Whether `value` looks like a Web `Request` (from any realm or runtime): its headers readable with `get`. */
export function isWebRequest(value: unknown): value is Request {
  return typeof value === 'object' && value !== null && typeof (value as { headers?: { get?: unknown } }).headers?.get === 'function';
}
