import { InvalidTokenError } from '../core/errors';

import { DEFAULT_MAX_USER_ID_LENGTH, isAcceptableUserId } from '../core/user-id';

export { DEFAULT_MAX_USER_ID_LENGTH, isAcceptableUserId };

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
