// MovieLens 100K (GroupLens, 1998): `u.data` holds the ratings, one per line as tab-separated
// `user id, item id, rating, timestamp` with no header; `u.item` describes the movies, one per
// line as `movie id | movie title | release date | video release date | IMDb URL | 19 genre
// flags`. u.item is latin-1 text: read it as such (TextDecoder('latin1'), readFileSync(p, 'latin1')).
// The split files of the set (u1.base, ua.test, ...) have u.data's format.
import { csvError, forEachLine, type ParseProgress } from './csvRecords';
import { RatingsBuilder, readNumber, readRating, type Movie, type MovieInfo } from './ratingsBuilder';
import type { Ratings } from './types';
import { InputError } from '../util/errors';

/** The genres of u.item's flags, in flag order (u.genre). "unknown" marks a movie without genres. */
export const U100K_GENRES = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
] as const;

/** The genre columns of PyG's MovieLens100K item features: the flags after "unknown" (MOVIE_HEADERS[6:]). */
export const U100K_ITEM_GENRES: readonly string[] = U100K_GENRES.slice(1);

const ITEM_FIELDS = 5 + U100K_GENRES.length;

/**
 * Parses u.data: users and items numbered by first appearance, items named and given genres by
 * `movies` (parseU100kItems of u.item) where known. Fields are separated by tabs (runs of spaces
 * are accepted too). Throws InputError naming the file and line on anything malformed. `progress`
 * follows the parse.
 */
export function parseU100kData(text: string, fileName: string, movies?: MovieInfo, progress?: ParseProgress): Ratings {
  if (text.trim() === '') throw new InputError(`${fileName}: the file is empty`);
  const out = new RatingsBuilder(movies);
  forEachLine(text, (line, number) => {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 4) {
      const hint = line.includes(',') ? ' (a comma-separated file? give it a .csv name with a header)' : '';
      throw csvError(fileName, number, `expected 4 tab-separated fields (user id, item id, rating, timestamp), found ${fields.length}${hint}`);
    }
    const [userId, itemId, rating, time] = fields;
    out.add(userId, itemId, readRating(rating, fileName, number), readNumber(time, 'timestamp', fileName, number));
  }, progress && ((fraction) => progress(fraction, out.count)));
  return out.finish();
}

/**
 * Parses u.item into movie id → title and genres (the flagged genres of U100K_GENRES in flag
 * order; "unknown" is no genre, so such a movie has []). Throws InputError naming the line on a
 * wrong field count, a flag other than 0 or 1, an empty or repeated id. `progress` follows the parse.
 */
export function parseU100kItems(text: string, fileName: string, progress?: ParseProgress): Map<string, Movie> {
  if (text.trim() === '') throw new InputError(`${fileName}: the file is empty`);
  const movies = new Map<string, Movie>();
  forEachLine(text, (line, number) => {
    const fields = line.split('|');
    if (fields.length !== ITEM_FIELDS) {
      throw csvError(
        fileName,
        number,
        `expected ${ITEM_FIELDS} |-separated fields (movie id, title, release date, video release date, IMDb URL, ${U100K_GENRES.length} genre flags), found ${fields.length}`,
      );
    }
    const id = fields[0].trim();
    if (id === '') throw csvError(fileName, number, 'empty movie id');
    if (movies.has(id)) throw csvError(fileName, number, `movie id ${id} appears twice`);
    const genres: string[] = [];
    for (let g = 0; g < U100K_GENRES.length; g++) {
      const flag = fields[5 + g].trim();
      if (flag !== '0' && flag !== '1') {
        throw csvError(fileName, number, `genre flag ${g + 1} (${U100K_GENRES[g]}) is "${flag}", not 0 or 1`);
      }
      if (flag === '1' && g > 0) genres.push(U100K_GENRES[g]);
    }
    movies.set(id, { title: fields[1].trim(), genres });
  }, progress && ((fraction) => progress(fraction, movies.size)));
  return movies;
}

/**
 * Whether a text reads as u.data: its first non-blank line is four tab-separated numbers (two
 * whole ones, a rating, a whole timestamp). Looks at that line only.
 */
export function looksLikeU100kData(text: string): boolean {
  const lines = /^\uFEFF?((?:[ \t]*(?:\r\n|\n|\r))*)([^\r\n]*)/.exec(text);
  const first = lines?.[2].trim() ?? '';
  return /^\d+\t\d+\t[+-]?(\d+\.?\d*|\.\d+)\t\d+$/.test(first);
}
