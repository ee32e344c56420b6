// Ratings and titles from CSV files. Two spellings of a ratings file are accepted: MovieLens
// (`userId,movieId,rating[,timestamp]`) and named (`user,item,rating[,timestamp]`, the toy's
// form, where the ids are the display names). Ids are kept as text, so "Bob" and "17" work alike.
import { csvError, forEachRecord } from './csvRecords';
import { readHeader } from './csvHeader';
import type { Ratings } from './types';
import { InputError } from '../util/errors';

type RatingColumn = 'user' | 'item' | 'rating' | 'time';

const RATING_COLUMNS: Readonly<Record<string, RatingColumn>> = {
  userId: 'user',
  user: 'user',
  movieId: 'item',
  item: 'item',
  rating: 'rating',
  timestamp: 'time',
};

type MovieColumn = 'item' | 'title';

// Other columns (genres, ...) are allowed and skipped.
const MOVIE_COLUMNS: Readonly<Record<string, MovieColumn>> = {
  movieId: 'item',
  title: 'title',
};

// Decimal notation only: Number() alone would also take "", " ", "0x1F" and "Infinity".
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a ratings CSV. Users and items are numbered by first appearance; item names are the
 * titles from `titles` (keyed by the item id as written) where known, else the id. Without a
 * timestamp column, time is the row index, so that a split "by time" follows the file order.
 * Throws InputError, naming the file and line, on anything malformed.
 */
export function parseRatingsCsv(text: string, fileName: string, titles?: Map<string, string>): Ratings {
  // trim() also drops a byte order mark.
  if (text.trim() === '') throw new InputError(`${fileName}: the file is empty`);
  // Field positions, set by the header (width 0 until then).
  let width = 0;
  let userAt = 0;
  let itemAt = 0;
  let ratingAt = 0;
  let timeAt: number | undefined;
  let headerText = '';
  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const userNames: string[] = [];
  const itemNames: string[] = [];
  const user: number[] = [];
  const item: number[] = [];
  const rating: number[] = [];
  const time: number[] = [];

  forEachRecord(text, fileName, (fields, line) => {
    if (width === 0) {
      const columns = readHeader(fields, fileName, line, RATING_COLUMNS, ['user', 'item', 'rating'], false);
      userAt = columns.get('user')!;
      itemAt = columns.get('item')!;
      ratingAt = columns.get('rating')!;
      timeAt = columns.get('time');
      width = fields.length;
      headerText = fields.map((f) => f.trim()).join(',');
      return;
    }
    if (fields.length !== width) {
      throw csvError(fileName, line, `expected ${width} fields (${headerText}), found ${fields.length}`);
    }
    const userId = fields[userAt].trim();
    const itemId = fields[itemAt].trim();
    if (userId === '') throw csvError(fileName, line, 'empty user id');
    if (itemId === '') throw csvError(fileName, line, 'empty item id');

    let u = userIndex.get(userId);
    if (u === undefined) {
      u = userNames.length;
      userIndex.set(userId, u);
      userNames.push(userId);
    }
    let it = itemIndex.get(itemId);
    if (it === undefined) {
      it = itemNames.length;
      itemIndex.set(itemId, it);
      itemNames.push(titles?.get(itemId) ?? itemId);
    }
    user.push(u);
    item.push(it);
    rating.push(readNumber(fields[ratingAt], 'rating', fileName, line));
    time.push(timeAt === undefined ? time.length : readNumber(fields[timeAt], 'timestamp', fileName, line));
  });

  if (user.length === 0) throw new InputError(`${fileName}: the file has a header but no ratings`);
  return {
    userNames,
    itemNames,
    user: Uint32Array.from(user),
    item: Uint32Array.from(item),
    rating: Float32Array.from(rating),
    time: Float64Array.from(time),
  };
}

/**
 * Parses a MovieLens movies.csv (`movieId,title,genres`) into movieId → title. Only the title is
 * used for now; other columns are allowed and skipped. An empty title leaves the id as the name.
 */
export function parseMoviesCsv(text: string, fileName: string): Map<string, string> {
  if (text.trim() === '') throw new InputError(`${fileName}: the file is empty`);
  let columns: Map<MovieColumn, number> | undefined;
  let width = 0;
  const titles = new Map<string, string>();
  const seen = new Set<string>();
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
    if (seen.has(id)) throw csvError(fileName, line, `movieId ${id} appears twice`);
    seen.add(id);
    const title = fields[columns.get('title')!].trim();
    if (title !== '') titles.set(id, title);
  });
  return titles;
}

function readNumber(field: string, column: string, fileName: string, line: number): number {
  const s = field.trim();
  if (!DECIMAL.test(s)) throw csvError(fileName, line, `${column} "${s}" is not a number`);
  const x = Number(s);
  if (!Number.isFinite(x)) throw csvError(fileName, line, `${column} "${s}" is not finite`);
  return x;
}
