import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { csvColumns, guessColumnMapping, parseMovies, parseMoviesCsv, parseRatingsCsv, type ColumnMapping } from '../src/graph/csv';
import { InputError } from '../src/util/errors';
import { Rng } from '../src/util/rng';
import { ML_SMALL_DIR } from './helpers/paths';
import { errorOf } from './helpers/errors';
import { mutator } from './helpers/mutate';


describe('parseRatingsCsv', () => {
  it('reads MovieLens columns, numbering users and items by first appearance', () => {
    const r = parseRatingsCsv('userId,movieId,rating,timestamp\n7,50,4.5,100\n3,50,2,90\n7,60,1,80\n', 'r.csv');
    expect(r.userNames).toEqual(['7', '3']);
    expect(r.itemNames).toEqual(['50', '60']);
    expect([...r.user]).toEqual([0, 1, 0]);
    expect([...r.item]).toEqual([0, 0, 1]);
    expect([...r.rating]).toEqual([4.5, 2, 1]);
    expect([...r.time]).toEqual([100, 90, 80]);
  });

  it('takes columns in any order, with CRLF, a BOM, quotes and no trailing newline', () => {
    const text = '\uFEFFrating,"movieId",userId\r\n3,"1",a\r\n"4.5",2,"b,c"';
    const r = parseRatingsCsv(text, 'r.csv');
    expect(r.userNames).toEqual(['a', 'b,c']);
    expect(r.itemNames).toEqual(['1', '2']);
    expect([...r.rating]).toEqual([3, 4.5]);
  });

  it('uses the row index as time when there is no timestamp column', () => {
    const r = parseRatingsCsv('userId,movieId,rating\n1,1,1\n1,2,2\n2,1,3\n', 'r.csv');
    expect([...r.time]).toEqual([0, 1, 2]);
  });

  it('names items by title when a title map is given', () => {
    const titles = new Map([['89745', 'Avengers, The (2012)']]);
    const r = parseRatingsCsv('userId,movieId,rating\n1,89745,5\n1,2,3\n', 'r.csv', titles);
    expect(r.itemNames).toEqual(['Avengers, The (2012)', '2']);
  });

  it('reads the named form (user,item) and quoted fields with doubled quotes and line breaks', () => {
    const r = parseRatingsCsv('user,item,rating,timestamp\nBob,"The ""Best""\nMovie",5,1\n', 't.csv');
    expect(r.userNames).toEqual(['Bob']);
    expect(r.itemNames).toEqual(['The "Best"\nMovie']);
  });

  it('skips blank lines and still counts them in line numbers', () => {
    const e = errorOf(() => parseRatingsCsv('userId,movieId,rating\n\n1,1,1\n\n1,2\n', 'r.csv'));
    expect(e.message).toContain('line 5');
  });

  const bad: [string, string, RegExp][] = [
    ['empty file', '', /r\.csv: the file is empty/],
    ['blank file', '\uFEFF \r\n\n', /the file is empty/],
    ['header only', 'userId,movieId,rating\n', /header but no ratings/],
    ['missing column', 'userId,movieId,timestamp\n1,2,3\n', /line 1: missing column "rating"/],
    ['missing item column', 'userId,rating\n1,2\n', /line 1: missing column "movieId" or "item"/],
    ['unknown column', 'userId,movieId,rating,genre\n', /line 1: unknown column "genre"/],
    ['duplicate column', 'userId,movieId,rating,rating\n', /line 1: duplicate column "rating"/],
    ['duplicate alias', 'userId,user,movieId,rating\n', /line 1: duplicate column "user" \(the user column is already "userId"\)/],
    ['empty header field', 'userId,,movieId,rating\n', /line 1: header field 2 is empty/],
    ['too few fields', 'userId,movieId,rating\n1,1,1\n1,2\n', /line 3: expected 3 fields .*found 2/],
    ['too many fields', 'userId,movieId,rating\n1,1,1,9\n', /line 2: expected 3 fields .*found 4/],
    ['non-numeric rating', 'userId,movieId,rating\n1,1,good\n', /line 2: rating "good" is not a number/],
    ['empty rating', 'userId,movieId,rating\n1,1,\n', /line 2: rating "" is not a number/],
    ['hex rating', 'userId,movieId,rating\n1,1,0x5\n', /line 2: rating "0x5" is not a number/],
    ['NaN rating', 'userId,movieId,rating\n1,1,NaN\n', /line 2: rating "NaN" is not a number/],
    ['infinite rating', 'userId,movieId,rating\n1,1,1e999\n', /line 2: rating "1e999" is not finite/],
    ['bad timestamp', 'userId,movieId,rating,timestamp\n1,1,1,yesterday\n', /line 2: timestamp "yesterday" is not a number/],
    ['empty user id', 'userId,movieId,rating\n 1,1,1\n ,1,1\n', /line 3: empty user id/],
    ['empty item id', 'userId,movieId,rating\n1,"",1\n', /line 2: empty item id/],
    ['unclosed quote', 'userId,movieId,rating\n1,"1,1\n2,2,2\n', /line 2: a quoted field is never closed/],
    ['text after quote', 'userId,movieId,rating\n1,"1"x,1\n', /line 2: unexpected text after a closing quote/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects: ${name}`, () => {
      const e = errorOf(() => parseRatingsCsv(text, 'r.csv'));
      expect(e.message).toMatch(message);
      if (/line/.test(message.source)) expect(e.message).toMatch(/^r\.csv, line \d+: /);
    });
  }

  it('throws nothing but InputError on thousands of mutated files (ratings and movies)', () => {
    const valid = 'userId,movieId,rating,timestamp\r\n1,10,4.0,5\r\n"2","1,1",3.5,6\r\n3,12,1,7\r\n';
    const alphabet = [',', '"', '\n', '\r', ' ', 'a', '1', '.', '-', 'e', '\uFEFF', '', 'rating', 'user'];
    const rng = new Rng(42);
    let parsed = 0;
    for (let trial = 0; trial < 5000; trial++) {
      let text = valid;
      const edits = 1 + rng.int(4);
      for (let k = 0; k < edits; k++) {
        const at = rng.int(text.length + 1);
        const what = rng.int(3);
        const piece = alphabet[rng.int(alphabet.length)];
        if (what === 0) text = text.slice(0, at) + piece + text.slice(at);
        else if (what === 1) text = text.slice(0, at) + text.slice(at + 1 + rng.int(3));
        else text = text.slice(0, at) + piece + text.slice(at + 1);
      }
      try {
        const r = parseRatingsCsv(text, 'fuzz.csv');
        parsed++;
        expect(r.user.length).toBeGreaterThan(0);
        for (const x of r.rating) expect(Number.isFinite(x)).toBe(true);
      } catch (e) {
        if (!(e instanceof InputError)) throw new Error(`non-InputError ${String(e)} for ${JSON.stringify(text)}`);
        expect(e.message).toMatch(/^fuzz\.csv/);
      }
    }
    // Some mutations keep the file valid; the fuzz must exercise both outcomes.
    expect(parsed).toBeGreaterThan(100);
    expect(parsed).toBeLessThan(5000);

    const movies = 'movieId,title,genres\n1,"Avengers, The (2012)",Action\n2,"a ""b"" c",x\n';
    for (let trial = 0; trial < 2000; trial++) {
      const at = rng.int(movies.length + 1);
      const text = movies.slice(0, at) + alphabet[rng.int(alphabet.length)] + movies.slice(at + rng.int(3));
      try {
        parseMoviesCsv(text, 'fuzz.csv');
      } catch (e) {
        if (!(e instanceof InputError)) throw new Error(`non-InputError ${String(e)} for ${JSON.stringify(text)}`);
      }
    }
  });
});

describe('MovieLens latest-small', () => {
  const ratingsText = readFileSync(`${ML_SMALL_DIR}ratings.csv`, 'utf8');
  const moviesText = readFileSync(`${ML_SMALL_DIR}movies.csv`, 'utf8');

  it('parses ratings.csv: 100,836 ratings by 610 users of 9,724 rated movies', () => {
    const r = parseRatingsCsv(ratingsText, 'ratings.csv');
    expect(r.user.length).toBe(100_836);
    expect(r.userNames.length).toBe(610);
    // movies.csv lists 9,742 movies; 18 of them have no rating.
    expect(r.itemNames.length).toBe(9_724);
    expect(r.rating[0]).toBe(4);
    expect(r.time[0]).toBe(964982703);
    expect(Math.min(...r.rating)).toBe(0.5);
    expect(Math.max(...r.rating)).toBe(5);
  });

  it('parses movies.csv (quoted titles with commas and quotes) and names items with it', () => {
    const titles = parseMoviesCsv(moviesText, 'movies.csv');
    expect(titles.size).toBe(9_742);
    expect(titles.get('89745')).toBe('Avengers, The (2012)');
    expect(titles.get('112852')).toBe('Guardians of the Galaxy (2014)');
    expect(titles.get('7789')).toBe(`11'09"01 - September 11 (2002)`);
    const r = parseRatingsCsv(ratingsText, 'ratings.csv', titles);
    expect(r.itemNames[0]).toBe('Toy Story (1995)');
    expect(r.itemNames).toContain('Avengers, The (2012)');
  });
});

describe('parseMoviesCsv', () => {
  it('ignores extra columns and keeps ids for empty titles', () => {
    const m = parseMoviesCsv('movieId,title,genres,year\n1,A,x,1\n2,,y,2\n', 'm.csv');
    expect([...m]).toEqual([['1', 'A']]);
  });

  it.each([
    ['', /m\.csv: the file is empty/],
    ['movieId,genres\n1,x\n', /line 1: missing column "title"/],
    ['movieId,title\n1,A\n1,B\n', /line 3: movieId 1 appears twice/],
    ['movieId,title\n,A\n', /line 2: empty movieId/],
    ['movieId,title\n1,A,B\n', /line 2: expected 2 fields, found 3/],
  ])('rejects %j', (text, message) => {
    expect(errorOf(() => parseMoviesCsv(text, 'm.csv')).message).toMatch(message);
  });
});

describe('parseRatingsCsv with a column mapping', () => {
  const mapping: ColumnMapping = { user: 'customer', item: 'product', rating: 'stars', time: 'when' };

  it('reads the mapped columns of any CSV and skips the others (even unnamed ones)', () => {
    const text = ',stars,product,notes,customer,when\n0,4,p1,"hi, there",c1,10\n1,2.5,p2,,c2,5\n2,5,p1,x,c2,7\n';
    const r = parseRatingsCsv(text, 'any.csv', undefined, { mapping });
    expect(r.userNames).toEqual(['c1', 'c2']);
    expect(r.itemNames).toEqual(['p1', 'p2']);
    expect([...r.user]).toEqual([0, 1, 1]);
    expect([...r.item]).toEqual([0, 1, 0]);
    expect([...r.rating]).toEqual([4, 2.5, 5]);
    expect([...r.time]).toEqual([10, 5, 7]);
  });

  it('takes the time column as optional (then time is the row index) and matches names without regard to case', () => {
    const r = parseRatingsCsv('Customer,PRODUCT,Stars,when\nc,p,1,99\nd,p,2,98\n', 'any.csv', undefined, { mapping: { user: 'customer', item: 'product', rating: 'stars' } });
    expect([...r.time]).toEqual([0, 1]);
    expect([...r.rating]).toEqual([1, 2]);
  });

  it('also maps MovieLens files, and the default without a mapping is unchanged', () => {
    const text = 'userId,movieId,rating,timestamp\n7,50,4.5,100\n3,50,2,90\n';
    const mapped = parseRatingsCsv(text, 'r.csv', undefined, { mapping: { user: 'userId', item: 'movieId', rating: 'rating', time: 'timestamp' } });
    expect(mapped).toEqual(parseRatingsCsv(text, 'r.csv'));
  });

  it('prefers an exact name over a case-insensitive one', () => {
    const r = parseRatingsCsv('u,U,i,r\na,b,1,2\n', 'x.csv', undefined, { mapping: { user: 'U', item: 'i', rating: 'r' } });
    expect(r.userNames).toEqual(['b']);
  });

  const bad: [string, string, ColumnMapping, RegExp][] = [
    ['a mapped column missing', 'customer,product,rating\nc,p,1\n', mapping, /^m\.csv, line 1: missing column "stars" \(chosen for the ratings; the header has "customer", "product", "rating"\)/],
    ['a mapped column twice', 'customer,product,stars,stars,when\n', mapping, /^m\.csv, line 1: duplicate column "stars" \(fields 3 and 4/],
    ['one column for two roles', 'a,b\n', { user: 'a', item: 'a', rating: 'b' }, /^m\.csv: column "a" is chosen for both the user ids and the item ids/],
    ['no column chosen', 'a,b\n', { user: 'a', item: ' ', rating: 'b' }, /^m\.csv: no column chosen for the item ids/],
    ['too few fields', 'customer,product,stars,when\nc,p,1,2\nc,p,1\n', mapping, /^m\.csv, line 3: expected 4 fields/],
    ['a non-numeric rating', 'customer,product,stars,when\nc,p,five,2\n', mapping, /^m\.csv, line 2: rating "five" is not a number/],
    ['a non-numeric time', 'customer,product,stars,when\nc,p,5,today\n', mapping, /^m\.csv, line 2: timestamp "today" is not a number/],
    ['an empty user id', 'customer,product,stars,when\n,p,5,1\n', mapping, /^m\.csv, line 2: empty user id/],
    ['header only', 'customer,product,stars,when\n', mapping, /^m\.csv: the file has a header but no ratings/],
    ['an empty file', '\n\n', mapping, /^m\.csv: the file is empty/],
  ];
  it.each(bad)('rejects %s', (_, text, m, message) => {
    expect(errorOf(() => parseRatingsCsv(text, 'm.csv', undefined, { mapping: m })).message).toMatch(message);
  });
});

describe('a repeated header', () => {
  it('is named as such (two files joined), with its line', () => {
    const text = 'userId,movieId,rating\n1,1,1\nuserId,movieId,rating\n2,2,2\n';
    expect(errorOf(() => parseRatingsCsv(text, 'r.csv')).message).toBe('r.csv, line 3: the header appears again here (were two files joined?)');
  });
});

describe('csvColumns and guessColumnMapping', () => {
  it('lists the header (trimmed, quotes undone) from the first record only', () => {
    expect(csvColumns('\uFEFF\n user ,"item, the", rating\n1,2,3\n', 'a.csv')).toEqual(['user', 'item, the', 'rating']);
    // A prefix of a file is enough, even one cut inside a later quoted field.
    expect(csvColumns('a,b,c\n1,"2', 'a.csv')).toEqual(['a', 'b', 'c']);
    expect(csvColumns('a,b', 'a.csv')).toEqual(['a', 'b']);
  });

  it('reads the header of ratings.csv without reading the rest', () => {
    const text = readFileSync(`${ML_SMALL_DIR}ratings.csv`, 'utf8');
    const t0 = performance.now();
    for (let k = 0; k < 1000; k++) csvColumns(text, 'ratings.csv');
    expect(csvColumns(text, 'ratings.csv')).toEqual(['userId', 'movieId', 'rating', 'timestamp']);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it.each([
    ['', /^a\.csv: the file is empty/],
    [' \r\n', /^a\.csv: the file is empty/],
    ['"a,b\n', /^a\.csv, line 1: a quoted field is never closed/],
  ])('rejects %j', (text, message) => {
    expect(errorOf(() => csvColumns(text, 'a.csv')).message).toMatch(message);
  });

  it('guesses the usual names, never one column twice', () => {
    expect(guessColumnMapping(['userId', 'movieId', 'rating', 'timestamp'])).toEqual({ user: 'userId', item: 'movieId', rating: 'rating', time: 'timestamp' });
    expect(guessColumnMapping(['User_ID', ' Item-Id ', 'Score'])).toEqual({ user: 'User_ID', item: 'Item-Id', rating: 'Score', time: null });
    expect(guessColumnMapping(['a', 'b'])).toEqual({ user: null, item: null, rating: null, time: null });
    expect(guessColumnMapping(['user', 'user'])).toEqual({ user: 'user', item: null, rating: null, time: null });
  });
});

describe('parseMovies (titles and genres)', () => {
  it('splits genres on |, drops "(no genres listed)", keeps empty titles as ""', () => {
    const m = parseMovies('movieId,title,genres\n1,"Avengers, The (2012)",Action|Adventure|Sci-Fi\n2,B,(no genres listed)\n3,,Drama| Drama |\n', 'm.csv');
    expect(m.get('1')).toEqual({ title: 'Avengers, The (2012)', genres: ['Action', 'Adventure', 'Sci-Fi'] });
    expect(m.get('2')).toEqual({ title: 'B', genres: [] });
    expect(m.get('3')).toEqual({ title: '', genres: ['Drama'] });
    // The titles-only form is the same file less the genres and the empty titles.
    expect([...parseMoviesCsv('movieId,title,genres\n1,A,x\n2,,y\n', 'm.csv')]).toEqual([['1', 'A']]);
  });

  it('gives no genres without a genres column', () => {
    expect(parseMovies('movieId,title\n1,A\n', 'm.csv').get('1')).toEqual({ title: 'A', genres: [] });
  });

  it('gives ratings their items’ genres; an item it lacks has none, and titles-only maps give no genres', () => {
    const movies = parseMovies('movieId,title,genres\n10,Ten,Comedy|Drama\n', 'm.csv');
    const r = parseRatingsCsv('userId,movieId,rating\n1,10,5\n1,11,3\n', 'r.csv', movies);
    expect(r.itemNames).toEqual(['Ten', '11']);
    expect(r.itemGenres).toEqual([['Comedy', 'Drama'], []]);
    expect(parseRatingsCsv('userId,movieId,rating\n1,10,5\n', 'r.csv', new Map([['10', 'Ten']])).itemGenres).toBeUndefined();
  });

  it('reads ml-latest-small: 9,742 movies, 19 genres, 34 without', () => {
    const movies = parseMovies(readFileSync(`${ML_SMALL_DIR}movies.csv`, 'utf8'), 'movies.csv');
    expect(movies.size).toBe(9_742);
    expect(movies.get('1')).toEqual({ title: 'Toy Story (1995)', genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'] });
    const genres = new Set([...movies.values()].flatMap((m) => m.genres));
    expect(genres.size).toBe(19);
    expect([...movies.values()].filter((m) => m.genres.length === 0).length).toBe(34);
    const r = parseRatingsCsv(readFileSync(`${ML_SMALL_DIR}ratings.csv`, 'utf8'), 'ratings.csv', movies);
    expect(r.itemGenres!.length).toBe(9_724);
    expect(r.itemNames[0]).toBe('Toy Story (1995)');
    expect(r.itemGenres![0]).toContain('Animation');
  });
});

describe('fuzz of the new parsers', () => {
  it('throws nothing but InputError on thousands of mutated and random inputs', () => {
    const alphabet = [',', '"', '\n', '\r', ' ', 'a', '1', '.', '-', 'e', '|', '\uFEFF', '', 'stars', 'customer', '(no genres listed)'];
    const rng = new Rng(2024);
    const mutate = mutator(rng, alphabet);
    const mustBeInputError = (f: () => unknown, text: string) => {
      try {
        f();
        return true;
      } catch (e) {
        if (!(e instanceof InputError)) throw new Error(`non-InputError ${String(e)} for ${JSON.stringify(text)}`);
        return false;
      }
    };
    const anyCsv = ',stars,product,notes,customer,when\n0,4,p1,"hi, there",c1,10\n1,2.5,"p,2",,c2,5\n2,5,p1,x,c2,7\n';
    const mapping: ColumnMapping = { user: 'customer', item: 'product', rating: 'stars', time: 'when' };
    const movies = 'movieId,title,genres\n1,"Avengers, The (2012)",Action|Sci-Fi\n2,"a ""b"" c",(no genres listed)\n';
    const movieMap = parseMovies(movies, 'm.csv');
    let parsed = 0;
    const trials = 3000;
    for (let trial = 0; trial < trials; trial++) {
      const text = mutate(anyCsv);
      if (mustBeInputError(() => {
        const r = parseRatingsCsv(text, 'fuzz.csv', movieMap, { mapping });
        for (const x of r.rating) if (!Number.isFinite(x)) throw new Error('non-finite rating');
        if (r.itemGenres!.length !== r.itemNames.length) throw new Error('genres misaligned');
      }, text)) parsed++;
      mustBeInputError(() => csvColumns(text, 'fuzz.csv'), text);
      const m = mutate(movies);
      mustBeInputError(() => parseMovies(m, 'fuzz.csv'), m);
      // Random mappings, including names not in the header and repeated roles.
      const names = ['customer', 'product', 'stars', 'when', '', 'x', 'Stars'];
      const pick = () => names[rng.int(names.length)];
      const randomMapping = { user: pick(), item: pick(), rating: pick(), time: rng.int(2) ? pick() : undefined };
      mustBeInputError(() => parseRatingsCsv(text, 'fuzz.csv', undefined, { mapping: randomMapping }), `${text} with ${JSON.stringify(randomMapping)}`);
      const noise = Array.from({ length: rng.int(120) }, () => alphabet[rng.int(alphabet.length)]).join('');
      mustBeInputError(() => parseRatingsCsv(noise, 'fuzz.csv', undefined, { mapping }), noise);
      mustBeInputError(() => parseMovies(noise, 'fuzz.csv'), noise);
      mustBeInputError(() => csvColumns(noise, 'fuzz.csv'), noise);
      mustBeInputError(() => guessColumnMapping(noise.split(',')), noise);
    }
    expect(parsed).toBeGreaterThan(100);
    expect(parsed).toBeLessThan(trials);
  });

  it('throws nothing but InputError on mutated semicolon-, tab-separated and header-less files, with or without a given separator', () => {
    const files = [
      '"User-ID";"ISBN";"Book-Rating"\n"1";"034545104X";"0"\n"2";"0155061224";"10"\n',
      'userId\tmovieId\trating\ttimestamp\n1\t10\t4\t5\n2\t"1,0"\t3\t6\n',
      'A1RSDE90N6RSZF,B00005N5PF,5\nA3GD6T1K2C3ZL7,0001527665,3\n',
      '1,31,2.5,1260759144\n1,1029,3,1260759179\n',
    ];
    const alphabet = [',', ';', '\t', '|', '"', '\n', '\r', ' ', 'a', '1', '.', '-', 'e', '\u0000', '\u001b', 'User-ID', '1e39'];
    const rng = new Rng(77);
    const mutate = mutator(rng, alphabet);
    const mapping: ColumnMapping = { user: 'User-ID', item: 'ISBN', rating: 'Book-Rating' };
    const seps = [undefined, ',', ';', '\t', '|'] as const;
    let parsed = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const text = mutate(files[trial % files.length]);
      const sep = seps[rng.int(seps.length)];
      try {
        const r = parseRatingsCsv(text, 'fuzz.csv', undefined, { sep, mapping: trial % files.length === 0 && rng.int(2) ? mapping : undefined });
        parsed++;
        for (const x of r.rating) expect(Number.isFinite(Math.fround(x))).toBe(true);
      } catch (e) {
        if (!(e instanceof InputError)) throw new Error(`non-InputError ${String(e)} for ${JSON.stringify(text)}`);
        expect(e.message).toMatch(/^fuzz\.csv/);
        expect(e.message).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
      }
    }
    expect(parsed).toBeGreaterThan(100);
    expect(parsed).toBeLessThan(3000);
  });
});
