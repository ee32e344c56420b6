// Datasets for the command line: the seed's toy data, or a ratings CSV from disk (with the titles
// of a MovieLens movies.csv when one sits beside it).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseMoviesCsv, parseRatingsCsv } from '../graph/csv';
import { toyRatings } from '../graph/toy';
import type { Ratings } from '../graph/types';
import { InputError } from '../util/errors';

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code})`}`);
  }
}

export function loadRatings(data: string): Ratings {
  if (data === 'toy') return toyRatings();
  const movies = join(dirname(data), 'movies.csv');
  const titles = basename(data) !== 'movies.csv' && existsSync(movies) ? parseMoviesCsv(readText(movies), movies) : undefined;
  return parseRatingsCsv(readText(data), data, titles);
}
