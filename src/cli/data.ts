// Datasets for the command line: the seed's toy data, a ratings CSV from disk (with the titles and
// genres of a MovieLens movies.csv when one sits beside it), or MovieLens 100K's u.data (with
// u.item beside it).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseMovies, parseRatingsCsv } from '../graph/csv';
import { looksLikeU100kData, parseU100kData, parseU100kItems } from '../graph/movielens100k';
import { toyRatings } from '../graph/toy';
import type { Ratings } from '../graph/types';
import { InputError } from '../util/errors';

export function readText(path: string, encoding: 'utf8' | 'latin1' = 'utf8'): string {
  try {
    return readFileSync(path, encoding);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code})`}`);
  }
}

/**
 * `toy`, or a file: MovieLens 100K u.data (by its name, or a first line of four tab-separated
 * numbers; titles and genres from u.item beside it, read as latin-1), else a ratings CSV (titles
 * and genres from movies.csv beside it).
 */
export function loadRatings(data: string): Ratings {
  if (data === 'toy') return toyRatings();
  const text = readText(data);
  const dir = dirname(data);
  if (basename(data) === 'u.data' || looksLikeU100kData(text)) {
    const items = join(dir, 'u.item');
    const movies = existsSync(items) ? parseU100kItems(readText(items, 'latin1'), items) : undefined;
    return parseU100kData(text, data, movies);
  }
  const moviesPath = join(dir, 'movies.csv');
  const movies = basename(data) !== 'movies.csv' && existsSync(moviesPath) ? parseMovies(readText(moviesPath), moviesPath) : undefined;
  return parseRatingsCsv(text, data, movies);
}
