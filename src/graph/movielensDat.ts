// MovieLens 1M and 10M (GroupLens, 2003 and 2009): `ratings.dat` holds the ratings, one per line
// as `UserID::MovieID::Rating::Timestamp` with no header; `movies.dat` describes the movies as
// `MovieID::Title::Genres`, genres separated by `|`. Nothing is quoted: titles hold commas and
// single colons, never `::`. ML-1M's movies.dat is Latin-1 text, ML-10M's UTF-8 (decodeText
// tells them apart).
import { csvError, firstLine, forEachLine, type ParseProgress } from './csvRecords';
import { RatingsBuilder, readNumber, readRating, splitGenres, type Movie, type MovieInfo } from './ratingsBuilder';
import type { Ratings } from './types';
import { InputError } from '../util/errors';

const SEP = '::';

/**
 * Parses ratings.dat: users and items numbered by first appearance, items named and given genres
 * by `movies` (parseDatMovies of movies.dat) where known. Throws InputError naming the file and
 * line on anything malformed. `progress` follows the parse.
 */
export function parseDatRatings(text: string, fileName: string, movies?: MovieInfo, progress?: ParseProgress): Ratings {
  if (text.trim() === '') throw new InputError(`${fileName}: the file is empty`);
  const out = new RatingsBuilder(movies);
  forEachLine(text, (line, number) => {
    const fields = line.split(SEP);
    if (fields.length !== 4) {
      throw csvError(fileName, number, `expected 4 ::-separated fields (UserID::MovieID::Rating::Timestamp), found ${fields.length}`);
    }
    const userId = fields[0].trim();
    const itemId = fields[1].trim();
    if (userId === '') throw csvError(fileName, number, 'empty user id');
    if (itemId === '') throw csvError(fileName, number, 'empty movie id');
    out.add(userId, itemId, readRating(fields[2], fileName, number), readNumber(fields[3], 'timestamp', fileName, number));
  }, progress && ((fraction) => progress(fraction, out.count)));
  return out.finish();
}

/**
 * Parses movies.dat into movie id → title and genres (in the file's order; "(no genres listed)"
 * is none). Throws InputError naming the line on a wrong field count, an empty or repeated id.
 */
export function parseDatMovies(text: string, fileName: string, progress?: ParseProgress): Map<string, Movie> {
  if (text.trim() === '') throw new InputError(`${fileName}: the file is empty`);
  const movies = new Map<string, Movie>();
  forEachLine(text, (line, number) => {
    const fields = line.split(SEP);
    if (fields.length !== 3) throw csvError(fileName, number, `expected 3 ::-separated fields (MovieID::Title::Genres), found ${fields.length}`);
    const id = fields[0].trim();
    if (id === '') throw csvError(fileName, number, 'empty movie id');
    if (movies.has(id)) throw csvError(fileName, number, `movie id ${id} appears twice`);
    movies.set(id, { title: fields[1].trim(), genres: splitGenres(fields[2]) });
  }, progress && ((fraction) => progress(fraction, movies.size)));
  return movies;
}

/** Whether a text reads as ratings.dat: its first non-blank line is four ::-separated fields, the last a whole number (the rating is checked when parsed). */
export function looksLikeDatRatings(text: string): boolean {
  return /^[^:]+::[^:]+::[^:]+::\s*\d+\s*$/.test(firstLine(text));
}

/** Whether a text reads as movies.dat: its first non-blank line is three ::-separated fields, the first a whole number. */
export function looksLikeDatMovies(text: string): boolean {
  const fields = firstLine(text).split(SEP);
  return fields.length === 3 && /^\s*\d+\s*$/.test(fields[0]);
}
