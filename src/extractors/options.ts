/** Validation of extractor options, done when a factory is called so that a misconfiguration fails at boot. */

/** RFC 9110 `token` characters: what a header name or an RFC 6265 cookie name may contain. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Returns `value`, or `fallback` when it is `undefined`; throws a `TypeError` unless it is a positive integer. */
export function positiveIntegerOption(value: unknown, fallback: number, label: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new TypeError(`${label} must be a positive integer; set a whole number above 0 or leave it out.`);
  }
  return value;
}

/** Throws a `TypeError` unless `value` is a valid header or cookie name; returns it. */
export function tokenNameOption(value: unknown, label: string): string {
  if (typeof value !== 'string' || !TOKEN.test(value)) {
    throw new TypeError(
      `${label} must be a non-empty name made of letters, digits and !#$%&'*+-.^_\`|~ (for example 'x-user-id').`,
    );
  }
  return value;
}

/** Throws a `TypeError` unless `value` is `undefined` or a function. */
export function functionOption(value: unknown, label: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${label} must be a function when set; pass one or leave it out.`);
  }
}
