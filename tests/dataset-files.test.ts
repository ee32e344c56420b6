// The formats, encodings and binary files users actually have, through the one parsing path
// (src/graph/datasetFiles.ts) from both of its entry points: the page's worker loader (bytes as
// the page reads them) and the CLI's --data (files on disk, with the movies file beside). Each
// format must give the same ratings both ways, so that the same settings give the same run.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRatings as cliLoad, readingFromFlags, type DataReading } from '../src/cli/data';
import { parseMovies, parseRatingsCsv } from '../src/graph/csv';
import { filterByRating } from '../src/graph/filter';
import { ratingScale } from '../src/graph/ratingScale';
import type { Ratings } from '../src/graph/types';
import { SEED_SETTINGS } from '../src/train/settings';
import { prepare } from '../src/train/prepare';
import { Rng } from '../src/util/rng';
import { loadRatings as pageLoad, recogniseFiles } from '../src/worker/datasetLoader';
import type { ColumnMapping } from '../src/graph/csv';
import { errorOf } from './helpers/errors';
import { ML_SMALL_DIR, REPO_DIR } from './helpers/paths';

const DIR = mkdtempSync(join(tmpdir(), 'gatlab-files-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));
const ML100K_DIR = `${REPO_DIR}tests/data/ml-100k/`;

type Bytes = Uint8Array;
const utf8 = (s: string): Bytes => new TextEncoder().encode(s);
/** One byte per character (every character below U+0100): Latin-1. */
const latin1 = (s: string): Bytes => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));
const utf16 = (s: string, endian: 'le' | 'be'): Bytes => {
  const out = new Uint8Array(2 + 2 * s.length);
  out.set(endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]);
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    out.set(endian === 'le' ? [c & 0xff, c >> 8] : [c >> 8, c & 0xff], 2 + 2 * k);
  }
  return out;
};

interface File {
  name: string;
  bytes: Bytes;
}

/** The page's path: the worker's loader on the bytes the page read. */
function viaPage(files: File[], mapping?: ColumnMapping): Ratings {
  const found = recogniseFiles(files.map((f) => ({ name: f.name, bytes: Uint8Array.from(f.bytes).buffer })), mapping);
  if ('ask' in found) throw new Error(`the page asks for the columns of ${found.ask.file}`);
  return pageLoad(found.source).ratings;
}

/** The CLI's path: the files written to a folder of their own, the first given as --data. */
function viaCli(files: File[], reading: DataReading = {}): Ratings {
  const dir = mkdtempSync(join(DIR, 'cli-'));
  for (const f of files) writeFileSync(join(dir, f.name), f.bytes);
  return cliLoad(join(dir, files[0].name), reading);
}

/** Loads both ways, checks they agree to the bit, and gives the ratings. */
function bothWays(files: File[], mapping?: ColumnMapping): Ratings {
  const page = viaPage(files, mapping);
  const cli = viaCli(files, { columns: mapping });
  expectSame(cli, page);
  return page;
}

/** The same ratings, to the bit (compared as bytes and joined names: toEqual is slow on 100,000-element arrays). */
function expectSame(a: Ratings, b: Ratings): void {
  const bytesOf = (x: ArrayBufferView) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  for (const key of ['user', 'item', 'rating', 'time'] as const) expect(bytesOf(a[key]).equals(bytesOf(b[key])), key).toBe(true);
  expect(a.userNames.join('\n')).toBe(b.userNames.join('\n'));
  expect(a.itemNames.join('\n')).toBe(b.itemNames.join('\n'));
  expect(JSON.stringify(a.itemGenres)).toBe(JSON.stringify(b.itemGenres));
}

const counts = (r: Ratings) => ({ users: r.userNames.length, items: r.itemNames.length, ratings: r.rating.length });

function zipOf(entries: Record<string, Bytes>): Bytes {
  return zipSync(entries);
}

function folder(dir: string, prefix: string, only?: RegExp): Record<string, Bytes> {
  const out: Record<string, Bytes> = {};
  for (const name of readdirSync(dir)) if (!only || only.test(name)) out[`${prefix}${name}`] = readFileSync(join(dir, name));
  return out;
}

describe('MovieLens as downloaded: ZIP archives', () => {
  it('ml-latest-small.zip loads as its ratings.csv with movies.csv, both ways', () => {
    const zip = zipOf(folder(ML_SMALL_DIR, 'ml-latest-small/'));
    const r = bothWays([{ name: 'ml-latest-small.zip', bytes: zip }]);
    const unpacked = parseRatingsCsv(readFileSync(`${ML_SMALL_DIR}ratings.csv`, 'utf8'), 'ratings.csv', parseMovies(readFileSync(`${ML_SMALL_DIR}movies.csv`, 'utf8'), 'movies.csv'));
    expectSame(r, unpacked);
    expect(counts(r)).toEqual({ users: 610, items: 9_724, ratings: 100_836 });
    expect(r.itemNames[0]).toBe('Toy Story (1995)');
  });

  it('ml-100k.zip loads as its u.data with u.item, leaving the split files packed', () => {
    const files = folder(ML100K_DIR, 'ml-100k/');
    const zip = zipOf({ ...files, 'ml-100k/u1.base': files['ml-100k/u.data'], 'ml-100k/README': utf8('readme'), '__MACOSX/ml-100k/._u.data': new Uint8Array([0, 5, 22]) });
    const found = recogniseFiles([{ name: 'ml-100k.zip', bytes: Uint8Array.from(zip).buffer }]);
    expect('source' in found && found.source.kind === 'csv' && [found.source.name, found.source.moviesName]).toEqual(['ml-100k.zip/u.data', 'ml-100k.zip/u.item']);
    const r = bothWays([{ name: 'ml-100k.zip', bytes: zip }]);
    expectSame(r, viaCli([{ name: 'u.data', bytes: files['ml-100k/u.data'] }, { name: 'u.item', bytes: files['ml-100k/u.item'] }]));
    expect(r.itemNames).toContain('Misérables, Les (1995)');
  });

  it('an archive without a ratings file, and a damaged one, are refused naming the archive', () => {
    const noRatings = zipOf({ 'docs/a.txt': utf8('a'), 'docs/b.txt': utf8('b'), 'img.png': new Uint8Array([0x89, 0x50]) });
    expect(errorOf(() => viaPage([{ name: 'stuff.zip', bytes: noRatings }])).message).toBe(
      'stuff.zip: a ZIP archive without a ratings file (ratings.csv, ratings.dat or u.data); it holds docs/a.txt, docs/b.txt, img.png: unpack it and choose the ratings file',
    );
    const whole = zipOf(folder(ML100K_DIR, ''));
    expect(errorOf(() => viaCli([{ name: 'cut.zip', bytes: whole.slice(0, whole.length - 40) }])).message).toMatch(/cut\.zip: a ZIP archive that cannot be unpacked/);
  });

  it('an archive of one CSV gives that CSV', () => {
    const r = bothWays([{ name: 'one.zip', bytes: zipOf({ 'mine.csv': utf8('user,item,rating\na,x,1\nb,x,2\n') }) }]);
    expect(counts(r)).toEqual({ users: 2, items: 1, ratings: 2 });
  });
});

describe('formats users actually have, the same both ways', () => {
  it('MovieLens 1M ratings.dat (::, no header) with a Latin-1 movies.dat', () => {
    const ratings = '1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n\n2::3::1::978300000\n';
    const movies = '1193::One Flew Over the Cuckoo\'s Nest (1975)::Drama\n661::James and the Giant Peach (1996)::Animation|Children\'s|Musical\n3::Misérables, Les (1995)::Drama|War\n';
    const r = bothWays([{ name: 'ratings.dat', bytes: utf8(ratings) }, { name: 'movies.dat', bytes: latin1(movies) }]);
    expect(counts(r)).toEqual({ users: 2, items: 3, ratings: 4 });
    expect(r.itemNames).toEqual(["One Flew Over the Cuckoo's Nest (1975)", 'James and the Giant Peach (1996)', 'Misérables, Les (1995)']);
    expect(r.itemGenres).toEqual([['Drama'], ['Animation', "Children's", 'Musical'], ['Drama', 'War']]);
    expect([...r.time]).toEqual([978300760, 978302109, 978298413, 978300000]);
    // Its first line is data, not a header with an unknown column (as it was read before).
    const renamed = viaPage([{ name: 'data.csv', bytes: utf8(ratings) }]);
    expect(counts(renamed)).toEqual({ users: 2, items: 3, ratings: 4 });
  });

  it('semicolon- and tab-separated files, and quoted fields holding commas', () => {
    const semi = bothWays([{ name: 'semi.csv', bytes: utf8('userId;movieId;rating\n1;10;4\n2;"1,0";3,5\n'.replace('3,5', '3.5')) }]);
    expect(semi.itemNames).toEqual(['10', '1,0']);
    const tab = bothWays([{ name: 'tab.tsv', bytes: utf8('user\titem\trating\ttimestamp\nann\tHeat\t4\t10\nbob\tRan\t2\t11\n') }]);
    expect(counts(tab)).toEqual({ users: 2, items: 2, ratings: 2 });
    const quoted = bothWays([{ name: 'q.csv', bytes: utf8('user,item,rating\n"Smith, J","Heat, the",4\n"Doe, A","Heat, the",2\n') }]);
    expect(quoted.userNames).toEqual(['Smith, J', 'Doe, A']);
    expect(quoted.itemNames).toEqual(['Heat, the']);
  });

  it('Book-Crossing: quoted ";"-separated, Latin-1 names, ISBNs kept as written, a 0–10 scale', () => {
    const text = '"User-ID";"ISBN";"Book-Rating"\n"276725";"034545104X";"0"\n"276726";"0155061224";"5"\n"276727";"0446520802";"10"\n"276726";"034545104X";"7"\n';
    const mapping = { user: 'User-ID', item: 'ISBN', rating: 'Book-Rating' };
    // The page asks, guessing every column from its name; the CLI says what to give.
    const found = recogniseFiles([{ name: 'BX-Book-Ratings.csv', bytes: latin1(text).buffer as ArrayBuffer }]);
    expect('ask' in found && found.ask).toMatchObject({ columns: ['User-ID', 'ISBN', 'Book-Rating'], guess: { ...mapping, time: null }, sep: ';' });
    expect(errorOf(() => viaCli([{ name: 'BX-Book-Ratings.csv', bytes: latin1(text) }])).message).toMatch(
      /BX-Book-Ratings\.csv: the header \("User-ID", "ISBN", "Book-Rating"\) does not name .*perhaps --columns user=User-ID,item=ISBN,rating=Book-Rating\)$/,
    );
    const r = bothWays([{ name: 'BX-Book-Ratings.csv', bytes: latin1(text) }], mapping);
    expect(r.itemNames).toEqual(['034545104X', '0155061224', '0446520802']);
    expect(ratingScale(r).text).toBe('ratings from 0 to 10');
    // Read with the wrong separator, the error says which one the file seems to use.
    expect(errorOf(() => viaCli([{ name: 'BX-Book-Ratings.csv', bytes: latin1(text) }], { ...readingFromFlags({ sep: ',' }), columns: mapping })).message).toMatch(
      /^[^,]*BX-Book-Ratings\.csv, line 1: unexpected text after a closing quote \(the file seems to be separated by ";", not ",": on the command line give --sep ';'\)$/,
    );
  });

  it('header-less user,item,rating[,timestamp], with string ids (ASINs) kept as names', () => {
    const three = bothWays([{ name: 'amazon.csv', bytes: utf8('A1RSDE90N6RSZF,B00005N5PF,5\nA3GD6T1K2C3ZL7,B00005N5PF,3\nA1RSDE90N6RSZF,0001527665,4\n') }]);
    expect(three.userNames).toEqual(['A1RSDE90N6RSZF', 'A3GD6T1K2C3ZL7']);
    expect(three.itemNames).toEqual(['B00005N5PF', '0001527665']);
    expect([...three.time]).toEqual([0, 1, 2]);
    const four = bothWays([{ name: 'r.csv', bytes: utf8('1,31,2.5,1260759144\n1,1029,3,1260759179\n') }]);
    expect([...four.time]).toEqual([1260759144, 1260759179]);
  });

  it('a whitespace-only line is skipped in a CSV, as in u.data', () => {
    const r = bothWays([{ name: 'r.csv', bytes: utf8('userId,movieId,rating\n1,10,4\n   \n \t \n2,10,3\n') }]);
    expect(counts(r)).toEqual({ users: 2, items: 1, ratings: 2 });
  });

  it('a movies.csv line of 100,000 genres parses in linear time', () => {
    const genres = Array.from({ length: 100_000 }, (_, k) => `g${k}`).join('|');
    const t0 = performance.now();
    const movies = parseMovies(`movieId,title,genres\n1,A,${genres}|g5\n`, 'movies.csv');
    // Quadratic de-duplication (as before) takes about a minute here; linear, milliseconds.
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(movies.get('1')!.genres.length).toBe(100_000);
  });
});

describe('encodings: ids stay distinct, text reads as written', () => {
  it('Latin-1 ids never merge: José, Josè, Josñ and Jose are four users', () => {
    const r = bothWays([{ name: 'r.csv', bytes: latin1('user,item,rating\nJosé,a,1\nJosè,a,2\nJosñ,a,3\nJose,a,4\n') }]);
    expect(r.userNames).toEqual(['José', 'Josè', 'Josñ', 'Jose']);
    // Windows-1252's extra letters too (0x9A is š).
    expect(viaPage([{ name: 'r.csv', bytes: Uint8Array.from([...utf8('user,item,rating\n'), 0x9a, ...utf8(',a,1\n')]) }]).userNames).toEqual(['š']);
  });

  it('UTF-8 u.item reads as UTF-8 (Misérables, not MisÃ©rables); the Latin-1 original as Latin-1', () => {
    const data = readFileSync(`${ML100K_DIR}u.data`);
    const item = readFileSync(`${ML100K_DIR}u.item`);
    const asUtf8 = utf8(new TextDecoder('latin1').decode(item));
    const fromUtf8 = bothWays([{ name: 'u.data', bytes: data }, { name: 'u.item', bytes: asUtf8 }]);
    expect(fromUtf8.itemNames).toContain('Misérables, Les (1995)');
    expectSame(fromUtf8, bothWays([{ name: 'u.data', bytes: data }, { name: 'u.item', bytes: item }]));
  });

  it('UTF-16 with a byte order mark, either endianness, reads its header', () => {
    const text = 'userId,movieId,rating\n1,Amélie,4\n2,Amélie,3\n';
    for (const endian of ['le', 'be'] as const) {
      const r = bothWays([{ name: 'r.csv', bytes: utf16(text, endian) }]);
      expect(r.itemNames).toEqual(['Amélie']);
    }
  });

  it('a UTF-8 byte order mark is not part of the first column name', () => {
    const r = bothWays([{ name: 'r.csv', bytes: Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('userId,movieId,rating\n1,2,3\n')]) }]);
    expect(r.userNames).toEqual(['1']);
  });
});

describe('binary files are refused, saying what they look like', () => {
  const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  it.each([
    ['ratings.csv', PNG, 'ratings.csv: looks like a PNG image, not a CSV'],
    ['ratings.csv', Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0]), 'ratings.csv: looks like a gzip archive, not a CSV'],
    ['u.data', utf8('%PDF-1.7\n1 0 obj\n'), 'u.data: looks like a PDF document, not a text file of ratings or movies'],
    ['ratings.csv', Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]), 'ratings.csv: looks like a JPEG image, not a CSV'],
  ])('%s holding %j', (name, bytes, message) => {
    expect(errorOf(() => viaPage([{ name, bytes }])).message).toBe(message);
    expect(errorOf(() => viaCli([{ name, bytes }])).message).toMatch(new RegExp(`${name.replace('.', '\\.')}: ${message.slice(name.length + 2)}$`));
  });

  it('NUL bytes are refused and never echoed; UTF-16 without a byte order mark gets a hint', () => {
    const e = errorOf(() => viaPage([{ name: 'r.csv', bytes: utf8('userId,movieId,rating\n1,2\u00003,4\n') }]));
    expect(e.message).toBe('r.csv: looks like binary data (a NUL byte at byte 26), not a CSV');
    const noBom = utf16('userId,movieId,rating\n', 'le').slice(2);
    expect(errorOf(() => viaPage([{ name: 'r.csv', bytes: noBom }])).message).toMatch(/NUL byte at byte 2\) or UTF-16 text without a byte order mark \(save it as UTF-8\)/);
  });

  it('random bytes are refused as binary; a stray control character is read, and escaped when quoted', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 50; trial++) {
      const bytes = Uint8Array.from({ length: 400 }, () => 1 + rng.int(255));
      expect(errorOf(() => viaPage([{ name: 'r.csv', bytes }])).message).toMatch(/^r\.csv: looks like binary data \(\d+ (bytes that are neither UTF-8 nor Latin-1 text|control characters), the first at (byte|character) \d+\), not a CSV$/);
    }
    const message = errorOf(() => viaPage([{ name: 'r.csv', bytes: utf8('userId,movieId,rating\n1,2,\u001b[31m5\n') }])).message;
    expect(message).toBe('r.csv, line 2: rating "\\x1b[31m5" is not a number');
    expect(message).not.toMatch(/[\u0000-\u001f]/);
  });
});

describe('ratings: finite in float32, on any scale', () => {
  it.each(['1e39', '1e308', '-3.5e38'])('a rating of %s is refused with its file and line', (big) => {
    expect(errorOf(() => viaPage([{ name: 'r.csv', bytes: utf8(`userId,movieId,rating\n1,2,3\n1,3,${big}\n`) }])).message).toBe(
      `r.csv, line 3: rating "${big}" is too large: ratings are trained as 32-bit floats, whose largest is about 3.4e38`,
    );
    expect(errorOf(() => viaPage([{ name: 'ratings.dat', bytes: utf8(`1::2::${big}::5\n`) }])).message).toMatch(/^ratings\.dat, line 1: rating .* too large/);
  });

  it('states the scale (0–10, −10…10, 0/1) and warns about a huge one', () => {
    const scaleOf = (values: number[]) => ratingScale({ rating: Float32Array.from(values) });
    expect(scaleOf([0, 10, 3]).text).toBe('ratings from 0 to 10');
    expect(scaleOf([-10, 10, 0.5]).text).toBe('ratings from -10 to 10');
    expect(scaleOf([0, 1, 1]).text).toBe('ratings of 0 or 1 (implicit feedback)');
    expect(scaleOf([1, 5]).warning).toBeNull();
    expect(scaleOf([1, 99999999999]).warning).toMatch(/^ratings reach 1\.00e\+11: .*rescale them/);
  });

  it('--min-rating and the split work on a −10…10 scale', () => {
    const rows = Array.from({ length: 40 }, (_, k) => `u${k % 5},j${k % 7},${((k * 5) % 21) - 10}`);
    const r = bothWays([{ name: 'jester.csv', bytes: utf8(`user,item,rating\n${rows.join('\n')}\n`) }]);
    const kept = filterByRating(r, 5);
    expect(kept.rating.length).toBe([...r.rating].filter((x) => x >= 5).length);
    expect(Math.min(...kept.rating)).toBeGreaterThanOrEqual(5);
    const p = prepare(r, { ...SEED_SETTINGS, minRating: -2, split: 0.75 }, new Rng(1));
    expect(p.train.user.length + p.test.user.length).toBe([...r.rating].filter((x) => x >= -2).length);
    expect(p.test.user.length).toBeGreaterThan(0);
  });

  it('a run with no training or no test ratings after the split is refused with the counts', () => {
    const one = viaPage([{ name: 'one.csv', bytes: utf8('user,item,rating\na,x,5\n') }]);
    expect(errorOf(() => prepare(one, SEED_SETTINGS, new Rng(1))).message).toBe(
      'the time split with train fraction 0.875 of 1 rating leaves 0 to train and 1 to test: a run needs at least two ratings, one to train and one to test',
    );
    const two = viaPage([{ name: 'two.csv', bytes: utf8('user,item,rating\na,x,5\nb,x,4\n') }]);
    expect(errorOf(() => prepare(two, { ...SEED_SETTINGS, split: 1 }, new Rng(1))).message).toBe(
      'the time split with train fraction 1 of 2 ratings leaves 2 to train and 0 to test: lower the train fraction',
    );
    expect(errorOf(() => prepare(two, { ...SEED_SETTINGS, splitMode: 'userTime' }, new Rng(1))).message).toMatch(/leaves 2 to train and 0 to test/);
  });
});

describe('--columns and --sep', () => {
  it('read as the page\'s column dialog does', () => {
    expect(readingFromFlags({ columns: 'user=customer,item=product,rating=stars,time=when', sep: 'tab' })).toEqual({
      columns: { user: 'customer', item: 'product', rating: 'stars', time: 'when' },
      sep: '\t',
    });
    const text = 'customer\tproduct\tstars\twhen\tnote\nc1\tp1\t4\t10\ta, b\nc2\tp1\t2\t11\t\n';
    const mapping = { user: 'customer', item: 'product', rating: 'stars', time: 'when' };
    const r = viaCli([{ name: 'shop.txt', bytes: utf8(text) }], readingFromFlags({ columns: 'user=customer,item=product,rating=stars,time=when', sep: 'tab' }));
    expectSame(r, viaPage([{ name: 'shop.txt', bytes: utf8(text) }], mapping));
    expect([...r.time]).toEqual([10, 11]);
  });

  it.each([
    [{ columns: 'user=a,item=b' }, /^--columns: no column named for rating/],
    [{ columns: 'user=a,thing=b,rating=c' }, /^--columns: expected user=NAME.*got "thing=b"/],
    [{ columns: 'user=a,user=b,item=c,rating=d' }, /^--columns: user is given twice/],
    [{ sep: '::' }, /^--sep: the separator must be "," ";" "tab" or "\|", got "::"/],
  ])('refuse %j', (flags, message) => {
    expect(errorOf(() => readingFromFlags(flags)).message).toMatch(message);
  });
});

// A folder for the 1M-rating bench is made by the bench itself (bench/parse-speed.ts); here, only
// that nested folders of a ZIP and the CLI's movies file beside ratings.dat are found.
describe('the movies file beside --data', () => {
  it('is movies.dat beside ratings.dat, movies.csv beside a CSV, u.item beside u.data', () => {
    const dir = join(DIR, 'beside');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ratings.dat'), '1::7::4::1\n');
    writeFileSync(join(dir, 'movies.dat'), '7::Seven (1995)::Crime\n');
    expect(cliLoad(join(dir, 'ratings.dat')).itemNames).toEqual(['Seven (1995)']);
  });
});
