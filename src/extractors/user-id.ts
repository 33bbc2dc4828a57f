import { InvalidTokenError } from '../core/errors';

/** The longest user id accepted by default (header and cookie extractors, and the JWT user id claim). */
export const DEFAULT_MAX_USER_ID_LENGTH = 256;

// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** `true` when `value` may be used as a user id: a non-blank string of at most `maxLength` characters without control characters. */
export function isAcceptableUserId(value: unknown, maxLength: number): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= maxLength &&
    value.trim().length > 0 &&
    !CONTROL_CHARACTERS.test(value)
  );
}

/**
 * Returns `value` when it is an acceptable user id, else throws an `InvalidTokenError` whose message names `what`
 * (never the value itself).
 */
export function requireUserId(value: unknown, maxLength: number, what: string): string {
  if (isAcceptableUserId(value, maxLength)) return value;
  let problem: string;
  if (typeof value !== 'string') problem = 'is missing or not a string';
  else if (value.trim().length === 0) problem = 'is empty';
  else if (value.length > maxLength) problem = `is longer than ${maxLength} characters`;
  else problem = 'contains control characters';
  throw new InvalidTokenError(`The ${what} ${problem}.`);
}
