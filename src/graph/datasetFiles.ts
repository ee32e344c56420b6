// The one path from the files a user gives (picked or dropped on the page, named on the command
// line) to ratings: archives unpacked (a MovieLens ZIP), bytes decoded (UTF-8, UTF-16, Latin-1;
// anything else refused), the ratings file told from the movies file and the feature files
// (u.user, users.dat, user- and item-features CSVs, src/graph/featureFiles.ts), the format recognised
// (MovieLens 100K u.data, MovieLens 1M/10M ratings.dat, a CSV with a known header or none, or any
// CSV once its columns are mapped), and parsed with progress. The page's worker and the CLI both
// call it, so a file reads the same in both.
import { csvHead, guessColumnMapping, guessSeparator, isHeaderlessRecord, knowsRatingsHeader, parseMovies, parseRatingsCsv, type ColumnMapping } from './csv';
import { firstLine, joinFields, type ParseProgress, type Separator } from './csvRecords';
import { featureRoleByName, parseFeatureFiles, type FeatureFileSource, type FeatureRole } from './featureFiles';
import { looksLikeMl1mUsers } from './ml1mUsers';
import { looksLikeU100kData, parseU100kData, parseU100kItems, U100K_ITEM_GENRES } from './movielens100k';
import { looksLikeDatMovies, looksLikeDatRatings, parseDatMovies, parseDatRatings } from './movielensDat';
import { isDecimal, type MovieInfo } from './ratingsBuilder';
import { decodeText, isZip } from './textDecode';
import { TOY_CSV } from './toy';
import type { Ratings } from './types';
import { looksLikeU100kUsers } from './u100kUsers';
import { unzipDataset, type NamedBytes } from './zipDataset';
import { InputError } from '../util/errors';

export type { NamedBytes } from './zipDataset';
export type { FeatureFileSource } from './featureFiles';

/** Where the ratings come from: the toy, or decoded files (what a kept run stores to load them again). */
export type DatasetSource =
  | { kind: 'toy'; csv?: string }
  /**
   * A ratings file (MovieLens ratings.csv, ratings.dat, u.data, or user,item,rating[,timestamp])
   * and its movies file (movies.csv, movies.dat or u.item) for titles and genres, as decoded text;
   * `mapping` names the columns of any other CSV, `sep` its separator when not the guessed one;
   * `features`, the feature files given with them (u.user, user- and item-features CSVs).
   */
  | {
      kind: 'csv';
      name: string;
      ratings: string;
      movies?: string;
      moviesName?: string;
      mapping?: ColumnMapping;
      sep?: Separator;
      features?: FeatureFileSource[];
    };

/** A CSV whose columns must be named first: its header, its first rows, and a first guess. */
export interface MappingRequest {
  file: string;
  /** 'asked': the user wanted to choose; 'unknown': the header names columns the parser does not know. */
  reason: 'asked' | 'unknown';
  columns: string[];
  rows: string[][];
  guess: { user: string | null; item: string | null; rating: string | null; time: string | null };
  /** The separator the file was read with (guessed, unless the user gave one). */
  sep?: Separator;
}

/** What the files hold: a dataset ready to parse, or a CSV whose columns the user must name first. */
export type Recognised = { source: DatasetSource } | { ask: MappingRequest };

/** How the user said to read a CSV: its columns (or 'ask': show them to me first) and its separator. */
export interface CsvChoice {
  mapping?: ColumnMapping | 'ask';
  sep?: Separator;
}

/** Rows shown under the header when the columns must be named. */
const PREVIEW_ROWS = 5;

const MOVIES_FILE_NAME = /(^|[^a-z])(movies\.(csv|dat)|u\.item)$/i;
const U_ITEM_NAME = /(^|[^a-z])u\.item$/i;
/** u.item's fields: id, title, release date, video release date, IMDb URL and 19 genre flags. */
const U_ITEM_FIELDS = 24;

interface TextFile {
  name: string;
  text: string;
}

/**
 * Tells the ratings file from the movies file and the feature files, and recognises the ratings
 * format. A ZIP is replaced by the MovieLens files it holds. A CSV with a header the parser does not know (or any
 * CSV when the mapping is 'ask') comes back as a mapping request with its header and first rows;
 * a given mapping and separator go into the source. Throws InputError, naming the files, when
 * they are not text or cannot make one dataset.
 */
export function recogniseFiles(files: readonly NamedBytes[], choice: CsvChoice = {}): Recognised {
  if (files.length === 0) throw new InputError('no file was chosen');
  const unpacked = files.flatMap((f) => (isZip(f.bytes) ? unzipDataset(f.bytes, f.name) : [f]));
  const texts = unpacked.map((f) => ({ name: f.name, text: decodeText(f.bytes, f.name) }));
  const features = texts.flatMap((f) => {
    const role = featureRole(f);
    return role ? [{ role, ...f }] : [];
  });
  const data = texts.filter((f) => featureRole(f) === null);
  const names = data.map((f) => f.name).join(', ');
  if (data.length > 2) {
    throw new InputError(`${names}: choose one ratings file and, if you like, its movies file (${data.length} files were given besides any u.user or features files)`);
  }
  const movies = data.filter(isMoviesFile);
  const ratings = data.filter((f) => !isMoviesFile(f));
  if (ratings.length === 0) {
    if (data.length === 0) {
      throw new InputError(`${features.map((f) => f.name).join(', ')}: features, not ratings: choose the ratings file too (ratings.csv, ratings.dat, u.data, or user,item,rating[,timestamp])`);
    }
    throw new InputError(
      movies.length === 1
        ? `${names} holds movies (titles and genres), not ratings: choose the ratings file too (ratings.csv, ratings.dat, u.data, or user,item,rating[,timestamp])`
        : `${names}: both are movies files; choose one ratings file (ratings.csv, ratings.dat, u.data, or user,item,rating[,timestamp]) and its movies file`,
    );
  }
  if (ratings.length > 1) {
    throw new InputError(
      `${names}: two ratings files; choose one ratings file and, if you like, its movies file (movies.csv, movies.dat or u.item); a features file is told by its name (user-features.csv, item-features.csv)`,
    );
  }
  const r = ratings[0];
  const m = movies[0] as TextFile | undefined;
  const { mapping, sep } = choice;
  const source: DatasetSource = {
    kind: 'csv',
    name: r.name,
    ratings: r.text,
    ...(m && { movies: m.text, moviesName: m.name }),
    ...(sep && { sep }),
    ...(features.length > 0 && { features }),
  };
  if (isU100kData(r) || looksLikeDatRatings(r.text)) return { source };
  if (mapping !== undefined && mapping !== 'ask') return { source: { ...source, mapping } };
  const readSep = sep ?? guessSeparator(r.text);
  const [columns, ...rows] = csvHead(r.text, r.name, PREVIEW_ROWS + 1, readSep);
  if (mapping === undefined && (knowsRatingsHeader(columns) || isHeaderlessRecord(columns))) return { source };
  if (columns.every(isDecimal)) {
    throw new InputError(
      `${r.name}: the first line (${joinFields(columns, readSep)}) is data, not a header, and has ${columns.length} fields; a ratings file without a header has 3 or 4 (user, item, rating[, timestamp]), and one with a header names its columns, like userId,movieId,rating,timestamp`,
    );
  }
  return { ask: { file: r.name, reason: mapping === 'ask' ? 'asked' : 'unknown', columns, rows, guess: guessColumnMapping(columns), sep: readSep } };
}

/**
 * Parses a dataset: the toy, or a ratings file with its movies file and feature files (parsed
 * first, outside the progress: they are small). `progress` hears the fraction of the text parsed
 * (the movies file first, by its share of the text) and the ratings read so far. `name` says
 * which files, for the page. Throws InputError naming the file and line.
 */
export function loadRatings(source: DatasetSource, progress?: ParseProgress): { ratings: Ratings; name: string } {
  if (source.kind === 'toy') return { ratings: parseRatingsCsv(source.csv ?? TOY_CSV, 'toy.csv', undefined, { progress }), name: 'the seed’s toy data' };
  const featureFiles = source.features?.length ? parseFeatureFiles(source.features) : undefined;
  const moviesName = source.moviesName ?? 'movies.csv';
  const share = source.movies === undefined ? 0 : source.movies.length / (source.movies.length + source.ratings.length);
  const moviesProgress = progress && ((fraction: number) => progress(fraction * share, 0));
  const ratingsProgress = progress && ((fraction: number, rows: number) => progress(share + fraction * (1 - share), rows));
  const moviesFile = source.movies === undefined ? undefined : { name: moviesName, text: source.movies };
  const movies = moviesFile && parseMoviesFile(moviesFile, moviesProgress);
  const name = joinNames([source.name, ...(moviesFile ? [moviesName] : []), ...(source.features ?? []).map((f) => f.name)]);
  const file = { name: source.name, text: source.ratings };
  const ratings = isU100kData(file)
    ? parseU100kData(file.text, file.name, movies, ratingsProgress)
    : looksLikeDatRatings(file.text)
      ? parseDatRatings(file.text, file.name, movies, ratingsProgress)
      : parseRatingsCsv(file.text, file.name, movies, { mapping: source.mapping, sep: source.sep, progress: ratingsProgress });
  // u.item's genres are fixed flags: features use all of them, in their order, as PyG does.
  if (moviesFile && isU100kItems(moviesFile)) ratings.genreColumns = U100K_ITEM_GENRES;
  if (featureFiles) ratings.featureFiles = featureFiles;
  return { ratings, name };
}

/** "ratings.csv + movies.csv", or "ml-latest-small.zip (ratings.csv + movies.csv)" for files of one archive. */
function joinNames(files: readonly string[]): string {
  const zip = /^(.*\.zip)\//i.exec(files[0])?.[1];
  if (files.length > 1 && zip && files.every((f) => f.startsWith(`${zip}/`))) return `${zip} (${files.map((f) => f.slice(zip.length + 1)).join(' + ')})`;
  return files.join(' + ');
}

/** What a feature file gives, by name, or u.user or users.dat by its first line; null for ratings and movies files. */
function featureRole(f: TextFile): FeatureRole | null {
  return featureRoleByName(f.name) ?? (looksLikeU100kUsers(firstLine(f.text)) || looksLikeMl1mUsers(f.text) ? 'demographics' : null);
}

function parseMoviesFile(f: TextFile, progress?: ParseProgress): MovieInfo {
  if (isU100kItems(f)) return parseU100kItems(f.text, f.name, progress);
  if (/\.dat$/i.test(f.name) || looksLikeDatMovies(f.text)) return parseDatMovies(f.text, f.name, progress);
  return parseMovies(f.text, f.name, progress);
}

/** movies.csv, movies.dat or u.item, by name, or by a first line that is a movies.csv header or a u.item or movies.dat record. */
function isMoviesFile(f: TextFile): boolean {
  if (MOVIES_FILE_NAME.test(f.name)) return true;
  const line = firstLine(f.text);
  return /^"?movieId"?\s*[,;\t]\s*"?title"?([,;\t]|$)/i.test(line) || line.split('|').length === U_ITEM_FIELDS || looksLikeDatMovies(f.text);
}

function isU100kItems(f: TextFile): boolean {
  return U_ITEM_NAME.test(f.name) || firstLine(f.text).split('|').length === U_ITEM_FIELDS;
}

/** u.data by name, or any file whose first line is four tab-separated numbers (u1.base, ua.test...). */
function isU100kData(f: TextFile): boolean {
  return /(^|[^a-z])u\.data$/i.test(f.name) || looksLikeU100kData(f.text);
}
