/**
 * Trimming by index, linear in the length of the string. Not `replace(/\/+$/, '')`, `/\s+$/` and the like: an
 * expression anchored at the end with a quantifier is retried from every position of a run that is not at the end,
 * quadratic in its length (60 KB of `/` followed by one other character: 5.5 s).
 */

/** `value` without the trailing UTF-16 code units that `drop` accepts. */
export function trimEndWhere(value: string, drop: (code: number) => boolean): string {
  let end = value.length;
  while (end > 0 && drop(value.charCodeAt(end - 1))) end--;
  return end === value.length ? value : value.slice(0, end);
}

/** `value` without the leading and trailing UTF-16 code units that `drop` accepts. */
export function trimWhere(value: string, drop: (code: number) => boolean): string {
  let start = 0;
  let end = value.length;
  while (start < end && drop(value.charCodeAt(start))) start++;
  while (end > start && drop(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

export const isSlash = (code: number): boolean => code === 0x2f;

export const isSpaceOrTab = (code: number): boolean => code === 0x20 || code === 0x09;

/** `value` without its trailing slashes: what `value.replace(/\/+$/, '')` gives, in linear time. */
export function trimTrailingSlashes(value: string): string {
  return trimEndWhere(value, isSlash);
}
