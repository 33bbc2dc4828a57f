/** The longest user id accepted by default (header and cookie extractors, the JWT user id claim, the guard). */
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
