import fc from 'fast-check';
import { isSlash, isSpaceOrTab, trimEndWhere, trimTrailingSlashes, trimWhere } from '../../src/core/trim';

// The expressions the helpers replace: the answers must not change.
const before = {
  trailingSlashes: (value: string) => value.replace(/\/+$/, ''),
  trailingBlanks: (value: string) => value.replace(/[ \t]+$/, ''),
  blanksAround: (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, ''),
};

/** Every string over `alphabet` up to `maxLength` characters. */
function allStrings(alphabet: string[], maxLength: number): string[] {
  const strings = [''];
  for (let from = 0, length = 1; length <= maxLength; length++) {
    const to = strings.length;
    for (let i = from; i < to; i++) for (const character of alphabet) strings.push(strings[i] + character);
    from = to;
  }
  return strings;
}

describe('trimming by index answers as the expressions it replaces', () => {
  const small = allStrings(['/', ' ', '\t', 'a'], 7);
  const character = fc.constantFrom('/', ' ', '\t', 'a', '\\', '\u00a0', '\n', 'é', '\ud83d', '\ude00');
  const generated = fc.array(character, { maxLength: 80 }).map((characters) => characters.join(''));

  it(`on all ${small.length} strings of '/', ' ', tab and 'a' up to 7 long`, () => {
    const differences = small.filter((value) =>
      trimTrailingSlashes(value) !== before.trailingSlashes(value) ||
      trimEndWhere(value, isSpaceOrTab) !== before.trailingBlanks(value) ||
      trimWhere(value, isSpaceOrTab) !== before.blanksAround(value));
    expect(differences).toEqual([]);
  });

  it('on generated strings up to 80 characters', () => {
    fc.assert(fc.property(generated, (value) => {
      expect(trimTrailingSlashes(value)).toBe(before.trailingSlashes(value));
      expect(trimEndWhere(value, isSlash)).toBe(before.trailingSlashes(value));
      expect(trimEndWhere(value, isSpaceOrTab)).toBe(before.trailingBlanks(value));
      expect(trimWhere(value, isSpaceOrTab)).toBe(before.blanksAround(value));
    }), { numRuns: 5000 });
  });

  it('returns the very string when there is nothing to trim', () => {
    const value = 'https://idp.example/x';
    expect(trimTrailingSlashes(value)).toBe(value);
    expect(trimWhere(value, isSpaceOrTab)).toBe(value);
  });

  it('calls its test once per character looked at, even on a 200 KB run that is not at the end', () => {
    const run = '/'.repeat(200_000);
    let calls = 0;
    const counted = (code: number) => {
      calls++;
      return isSlash(code);
    };
    expect(trimEndWhere(`${run}x`, counted)).toBe(`${run}x`);
    expect(calls).toBe(1);
    calls = 0;
    expect(trimEndWhere(`x${run}`, counted)).toBe('x');
    expect(calls).toBe(200_001);
    calls = 0;
    expect(trimWhere(`${run}x${run}`, counted)).toBe('x');
    expect(calls).toBe(400_002);
  });
});
