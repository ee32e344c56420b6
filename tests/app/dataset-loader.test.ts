// The worker's side of loading files, without a GPU: which file is which, what format the ratings
// are in, when the page must ask for the columns, decoding (u.item is latin-1), the progress a
// parse reports, and the clear errors for files that cannot make a dataset.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRatings, recogniseFiles, type Recognised } from '../../src/worker/datasetLoader';
import type { DataFile, DatasetSource, MappingRequest } from '../../src/worker/protocol';
import { errorOf } from '../helpers/errors';
import { ML_SMALL_DIR } from '../helpers/paths';
import { mutator } from '../helpers/mutate';
import { Rng } from '../../src/util/rng';
import { zipSync } from 'fflate';

const ML100K = new URL('../data/ml-100k/', import.meta.url);

const file = (name: string, text: string | Uint8Array): DataFile => {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return { name, bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer };
};

function sourceOf(r: Recognised): Extract<DatasetSource, { kind: 'csv' }> {
  if ('ask' in r) throw new Error(`expected a dataset, got a mapping request for ${r.ask.file}`);
  if (r.source.kind !== 'csv') throw new Error('expected a csv source');
  return r.source;
}

function askOf(r: Recognised): MappingRequest {
  if (!('ask' in r)) throw new Error('expected a mapping request');
  return r.ask;
}

const RATINGS = 'userId,movieId,rating,timestamp\n1,10,4.5,100\n2,10,3,101\n2,20,5,102\n';
const MOVIES = 'movieId,title,genres\n10,Heat (1995),Action|Crime\n20,Alien (1979),Horror|Sci-Fi\n';

describe('recognising the files a user picks', () => {
  it('tells the ratings from the movies file, in either order, by name or by content', () => {
    for (const files of [
      [file('ratings.csv', RATINGS), file('movies.csv', MOVIES)],
      [file('movies.csv', MOVIES), file('ratings.csv', RATINGS)],
      // Renamed files: the movies file is known by its header.
      [file('catalogue.csv', MOVIES), file('mine.csv', RATINGS)],
    ]) {
      const s = sourceOf(recogniseFiles(files));
      expect(s.ratings).toBe(RATINGS);
      expect(s.movies).toBe(MOVIES);
      expect(s.name).toBe(files.find((f) => f.name.match(/ratings|mine/))!.name);
      expect(s.mapping).toBeUndefined();
    }
    const alone = sourceOf(recogniseFiles([file('ratings.csv', RATINGS)]));
    expect(alone.movies).toBeUndefined();
    expect(alone.moviesName).toBeUndefined();
  });

  it('reads u.item as latin-1 and a UTF-8 file as UTF-8', () => {
    // "Café" in latin-1 is not valid UTF-8; in UTF-8 it is two bytes for é.
    const item = `1|Café (1995)|01-Jan-1995||http://x|${Array(19).fill(0).join('|')}\n`;
    const latin1 = Uint8Array.from([...item].map((c) => c.charCodeAt(0)));
    const s = sourceOf(recogniseFiles([file('u.data', '1\t1\t4\t5\n'), file('u.item', latin1)]));
    expect(s.movies).toBe(item);
    const { ratings, name } = loadRatings(s);
    expect(ratings.itemNames).toEqual(['Café (1995)']);
    expect(name).toBe('u.data + u.item');
    const utf8 = sourceOf(recogniseFiles([file('r.csv', 'user,item,rating\nZoë,Amélie,5\n')]));
    expect(loadRatings(utf8).ratings.userNames).toEqual(['Zoë']);
  });

  it('asks for the columns of a CSV whose header it does not know, with the header, first rows and a guess', () => {
    const csv = 'customer_id,product,stars,date,note\n' + Array.from({ length: 9 }, (_, k) => `c${k},p${k % 3},${(k % 5) + 1},${1000 + k},"a, b"`).join('\n');
    const ask = askOf(recogniseFiles([file('shop.csv', csv)]));
    expect(ask.file).toBe('shop.csv');
    expect(ask.reason).toBe('unknown');
    expect(ask.columns).toEqual(['customer_id', 'product', 'stars', 'date', 'note']);
    expect(ask.rows.length).toBe(5);
    expect(ask.rows[0]).toEqual(['c0', 'p0', '1', '1000', 'a, b']);
    expect(ask.guess).toEqual({ user: 'customer_id', item: 'product', rating: 'stars', time: 'date' });

    // With the mapping the same files make a dataset that keeps it.
    const mapping = { user: 'customer_id', item: 'product', rating: 'stars', time: 'date' };
    const s = sourceOf(recogniseFiles([file('shop.csv', csv)], mapping));
    expect(s.mapping).toEqual(mapping);
    const r = loadRatings(s).ratings;
    expect(r.user.length).toBe(9);
    expect(r.itemNames).toEqual(['p0', 'p1', 'p2']);
    expect([...r.time]).toEqual(Array.from({ length: 9 }, (_, k) => 1000 + k));

    // A known header is asked about only on request.
    expect(askOf(recogniseFiles([file('ratings.csv', RATINGS)], 'ask')).reason).toBe('asked');
  });

  it('says plainly why files cannot make a dataset', () => {
    expect(errorOf(() => recogniseFiles([])).message).toMatch(/no file was chosen/);
    expect(errorOf(() => recogniseFiles([file('a.csv', RATINGS), file('b.csv', RATINGS), file('movies.csv', MOVIES)])).message).toMatch(
      /a\.csv, b\.csv, movies\.csv: choose one ratings file.*3 files/,
    );
    expect(errorOf(() => recogniseFiles([file('movies.csv', MOVIES)])).message).toMatch(/movies\.csv holds movies .* choose the ratings file too/);
    expect(errorOf(() => recogniseFiles([file('a.csv', RATINGS), file('b.csv', RATINGS)])).message).toMatch(/a\.csv, b\.csv: two ratings files/);
    expect(errorOf(() => recogniseFiles([file('ratings.csv', '')])).message).toBe('ratings.csv: the file is empty');
    // A header-less file of user,item,rating[,timestamp] loads (below); one of another width cannot be read.
    expect(errorOf(() => recogniseFiles([file('nohead.csv', '1,31\n1,1029\n')])).message).toMatch(
      /nohead\.csv: the first line \(1,31\) is data, not a header, and has 2 fields; a ratings file without a header has 3 or 4/,
    );
  });

  it('names the file, line and reason of a bad row, a missing column and a repeated header', () => {
    const bad = (text: string) => errorOf(() => loadRatings(sourceOf(recogniseFiles([file('ratings.csv', text), file('movies.csv', MOVIES)])))).message;
    expect(bad('userId,movieId,rating\n1,10,4\n1,20,five\n')).toBe('ratings.csv, line 3: rating "five" is not a number');
    expect(bad('userId,movieId,timestamp\n1,10,4\n')).toMatch(/^ratings\.csv, line 1: missing column "rating"/);
    expect(bad('userId,movieId,rating\n1,10,4\nuserId,movieId,rating\n2,10,3\n')).toMatch(/^ratings\.csv, line 3: the header appears again/);
    expect(bad('userId,movieId,rating,rating\n1,10,4,4\n')).toMatch(/^ratings\.csv, line 1: duplicate column "rating"/);
    expect(bad('userId,movieId,rating\n')).toBe('ratings.csv: the file has a header but no ratings');
    const badMovies = errorOf(() => loadRatings(sourceOf(recogniseFiles([file('ratings.csv', RATINGS), file('movies.csv', 'movieId,title\n10,Heat\n10,Heat again\n')])))).message;
    expect(badMovies).toBe('movies.csv, line 3: movieId 10 appears twice');
  });
});

describe('parsing with progress', () => {
  it('reports ml-latest-small in steps that only grow, ending at 1 with every rating, movies first', () => {
    const ratingsText = readFileSync(`${ML_SMALL_DIR}ratings.csv`, 'utf8');
    const moviesText = readFileSync(`${ML_SMALL_DIR}movies.csv`, 'utf8');
    const s = sourceOf(recogniseFiles([file('ratings.csv', ratingsText), file('movies.csv', moviesText)]));
    const seen: [number, number][] = [];
    const { ratings, name } = loadRatings(s, (fraction, rows) => seen.push([fraction, rows]));
    expect(name).toBe('ratings.csv + movies.csv');
    expect(ratings.user.length).toBe(100_836);
    expect(ratings.userNames.length).toBe(610);
    expect(ratings.itemNames).toContain('Guardians of the Galaxy (2014)');
    // 9,742 movies and 100,836 ratings at one report per 8,192 records, and each file's end.
    expect(seen.length).toBeGreaterThanOrEqual(13);
    for (let k = 1; k < seen.length; k++) {
      expect(seen[k][0]).toBeGreaterThanOrEqual(seen[k - 1][0]);
      expect(seen[k][1]).toBeGreaterThanOrEqual(seen[k - 1][1]);
    }
    expect(seen[seen.length - 1]).toEqual([1, 100_836]);
    // The movies file is the first part of the bar, by its share of the text; no ratings read yet.
    const share = moviesText.length / (moviesText.length + ratingsText.length);
    const moviesDone = seen.findIndex(([f]) => f === share);
    expect(moviesDone).toBeGreaterThanOrEqual(0);
    expect(seen.slice(0, moviesDone + 1).every(([, rows]) => rows === 0)).toBe(true);
    expect(seen.slice(moviesDone + 1).some(([f]) => f > share && f < 1)).toBe(true);
  });

  it('reports MovieLens 1M ratings.dat with movies.dat, and ml-latest-small from its ZIP, in growing steps to 1', () => {
    const dat = Array.from({ length: 20_000 }, (_, k) => `${1 + (k % 97)}::${1 + (k % 31)}::${1 + (k % 5)}::${1000 + k}`).join('\n');
    const movies = Array.from({ length: 31 }, (_, k) => `${k + 1}::Film ${k + 1} (19${50 + k})::Drama`).join('\n');
    const zip = zipSync({
      'ml-latest-small/ratings.csv': new Uint8Array(readFileSync(`${ML_SMALL_DIR}ratings.csv`)),
      'ml-latest-small/movies.csv': new Uint8Array(readFileSync(`${ML_SMALL_DIR}movies.csv`)),
    });
    for (const [files, count] of [
      [[file('ratings.dat', dat), file('movies.dat', movies)], 20_000],
      [[file('ml-latest-small.zip', zip)], 100_836],
    ] as const) {
      const seen: [number, number][] = [];
      const { ratings } = loadRatings(sourceOf(recogniseFiles(files)), (fraction, rows) => seen.push([fraction, rows]));
      expect(ratings.rating.length).toBe(count);
      expect(seen.length).toBeGreaterThan(2);
      for (let k = 1; k < seen.length; k++) expect(seen[k][0]).toBeGreaterThanOrEqual(seen[k - 1][0]);
      expect(seen[seen.length - 1]).toEqual([1, count]);
    }
  });

  it('reports MovieLens 100K u.data with u.item', () => {
    const data = readFileSync(new URL('u.data', ML100K));
    const item = readFileSync(new URL('u.item', ML100K));
    const s = sourceOf(recogniseFiles([file('u.item', item), file('u.data', data)]));
    const seen: [number, number][] = [];
    const { ratings } = loadRatings(s, (fraction, rows) => seen.push([fraction, rows]));
    expect(seen[seen.length - 1]).toEqual([1, ratings.user.length]);
    expect(ratings.itemGenres).toBeDefined();
  });
});

describe('fuzz: whatever bytes a user drops', () => {
  // The worker's whole path (recognise, decode, parse) on mutated valid files and on random bytes:
  // it may load, ask for the columns, or refuse with an InputError that names a file; nothing else.
  const U_ITEM = '10|Heat (1995)|01-Jan-1995||http://x|0|1|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0\n20|Alien (1979)|01-Jan-1979||http://x|0|0|0|0|0|0|0|0|0|0|0|1|0|0|0|1|0|0|0\n';
  const U_DATA = '1\t10\t4\t100\n2\t10\t3\t101\n2\t20\t5\t102\n';
  const valid: [string, string][][] = [
    [['ratings.csv', RATINGS], ['movies.csv', MOVIES]],
    [['u.data', U_DATA], ['u.item', U_ITEM]],
    [['mine.csv', 'who;what;stars\nann;x;4\nbob;y;2\n']],
    [['ratings.dat', '1::10::4::100\n2::10::3::101\n2::20::5::102\n'], ['movies.dat', '10::Heat (1995)::Action|Crime\n20::Alien: Director\'s Cut (1979)::Horror\n']],
    [['books.csv', '"User-ID";"ISBN";"Book-Rating"\n"1";"034545104X";"0"\n"2";"0155061224";"10"\n']],
    [['ratings.tsv', 'userId\tmovieId\trating\n1\t10\t4\n2\t"1,0"\t3\n']],
    [['nohead.csv', 'A1RSDE90N6RSZF,B00005N5PF,5\nA3GD6T1K2C3ZL7,0001527665,3,\n'.replace(',\n', '\n')]],
  ];
  const alphabet = [',', '\n', '"', '|', '\t', ';', '::', '\r', ' ', 'x', '-', '.', '1', '9', 'é', '\u0000', '\u001b', '\uFFFD', 'userId', 'NaN', '1e999', '1e39'];
  // Byte-level forms of the same files: Latin-1, UTF-16 with a byte order mark, a ZIP, and signatures of binary files.
  const latin1 = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0) & 0xff));
  const utf16le = (s: string) => Uint8Array.from([0xff, 0xfe, ...[...s].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])]);
  const zipOfSet = (set: [string, string][]) => zipSync(Object.fromEntries(set.map(([name, text]) => [`ml/${name}`, new TextEncoder().encode(text)])));
  const signatures = [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0x50, 0x4b, 0x03, 0x04], [0x1f, 0x8b], [...'%PDF-1.4'].map((c) => c.charCodeAt(0))];

  const outcome = (files: DataFile[]): 'loaded' | 'ask' | 'refused' => {
    try {
      const r = recogniseFiles(files);
      if ('ask' in r) return 'ask';
      const { ratings } = loadRatings(r.source);
      // A loaded dataset is a consistent one.
      const n = ratings.rating.length;
      expect(n).toBeGreaterThan(0);
      expect(ratings.user.length).toBe(n);
      for (let k = 0; k < n; k++) {
        expect(ratings.user[k]).toBeLessThan(ratings.userNames.length);
        expect(ratings.item[k]).toBeLessThan(ratings.itemNames.length);
        expect(Number.isFinite(ratings.rating[k])).toBe(true);
      }
      return 'loaded';
    } catch (e) {
      if ((e as Error).name !== 'InputError') throw new Error(`threw ${(e as Error).name}: ${(e as Error).message} on ${JSON.stringify(files.map((f) => [f.name, new TextDecoder().decode(f.bytes)]))}`);
      expect((e as Error).message).toMatch(/\S/);
      // What a file holds is quoted with its controls escaped: none reaches the page or terminal raw.
      expect((e as Error).message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      return 'refused';
    }
  };

  it('3,000 mutated files, 1,000 random byte strings and 1,500 in other encodings, zipped or binary: loads, a mapping request or a clear refusal', () => {
    const rng = new Rng(2026);
    const mutate = mutator(rng, alphabet);
    const seen = { loaded: 0, ask: 0, refused: 0 };
    for (let trial = 0; trial < 3000; trial++) {
      const set = valid[trial % valid.length];
      const which = rng.int(set.length);
      seen[outcome(set.map(([name, text], k) => file(name, k === which ? mutate(text) : text)))]++;
    }
    for (let trial = 0; trial < 1000; trial++) {
      const bytes = new Uint8Array(rng.int(200));
      for (let k = 0; k < bytes.length; k++) bytes[k] = rng.int(256);
      seen[outcome([file(trial % 2 ? 'ratings.csv' : 'u.data', bytes)])]++;
    }
    // Encodings and archives: mutated text in Latin-1 and UTF-16, random bytes flipped in a ZIP, binary signatures before text.
    const flip = (bytes: Uint8Array) => {
      const out = bytes.slice();
      for (let k = 1 + rng.int(3); k > 0; k--) out[rng.int(out.length)] = rng.int(256);
      return out;
    };
    for (let trial = 0; trial < 1500; trial++) {
      const set = valid[trial % valid.length];
      const form = trial % 4;
      if (form === 0) seen[outcome(set.map(([name, text]) => file(name, latin1(mutate(text)))))]++;
      else if (form === 1) seen[outcome(set.map(([name, text]) => file(name, utf16le(mutate(text)))))]++;
      else if (form === 2) seen[outcome([file('set.zip', rng.int(2) ? zipOfSet(set) : flip(zipOfSet(set)))])]++;
      else seen[outcome([file(set[0][0], Uint8Array.from([...signatures[rng.int(signatures.length)], ...new TextEncoder().encode(set[0][1])]))])]++;
    }
    // The fuzz must reach every outcome, or it tests less than it seems to.
    expect(seen.loaded).toBeGreaterThan(100);
    expect(seen.refused).toBeGreaterThan(100);
    expect(seen.ask).toBeGreaterThan(0);
  });
});
