// The files a user picks or drops, turned into ratings in the worker: decoded (UTF-8, or latin-1
// as MovieLens 100K's u.item is written), told apart (the ratings, and optionally the movies with
// titles and genres), recognised (MovieLens 100K u.data, a CSV whose header the parser knows, or
// any CSV once its columns are mapped) and parsed with progress.
import { csvHead, guessColumnMapping, knowsRatingsHeader, parseMovies, parseRatingsCsv, type ColumnMapping } from '../graph/csv';
import type { ParseProgress } from '../graph/csvRecords';
import { looksLikeU100kData, parseU100kData, parseU100kItems } from '../graph/movielens100k';
import { TOY_CSV } from '../graph/toy';
import type { Ratings } from '../graph/types';
import { InputError } from '../util/errors';
import type { DataFile, DatasetSource, MappingRequest } from './protocol';

/** Rows shown under the header in the column-mapping dialog. */
const PREVIEW_ROWS = 5;

const MOVIES_FILE_NAME = /(^|[^a-z])(movies\.csv|u\.item)$/i;
const U_ITEM_NAME = /(^|[^a-z])u\.item$/i;
/** u.item's fields: id, title, release date, video release date, IMDb URL and 19 genre flags. */
const U_ITEM_FIELDS = 24;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

interface TextFile {
  name: string;
  text: string;
}

/** What the files hold: a dataset ready to parse, or a CSV whose columns the user must name first. */
export type Recognised = { source: DatasetSource } | { ask: MappingRequest };

/**
 * Tells the ratings file from the movies file and recognises the ratings format. A CSV with a
 * header the parser does not know (or any CSV when `mapping` is 'ask') comes back as a mapping
 * request with its header and first rows; a given mapping goes into the source. Throws
 * InputError, naming the files, when they cannot make one dataset.
 */
export function recogniseFiles(files: readonly DataFile[], mapping?: ColumnMapping | 'ask'): Recognised {
  if (files.length === 0) throw new InputError('no file was chosen');
  const texts = files.map((f) => ({ name: f.name, text: decodeFile(f) }));
  const names = texts.map((f) => f.name).join(', ');
  if (texts.length > 2) {
    throw new InputError(`${names}: choose one ratings file and, if you like, its movies file (${texts.length} files were given)`);
  }
  const movies = texts.filter(isMoviesFile);
  const ratings = texts.filter((f) => !isMoviesFile(f));
  if (ratings.length === 0) {
    throw new InputError(
      movies.length === 1
        ? `${names} holds movies (titles and genres), not ratings: choose the ratings file too (ratings.csv, u.data, or user,item,rating[,timestamp])`
        : `${names}: both are movies files; choose one ratings file (ratings.csv, u.data, or user,item,rating[,timestamp]) and its movies file`,
    );
  }
  if (ratings.length > 1) {
    throw new InputError(`${names}: two ratings files; choose one ratings file and, if you like, its movies file (movies.csv or u.item)`);
  }
  const r = ratings[0];
  const m = movies[0] as TextFile | undefined;
  const source: DatasetSource = { kind: 'csv', name: r.name, ratings: r.text, ...(m && { movies: m.text, moviesName: m.name }) };
  if (isU100kData(r)) return { source };
  if (mapping !== undefined && mapping !== 'ask') return { source: { ...source, mapping } };
  const [columns, ...rows] = csvHead(r.text, r.name, PREVIEW_ROWS + 1);
  if (mapping === undefined && knowsRatingsHeader(columns)) return { source };
  if (columns.every((c) => NUMBER.test(c))) {
    throw new InputError(
      `${r.name}: the first line (${columns.join(',')}) is data, not a header; a ratings CSV starts with a header naming its columns, like userId,movieId,rating,timestamp`,
    );
  }
  return { ask: { file: r.name, reason: mapping === 'ask' ? 'asked' : 'unknown', columns, rows, guess: guessColumnMapping(columns) } };
}

/**
 * Parses a dataset: the toy, or a ratings file with its movies file. `progress` hears the fraction
 * of the text parsed (the movies file first, by its share of the bytes) and the ratings read so far.
 * `name` says which files, for the page. Throws InputError naming the file and line.
 */
export function loadRatings(source: DatasetSource, progress?: ParseProgress): { ratings: Ratings; name: string } {
  if (source.kind === 'toy') return { ratings: parseRatingsCsv(source.csv ?? TOY_CSV, 'toy.csv', undefined, undefined, progress), name: 'the seed’s toy data' };
  const moviesName = source.moviesName ?? 'movies.csv';
  const share = source.movies === undefined ? 0 : source.movies.length / (source.movies.length + source.ratings.length);
  const moviesProgress = progress && ((fraction: number) => progress(fraction * share, 0));
  const ratingsProgress = progress && ((fraction: number, rows: number) => progress(share + fraction * (1 - share), rows));
  const moviesFile = source.movies === undefined ? undefined : { name: moviesName, text: source.movies };
  const movies = moviesFile && (isU100kItems(moviesFile) ? parseU100kItems : parseMovies)(moviesFile.text, moviesFile.name, moviesProgress);
  const name = source.movies === undefined ? source.name : `${source.name} + ${moviesName}`;
  const ratingsFile = { name: source.name, text: source.ratings };
  const ratings = isU100kData(ratingsFile)
    ? parseU100kData(source.ratings, source.name, movies, ratingsProgress)
    : parseRatingsCsv(source.ratings, source.name, movies, source.mapping, ratingsProgress);
  return { ratings, name };
}

/** UTF-8 where the bytes are valid UTF-8, else latin-1 (u.item always is, as are some older exports). */
function decodeFile(file: DataFile): string {
  const latin1 = new TextDecoder('latin1');
  if (U_ITEM_NAME.test(file.name)) return latin1.decode(file.bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
  } catch {
    return latin1.decode(file.bytes);
  }
}

const firstLine = (text: string) => /^\uFEFF?[\s]*([^\r\n]*)/.exec(text)?.[1] ?? '';

/** movies.csv or u.item, by name, or by a first line that is a movies.csv header or a u.item record. */
function isMoviesFile(f: TextFile): boolean {
  if (MOVIES_FILE_NAME.test(f.name)) return true;
  const line = firstLine(f.text);
  return /^"?movieId"?\s*,\s*"?title"?(,|$)/i.test(line) || line.split('|').length === U_ITEM_FIELDS;
}

function isU100kItems(f: TextFile): boolean {
  return U_ITEM_NAME.test(f.name) || firstLine(f.text).split('|').length === U_ITEM_FIELDS;
}

/** u.data by name, or any file whose first line is four tab-separated numbers (u1.base, ua.test...). */
function isU100kData(f: TextFile): boolean {
  return /(^|[^a-z])u\.data$/i.test(f.name) || looksLikeU100kData(f.text);
}
