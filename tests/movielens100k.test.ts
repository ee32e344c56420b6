// MovieLens 100K's u.data and u.item, from the small samples in tests/data/ml-100k/ (real format,
// made up rows; u.item is latin-1 like the real one).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { looksLikeU100kData, parseU100kData, parseU100kItems, U100K_GENRES } from '../src/graph/movielens100k';
import { loadRatings } from '../src/cli/data';
import { InputError } from '../src/util/errors';
import { Rng } from '../src/util/rng';
import { errorOf } from './helpers/errors';
import { REPO_DIR } from './helpers/paths';
import { mutator } from './helpers/mutate';

const DIR = `${REPO_DIR}tests/data/ml-100k/`;
const dataText = readFileSync(`${DIR}u.data`, 'utf8');
const itemText = readFileSync(`${DIR}u.item`, 'latin1');

const flags = (...on: number[]) => Array.from({ length: 19 }, (_, k) => (on.includes(k) ? 1 : 0)).join('|');

describe('parseU100kData', () => {
  it('reads tab-separated user, item, rating, timestamp without a header', () => {
    const r = parseU100kData(dataText, 'u.data');
    expect(r.user.length).toBe(12);
    expect(r.userNames).toEqual(['196', '186', '22', '244']);
    expect(r.itemNames.slice(0, 4)).toEqual(['242', '302', '377', '1']);
    expect([r.user[0], r.item[0], r.rating[0], r.time[0]]).toEqual([0, 0, 3, 881250949]);
    expect([r.user[3], r.item[3], r.rating[3]]).toEqual([0, 3, 5]);
    expect(r.itemGenres).toBeUndefined();
  });

  it('names items and gives genres from u.item; items it lacks keep their id and no genres', () => {
    const movies = parseU100kItems(itemText, 'u.item');
    const r = parseU100kData(dataText, 'u.data', movies);
    const at = (title: string) => r.itemNames.indexOf(title);
    expect(r.itemNames).toContain('Kolya (1996)');
    expect(r.itemGenres![at('Toy Story (1995)')]).toEqual(['Animation', "Children's", 'Comedy']);
    expect(r.itemGenres![at('GoldenEye (1995)')]).toEqual(['Action', 'Adventure', 'Thriller']);
    expect(r.itemGenres![at('unknown')]).toEqual([]);
    expect(r.itemGenres![at('9999')]).toEqual([]);
    expect(r.itemNames).toContain('Misérables, Les (1995)');
    expect(r.itemGenres!.length).toBe(r.itemNames.length);
  });

  it('accepts CRLF, blank lines, a BOM, spaces for tabs and no final newline', () => {
    const r = parseU100kData('\uFEFF1\t2\t3\t4\r\n\r\n5  6 4.5 7', 'u.data');
    expect(r.userNames).toEqual(['1', '5']);
    expect([...r.rating]).toEqual([3, 4.5]);
    expect([...r.time]).toEqual([4, 7]);
  });

  const bad: [string, string, RegExp][] = [
    ['empty file', '', /^u\.data: the file is empty/],
    ['blank file', ' \n\n', /^u\.data: the file is empty/],
    ['three fields', '1\t2\t3\t4\n1\t2\t3\n', /^u\.data, line 2: expected 4 tab-separated fields .* found 3/],
    ['a CSV', 'userId,movieId,rating,timestamp\n', /line 1: expected 4 .*found 1 \(a comma-separated file\?/],
    ['five fields', '1\t2\t3\t4\t5\n', /line 1: expected 4 .*found 5/],
    ['non-numeric rating', '1\t2\t3\t4\n\n1\t2\tgood\t4\n', /^u\.data, line 3: rating "good" is not a number/],
    ['infinite rating', '1\t2\t1e400\t4\n', /line 1: rating "1e400" is not finite/],
    ['bad timestamp', '1\t2\t3\tyesterday\n', /line 1: timestamp "yesterday" is not a number/],
    ['a header', 'user\titem\trating\ttimestamp\n1\t2\t3\t4\n', /line 1: rating "rating" is not a number/],
  ];
  it.each(bad)('rejects %s', (_, text, message) => {
    expect(errorOf(() => parseU100kData(text, 'u.data')).message).toMatch(message);
  });
});

describe('parseU100kItems', () => {
  it('reads id, title and the 19 genre flags (latin-1 read as latin-1)', () => {
    const m = parseU100kItems(itemText, 'u.item');
    expect(m.size).toBe(8);
    expect(m.get('1')).toEqual({ title: 'Toy Story (1995)', genres: ['Animation', "Children's", 'Comedy'] });
    expect(m.get('302')!.genres).toEqual(['Crime', 'Film-Noir', 'Mystery', 'Thriller']);
    // "unknown" is the flag of a movie without genres, not a genre.
    expect(m.get('267')).toEqual({ title: 'unknown', genres: [] });
    expect(m.get('1300')).toEqual({ title: 'Misérables, Les (1995)', genres: ['Drama', 'War'] });
    expect(U100K_GENRES).toHaveLength(19);
  });

  const bad: [string, string, RegExp][] = [
    ['empty file', '', /^u\.item: the file is empty/],
    ['too few fields', `1|A|x||u|${flags(1)}\n2|B|x||u|0|1\n`, /^u\.item, line 2: expected 24 \|-separated fields .*found 7/],
    ['a bad flag', `1|A|x||u|${flags(1).replace(/^0/, '2')}\n`, /line 1: genre flag 1 \(unknown\) is "2", not 0 or 1/],
    ['an empty flag', `1|A|x||u|${flags(1).replace(/0$/, '')}\n`, /line 1: genre flag 19 \(Western\) is "", not 0 or 1/],
    ['an empty id', `|A|x||u|${flags(1)}\n`, /line 1: empty movie id/],
    ['a repeated id', `7|A|x||u|${flags(1)}\n\n7|B|x||u|${flags(2)}\n`, /line 3: movie id 7 appears twice/],
  ];
  it.each(bad)('rejects %s', (_, text, message) => {
    expect(errorOf(() => parseU100kItems(text, 'u.item')).message).toMatch(message);
  });
});

describe('looksLikeU100kData', () => {
  it.each([
    ['196\t242\t3\t881250949\n', true],
    ['\n\n  196\t242\t3.5\t881250949\r\n', true],
    ['\uFEFF1\t2\t3\t4', true],
    ['userId,movieId,rating\n1,2,3\n', false],
    ['1,2,3,4\n', false],
    ['1\t2\t3\n', false],
    ['a\tb\t3\t4\n', false],
    ['', false],
  ])('%j → %s', (text, want) => {
    expect(looksLikeU100kData(text)).toBe(want);
  });
});

describe('gatlab --data with u.data', () => {
  it('loads u.data with titles and genres from the u.item beside it', () => {
    const r = loadRatings(`${DIR}u.data`);
    expect(r.user.length).toBe(12);
    expect(r.itemNames).toContain('Toy Story (1995)');
    expect(r.itemNames).toContain('Misérables, Les (1995)');
    expect(r.itemGenres).toBeDefined();
  });
});

describe('fuzz', () => {
  it('throws nothing but InputError on thousands of mutated u.data and u.item files', () => {
    const alphabet = ['\t', '|', '\n', '\r', ' ', 'a', '1', '0', '.', '-', 'e', '\uFEFF', '', ',', '"'];
    const rng = new Rng(7);
    const mutate = mutator(rng, alphabet);
    const outcomes = { data: [0, 0], item: [0, 0] };
    const movies = parseU100kItems(itemText, 'u.item');
    for (let trial = 0; trial < 3000; trial++) {
      const text = mutate(dataText);
      try {
        const r = parseU100kData(text, 'fuzz.data', movies);
        outcomes.data[0]++;
        for (const x of r.rating) expect(Number.isFinite(x)).toBe(true);
        expect(r.itemGenres!.length).toBe(r.itemNames.length);
      } catch (e) {
        if (!(e instanceof InputError)) throw new Error(`non-InputError ${String(e)} for ${JSON.stringify(text)}`);
        expect(e.message).toMatch(/^fuzz\.data/);
        outcomes.data[1]++;
      }
      const items = mutate(itemText);
      try {
        parseU100kItems(items, 'fuzz.item');
        outcomes.item[0]++;
      } catch (e) {
        if (!(e instanceof InputError)) throw new Error(`non-InputError ${String(e)} for ${JSON.stringify(items)}`);
        expect(e.message).toMatch(/^fuzz\.item/);
        outcomes.item[1]++;
      }
      // Pure noise too.
      const noise = Array.from({ length: rng.int(200) }, () => alphabet[rng.int(alphabet.length)]).join('');
      for (const parse of [() => parseU100kData(noise, 'n'), () => parseU100kItems(noise, 'n'), () => looksLikeU100kData(noise)]) {
        try {
          parse();
        } catch (e) {
          if (!(e instanceof InputError)) throw new Error(`non-InputError ${String(e)} for ${JSON.stringify(noise)}`);
        }
      }
    }
    // Both outcomes happen for both formats.
    for (const [ok, failed] of Object.values(outcomes)) {
      expect(ok).toBeGreaterThan(50);
      expect(failed).toBeGreaterThan(50);
    }
  });
});
