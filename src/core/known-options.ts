/**
 * Unknown option keys fail closed: a misspelt `role` or `cache.ttl` would otherwise be ignored and turn an admin
 * route into "any signed-in user", or a 5 s revocation delay into the default. Messages name keys, never values.
 */

/**
 * The keys an options type takes, as an object whose keys are the list. Declare it beside the type with
 * `satisfies OptionKeys<XOptions>`: a key added to the type but not to the list (or the other way round) does not
 * compile.
 */
export type OptionKeys<T> = Readonly<Record<keyof T, true>>;

/** The longest key shown in a message; a longer one is cut (it is not compared for a suggestion either). */
const SHOWN_KEY_LENGTH = 64;
/** What a unit-less name may have left out: `timeout` for `timeoutMs`, `maxBody` for `maxBodyBytes`. */
const SUFFIXES = ['Ms', 'Sec', 'Bytes'];

/** The first own enumerable key of `options` that is not in `known`, or `undefined`. */
export function unknownKey(options: object, known: Readonly<Record<string, true>>): string | undefined {
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(known, key)) return key;
  }
  return undefined;
}

/** What {@link assertKnownKeys} may add to its message. */
export interface UnknownKeyHints {
  /** Keys not taken here that may still be meant (suggested like known ones), e.g. `guard` beside guard options. */
  meant?: readonly string[];
  /** A sentence added when no key is close, e.g. where the key belongs instead. */
  note?: (key: string) => string | undefined;
}

/**
 * Throws a `TypeError` naming the first key of `options` not in `known`, where it was found, and the key probably
 * meant: `genauth-session-guard: unknown option "role" in requireActiveSession options; did you mean "roles"?`.
 * @param where e.g. `requireActiveSession options`, `` createSessionGuard `cache` ``
 */
export function assertKnownKeys(options: object, known: Readonly<Record<string, true>>, where: string, hints?: UnknownKeyHints): void {
  const key = unknownKey(options, known);
  if (key === undefined) return;
  const names = Object.keys(known);
  const suggestion = suggestKey(key, hints?.meant ? [...names, ...hints.meant] : names);
  let hint: string;
  if (suggestion !== undefined) hint = `; did you mean "${suggestion}"?`;
  else {
    const note = hints?.note?.(key);
    hint = `; it takes ${names.map((name) => `"${name}"`).join(', ')}${note ? ` ${note}` : ''}`;
  }
  throw new TypeError(`genauth-session-guard: unknown option ${shown(key)} in ${where}${hint}`);
}

/** The key quoted and escaped, cut at {@link SHOWN_KEY_LENGTH} characters. */
function shown(key: string): string {
  return key.length > SHOWN_KEY_LENGTH ? `${JSON.stringify(key.slice(0, SHOWN_KEY_LENGTH))}...` : JSON.stringify(key);
}

/** Lower case, without `-` and `_`: `access_key_id` and `accessKeyId` meet. */
function normalized(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/**
 * The known key `key` was probably meant to be: the same ignoring case, `-` and `_`; the key with a unit suffix
 * (`timeout` for `timeoutMs`); its plural (`role` for `roles`, `retry` for `retries`); else the closest by
 * Damerau-Levenshtein distance (adjacent transpositions count one), at most 2 and less than the key's length, the
 * first listed on a tie; else the only known key it abbreviates (`maxLen` for `maxLength`, 4 characters or more).
 * `undefined` when none is close.
 */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  if (key.length > SHOWN_KEY_LENGTH) return undefined;
  const wanted = normalized(key);
  let best: string | undefined;
  let bestDistance = 3;
  const abbreviated: string[] = [];
  for (const candidate of known) {
    const name = normalized(candidate);
    if (name === wanted) return candidate;
    if (SUFFIXES.some((suffix) => name === wanted + suffix.toLowerCase())) return candidate;
    if (name === `${wanted}s` || (wanted.endsWith('y') && name === `${wanted.slice(0, -1)}ies`)) return candidate;
    const distance = editDistance(wanted, name);
    if (distance < bestDistance && distance < wanted.length) {
      best = candidate;
      bestDistance = distance;
    }
    if (wanted.length >= 4 && name.startsWith(wanted)) abbreviated.push(candidate);
  }
  return best ?? (abbreviated.length === 1 ? abbreviated[0] : undefined);
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, before[j - 2]! + 1);
      current[j] = value;
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}
