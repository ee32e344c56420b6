// Datasets for the command line: the seed's toy data or a file from disk, read by the engine's one
// path (src/graph/datasetFiles.ts), as the page reads a picked file. The movies file beside a
// ratings file gives titles and genres: movies.csv, movies.dat (MovieLens 1M/10M) or u.item
// (MovieLens 100K); beside u.data, u.user gives the users' demographics, and beside ratings.dat,
// users.dat (MovieLens 1M); and features CSVs beside
// any ratings file (user-features.csv, item-features.csv: src/graph/featureFiles.ts) give
// features by id. The data flags say how to read a CSV; they are not run settings.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { ColumnMapping } from '../graph/csv';
import { SEPARATORS, type Separator } from '../graph/csvRecords';
import { loadRatings as loadDataset, recogniseFiles, type NamedBytes } from '../graph/datasetFiles';
import { featureRoleByName } from '../graph/featureFiles';
import { toyRatings } from '../graph/toy';
import type { Ratings } from '../graph/types';
import { InputError } from '../util/errors';
import type { FlagSpec, Flags } from './args';

/** How to read the --data file, beside --data itself (in RUN_FLAGS). */
export const DATA_FLAGS: Record<string, FlagSpec> = {
  columns: {
    value: true,
    help: 'the columns of a CSV whose header is not userId,movieId,rating[,timestamp]: user=NAME,item=NAME,rating=NAME[,time=NAME] (as the page\'s column dialog)',
  },
  sep: { value: true, help: 'the field separator of a CSV: "," ";" "tab" or "|" (default: guessed from the first line)' },
};

/** The flags that decide what a run's weights were trained on, for messages that ask to set them as in training. */
export const RUN_DATA_FLAGS = '--data (and --columns, --sep), --min-rating, --split, --split-mode, --features, --user-features, --seed and --message-passing';

/** How to read a CSV, as --columns and --sep say. */
export interface DataReading {
  columns?: ColumnMapping;
  sep?: Separator;
}

const ROLES = ['user', 'item', 'rating', 'time'] as const;

/** --columns and --sep, checked. */
export function readingFromFlags(flags: Flags): DataReading {
  const out: DataReading = {};
  if (flags.columns !== undefined) out.columns = parseColumns(String(flags.columns));
  if (flags.sep !== undefined) {
    const raw = String(flags.sep);
    const sep = raw === 'tab' || raw === '\\t' ? '\t' : raw;
    if (!(SEPARATORS as readonly string[]).includes(sep)) {
      throw new InputError(`--sep: the separator must be "," ";" "tab" or "|", got ${JSON.stringify(raw)}`);
    }
    out.sep = sep as Separator;
  }
  return out;
}

/** `user=NAME,item=NAME,rating=NAME[,time=NAME]` as a ColumnMapping. */
function parseColumns(text: string): ColumnMapping {
  const given = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const role = part.slice(0, eq < 0 ? undefined : eq).trim();
    if (eq < 0 || !(ROLES as readonly string[]).includes(role)) {
      throw new InputError(`--columns: expected user=NAME,item=NAME,rating=NAME[,time=NAME], got ${JSON.stringify(part)}`);
    }
    if (given.has(role)) throw new InputError(`--columns: ${role} is given twice`);
    given.set(role, part.slice(eq + 1).trim());
  }
  const missing = ROLES.filter((r) => r !== 'time' && !given.get(r));
  if (missing.length > 0) throw new InputError(`--columns: no column named for ${missing.join(', ')} (user=NAME,item=NAME,rating=NAME[,time=NAME])`);
  const mapping: ColumnMapping = { user: given.get('user')!, item: given.get('item')!, rating: given.get('rating')! };
  if (given.get('time')) mapping.time = given.get('time');
  return mapping;
}

export function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code})`}`);
  }
}

export function readText(path: string): string {
  return new TextDecoder().decode(readBytes(path));
}

/** The name of the movies file that goes with a ratings file, by the ratings file's name; null for none. */
function moviesNameFor(path: string): string | null {
  const name = basename(path).toLowerCase();
  const ext = extname(name);
  if (/^movies\.|^u\.item$/.test(name) || ext === '.zip') return null;
  return ext === '.dat' ? 'movies.dat' : ['.csv', '.tsv', '.txt'].includes(ext) ? 'movies.csv' : 'u.item';
}

/** The movies file beside a ratings file, if it is there. */
function moviesFileFor(path: string): string | null {
  const beside = moviesNameFor(path);
  const moviesPath = beside && join(dirname(path), beside);
  return moviesPath && existsSync(moviesPath) ? moviesPath : null;
}

/**
 * The feature files beside a ratings file: features CSVs by their names, u.user when the ratings
 * are MovieLens 100K's (u.data, u1.base, …) and users.dat when they are MovieLens 1M's ratings.dat.
 */
function featureFilesBeside(path: string): string[] {
  const movies = moviesNameFor(path);
  const users = movies === 'u.item' ? 'u.user' : movies === 'movies.dat' ? 'users.dat' : null;
  return readdirSync(dirname(path))
    .filter((name) => {
      const role = featureRoleByName(name);
      return role !== null && (role !== 'demographics' || (users !== null && name.toLowerCase().endsWith(users)));
    })
    .sort()
    .map((name) => join(dirname(path), name));
}

/**
 * `toy`, or a ratings file (a MovieLens ZIP, ratings.csv, ratings.dat, u.data, any CSV) with the
 * movies file and feature files beside it. A CSV whose header is not known needs `reading.columns`: without it the
 * error shows the header and a --columns to try.
 */
export function loadRatings(data: string, reading: DataReading = {}): Ratings {
  if (data === 'toy') return toyRatings();
  const files: NamedBytes[] = [{ name: data, bytes: readBytes(data) }];
  const movies = moviesFileFor(data);
  if (movies) files.push({ name: movies, bytes: readBytes(movies) });
  if (extname(data).toLowerCase() !== '.zip') for (const f of featureFilesBeside(data)) files.push({ name: f, bytes: readBytes(f) });
  const found = recogniseFiles(files, { mapping: reading.columns, sep: reading.sep });
  if ('ask' in found) {
    const { file, columns, guess } = found.ask;
    const header = columns.map((c) => JSON.stringify(c)).join(', ');
    const tryThis = ROLES.filter((r) => guess[r] !== null).map((r) => `${r}=${guess[r]}`).join(',');
    throw new InputError(
      `${file}: the header (${header}) does not name the columns userId,movieId,rating[,timestamp]; say which hold what with --columns user=NAME,item=NAME,rating=NAME[,time=NAME]${tryThis ? ` (perhaps --columns ${tryThis})` : ''}`,
    );
  }
  return loadDataset(found.source).ratings;
}
