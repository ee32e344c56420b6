// Ratings, titles and genres from CSV files (separated by commas, semicolons, tabs or bars). Three
// spellings of a ratings file are known without help: MovieLens (`userId,movieId,rating[,timestamp]`),
// named (`user,item,rating[,timestamp]`, the toy's form, where the ids are the display names) and
// no header at all (`user,item,rating[,timestamp]` rows from the first line on). Any other CSV
// works with a column mapping that says which columns hold the user, item, rating and
// (optionally) time; its other columns are then skipped. Ids are kept as text, so "Bob", "17" and
// an ISBN like "0195153448" work alike.
import { csvError, forEachRecord, joinFields, SEPARATORS, separatorName, type ParseProgress, type Separator } from './csvRecords';
import { readHeader } from './csvHeader';
import { isDecimal, RatingsBuilder, readNumber, readRating, splitGenres, type Movie, type MovieInfo } from './ratingsBuilder';
import type { Ratings } from './types';
import { InputError } from '../util/errors';

export type { Movie, MovieInfo } from './ratingsBuilder';

type RatingColumn = 'user' | 'item' | 'rating' | 'time';

/** Which header column holds what, by the names `csvColumns` lists. `time` is optional. */
export interface ColumnMapping {
  user: string;
  item: string;
  rating: string;
  time?: string;
}

const RATING_COLUMNS: Readonly<Record<string, RatingColumn>> = {
  userId: 'user',
  user: 'user',
  movieId: 'item',
  item: 'item',
  rating: 'rating',
  timestamp: 'time',
};

type MovieColumn = 'item' | 'title' | 'genres';

// Other columns (year, ...) are allowed and skipped.
const MOVIE_COLUMNS: Readonly<Record<string, MovieColumn>> = {
  movieId: 'item',
  title: 'title',
  genres: 'genres',
};

/** How to read a ratings CSV beyond its text: all optional. */
export interface CsvReading {
  /** Which columns hold what; without it the header must use the known names, or be absent. */
  mapping?: ColumnMapping;
  /** The field separator; guessed from the first line (guessSeparator) when not given. */
  sep?: Separator;
  progress?: ParseProgress;
}

/**
 * Whether a first record is data rather than a header: three or four fields whose third (the
 * rating) and fourth (a timestamp) are numbers. A header names its columns, and no column name
 * is a number.
 */
export function isHeaderlessRecord(fields: readonly string[]): boolean {
  return (fields.length === 3 || fields.length === 4) && fields.slice(2).every((f) => isDecimal(f.trim())) && fields[0].trim() !== '' && fields[1].trim() !== '';
}

/**
 * The separator of a delimited file, from its first non-blank line: the one of SEPARATORS found
 * most often outside quotes (a comma when none is).
 */
export function guessSeparator(text: string): Separator {
  const counts = new Map<string, number>();
  let quoted = false;
  let started = false;
  for (let k = text.charCodeAt(0) === 0xfeff ? 1 : 0; k < text.length; k++) {
    const c = text[k];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) {
      if (started) break;
    } else if (!quoted && (SEPARATORS as readonly string[]).includes(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
    if (c.trim() !== '') started = true;
  }
  let best: Separator = ',';
  for (const sep of SEPARATORS) if ((counts.get(sep) ?? 0) > (counts.get(best) ?? 0)) best = sep;
  return best;
}

const ROLE_WORDS: Record<RatingColumn, string> = {
  user: 'user ids',
  item: 'item ids',
  rating: 'ratings',
  time: 'timestamps',
};

/**
 * Parses a ratings CSV. Users and items are numbered by first appearance; item names are the
 * titles from `movies` (keyed by the item id as written) where known, else the id, and when
 * `movies` carries genres (`parseMovies`) the result has `itemGenres`. Without a time column,
 * time is the row index, so that a split "by time" follows the file order.
 *
 * Without a mapping the header must use the known names (an unknown column is an error, as it is
 * likely a typo), or the file has no header (isHeaderlessRecord: `user,item,rating[,timestamp]`).
 * With a mapping the named columns are read and every other column is skipped. Throws InputError,
 * naming the file and line, on anything malformed. `read.progress` follows the parse.
 */
export function parseRatingsCsv(text: string, fileName: string, movies?: MovieInfo, read: CsvReading = {}): Ratings {
  const { mapping, progress } = read;
  // trim() also drops a byte order mark.
  if (text.trim() === '') throw new InputError(`${fileName}: the file is empty`);
  if (mapping) checkMapping(mapping, fileName);
  const sep = read.sep ?? guessSeparator(text);
  // Field positions, set by the header (width 0 until then).
  let width = 0;
  let userAt = 0;
  let itemAt = 0;
  let ratingAt = 0;
  let timeAt: number | undefined;
  let header: string[] | null = [];
  const out = new RatingsBuilder(movies);

  const readRow = (fields: string[], line: number) => {
    if (fields.length !== width) {
      const columns = header ? ` (${joinFields(header, sep)})` : ' (user, item, rating[, timestamp], no header)';
      throw csvError(fileName, line, `expected ${width} fields${columns}, found ${fields.length}${otherSeparator(fields, sep)}`);
    }
    const userId = fields[userAt].trim();
    const itemId = fields[itemAt].trim();
    if (userId === '') throw csvError(fileName, line, 'empty user id');
    if (itemId === '') throw csvError(fileName, line, 'empty item id');
    const ratingText = fields[ratingAt];
    if (header && ratingText.trim() === header[ratingAt] && fields.every((f, k) => f.trim() === header![k])) {
      throw csvError(fileName, line, 'the header appears again here (were two files joined?)');
    }
    const rating = readRating(ratingText, fileName, line);
    const time = timeAt === undefined ? out.count : readNumber(fields[timeAt], 'timestamp', fileName, line);
    out.add(userId, itemId, rating, time);
  };

  forEachRecord(text, fileName, (fields, line) => {
    if (width !== 0) return readRow(fields, line);
    width = fields.length;
    if (!mapping && isHeaderlessRecord(fields)) {
      [userAt, itemAt, ratingAt, timeAt] = [0, 1, 2, width === 4 ? 3 : undefined];
      header = null;
      return readRow(fields, line);
    }
    const columns = mapping
      ? mappedHeader(fields, fileName, line, mapping)
      : readHeader(fields, fileName, line, RATING_COLUMNS, ['user', 'item', 'rating'], false);
    userAt = columns.get('user')!;
    itemAt = columns.get('item')!;
    ratingAt = columns.get('rating')!;
    timeAt = columns.get('time');
    header = fields.map((f) => f.trim());
  }, progress && ((fraction) => progress(fraction, out.count)), sep);

  if (out.count === 0) throw new InputError(`${fileName}: the file has a header but no ratings`);
  return out.finish();
}

/** A hint when a row of the wrong width is one field holding another separator. */
function otherSeparator(fields: string[], sep: Separator): string {
  if (fields.length !== 1) return '';
  const other = SEPARATORS.find((s) => s !== sep && fields[0].includes(s));
  return other === undefined ? '' : ` (is the file separated by ${separatorName(other)}?)`;
}

/**
 * The header's column names (trimmed, in file order), for choosing a ColumnMapping. Reads only
 * the first record, so a prefix of a large file (its first few KiB) is enough.
 */
export function csvColumns(text: string, fileName: string, sep?: Separator): string[] {
  return csvHead(text, fileName, 1, sep)[0];
}

/**
 * The first `count` records (fields trimmed; the header first), for showing a file before it is
 * parsed; `sep` is guessed when not given. Reads no further than those records. Throws
 * InputError on an empty file.
 */
export function csvHead(text: string, fileName: string, count: number, sep: Separator = guessSeparator(text)): string[][] {
  if (text.trim() === '') throw new InputError(`${fileName}: the file is empty`);
  const head: string[][] = [];
  const stop = new Error('head read');
  try {
    forEachRecord(text, fileName, (fields) => {
      head.push(fields.map((f) => f.trim()));
      if (head.length >= count) throw stop;
    }, undefined, sep);
  } catch (e) {
    if (e !== stop) throw e;
  }
  if (head.length === 0) throw new InputError(`${fileName}: the file is empty`);
  return head;
}

/**
 * Whether parseRatingsCsv reads a file with this header without a mapping: every column is one of
 * the known names (MovieLens or named). A header that is known but wrong (a column twice, one
 * missing) is still "known": the parser then says what is wrong with it.
 */
export function knowsRatingsHeader(columns: readonly string[]): boolean {
  const known = new Set(Object.keys(RATING_COLUMNS).map((name) => name.toLowerCase()));
  return columns.every((c) => known.has(c.trim().toLowerCase()));
}

const GUESSES: Record<RatingColumn, string[]> = {
  user: ['userid', 'user', 'user_id', 'uid', 'customer', 'customerid', 'customer_id'],
  item: ['movieid', 'item', 'itemid', 'item_id', 'movie', 'movie_id', 'product', 'productid', 'product_id', 'iid', 'isbn', 'asin', 'book', 'bookid', 'book_id'],
  rating: ['rating', 'ratings', 'score', 'stars', 'value', 'bookrating', 'book_rating', 'overall'],
  time: ['timestamp', 'time', 'date', 'datetime', 'ts', 'unixtime'],
};

/**
 * A first guess at the mapping from column names alone (case, spaces, '-' and '_' ignored), for
 * the mapping dialog to start from; null for a role no column fits. Never picks one column twice.
 */
export function guessColumnMapping(columns: readonly string[]): { [R in RatingColumn]: string | null } {
  const norm = (s: string) => s.trim().toLowerCase().replace(/[\s-]/g, '');
  const used = new Set<number>();
  const pick = (role: RatingColumn): string | null => {
    for (const want of GUESSES[role]) {
      const k = columns.findIndex((c, i) => !used.has(i) && (norm(c) === want || norm(c) === want.replace(/_/g, '')));
      if (k >= 0) {
        used.add(k);
        return columns[k].trim();
      }
    }
    return null;
  };
  return { user: pick('user'), item: pick('item'), rating: pick('rating'), time: pick('time') };
}

function checkMapping(m: ColumnMapping, fileName: string): void {
  const roles: RatingColumn[] = m.time === undefined ? ['user', 'item', 'rating'] : ['user', 'item', 'rating', 'time'];
  const seen = new Map<string, RatingColumn>();
  for (const role of roles) {
    const name = typeof m[role] === 'string' ? m[role]!.trim() : '';
    if (name === '') throw new InputError(`${fileName}: no column chosen for the ${ROLE_WORDS[role]}`);
    const other = seen.get(name);
    if (other !== undefined) {
      throw new InputError(`${fileName}: column "${name}" is chosen for both the ${ROLE_WORDS[other]} and the ${ROLE_WORDS[role]}`);
    }
    seen.set(name, role);
  }
}

/** Field index of each mapped column: an exact (trimmed) name first, else one case-insensitive match. */
function mappedHeader(header: string[], fileName: string, line: number, m: ColumnMapping): Map<RatingColumn, number> {
  const names = header.map((f) => f.trim());
  const index = new Map<RatingColumn, number>();
  for (const role of ['user', 'item', 'rating', 'time'] as const) {
    const wanted = m[role]?.trim();
    if (wanted === undefined) continue;
    let at = names.flatMap((n, k) => (n === wanted ? [k] : []));
    if (at.length === 0) at = names.flatMap((n, k) => (n.toLowerCase() === wanted.toLowerCase() ? [k] : []));
    if (at.length === 0) {
      const list = names.map((n) => `"${n}"`).join(', ');
      throw csvError(fileName, line, `missing column "${wanted}" (chosen for the ${ROLE_WORDS[role]}; the header has ${list})`);
    }
    if (at.length > 1) {
      throw csvError(fileName, line, `duplicate column "${wanted}" (fields ${at.map((k) => k + 1).join(' and ')}; it holds the ${ROLE_WORDS[role]})`);
    }
    index.set(role, at[0]);
  }
  return index;
}

/**
 * Parses a MovieLens movies.csv (`movieId,title[,genres]`) into movieId → title and genres
 * (`Action|Adventure`; "(no genres listed)" and a missing genres column give []). Other columns
 * are allowed and skipped. An empty title is kept as '' (the item is then named by its id).
 * `progress` follows the parse.
 */
export function parseMovies(text: string, fileName: string, progress?: ParseProgress): Map<string, Movie> {
  if (text.trim() === '') throw new InputError(`${fileName}: the file is empty`);
  const sep = guessSeparator(text);
  let columns: Map<MovieColumn, number> | undefined;
  let width = 0;
  const movies = new Map<string, Movie>();
  forEachRecord(text, fileName, (fields, line) => {
    if (columns === undefined) {
      columns = readHeader(fields, fileName, line, MOVIE_COLUMNS, ['item', 'title'], true);
      width = fields.length;
      return;
    }
    if (fields.length !== width) {
      throw csvError(fileName, line, `expected ${width} fields, found ${fields.length}`);
    }
    const id = fields[columns.get('item')!].trim();
    if (id === '') throw csvError(fileName, line, 'empty movieId');
    if (movies.has(id)) throw csvError(fileName, line, `movieId ${id} appears twice`);
    const genresAt = columns.get('genres');
    movies.set(id, {
      title: fields[columns.get('title')!].trim(),
      genres: genresAt === undefined ? [] : splitGenres(fields[genresAt]),
    });
  }, progress && ((fraction) => progress(fraction, movies.size)), sep);
  return movies;
}

/**
 * movieId → title of a MovieLens movies.csv (parseMovies without the genres). Movies with an
 * empty title are left out, so their id stays the name.
 */
export function parseMoviesCsv(text: string, fileName: string): Map<string, string> {
  const titles = new Map<string, string>();
  for (const [id, m] of parseMovies(text, fileName)) if (m.title !== '') titles.set(id, m.title);
  return titles;
}
