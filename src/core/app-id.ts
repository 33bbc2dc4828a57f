import { isAcceptableUserId } from './user-id';

/** The longest app id a route accepts: GenAuth's ids are 24 characters; this leaves room and bounds cache keys. */
export const MAX_APP_ID_LENGTH = 128;

/**
 * `true` when `value` may be used as an app id: a non-blank string of at most {@link MAX_APP_ID_LENGTH} characters
 * without control characters (the rule of user ids, with a shorter limit). Checked before any cache or upstream
 * work, so that ids read from a request cannot fill the cache or reach GenAuth.
 */
export function isAcceptableAppId(value: unknown): value is string {
  return isAcceptableUserId(value, MAX_APP_ID_LENGTH);
}
