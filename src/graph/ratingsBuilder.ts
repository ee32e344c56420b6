// What every ratings format shares once its rows are read: users and items numbered by first
// appearance, item names and genres from a movie list, and the one way numbers are read.
import { csvError } from './csvRecords';
import type { Ratings } from './types';

/** A movie as movies.csv or u.item describe it. */
export interface Movie {
  /** '' when the file gives none (the item is then named by its id). */
  title: string;
  /** In the file's order, without duplicates; [] for "(no genres listed)" or no genre column. */
  genres: string[];
}

/**
 * Item descriptions keyed by the item id as the ratings file writes it: titles only (the older
 * `parseMoviesCsv` form) or titles and genres (`parseMovies`, `parseU100kItems`).
 */
export type MovieInfo = ReadonlyMap<string, string | Movie>;

// Decimal notation only: Number() alone would also take "", " ", "0x1F" and "Infinity".
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number in a field; InputError naming the file, line and column otherwise. */
export function readNumber(field: string, column: string, fileName: string, line: number): number {
  const s = field.trim();
  if (!DECIMAL.test(s)) throw csvError(fileName, line, `${column} "${s}" is not a number`);
  const x = Number(s);
  if (!Number.isFinite(x)) throw csvError(fileName, line, `${column} "${s}" is not finite`);
  return x;
}

/**
 * The rating in a field: a number that float32, in which the GPU trains, holds as a finite value.
 * InputError naming the file and line otherwise.
 */
export function readRating(field: string, fileName: string, line: number): number {
  const x = readNumber(field, 'rating', fileName, line);
  if (!Number.isFinite(Math.fround(x))) {
    throw csvError(fileName, line, `rating "${field.trim()}" is too large: ratings are trained as 32-bit floats, whose largest is about 3.4e38`);
  }
  return x;
}

/**
 * Collects ratings row by row. Ids are text ("Bob" and "17" alike); `movies` names items (its
 * titles) and, when its values carry genres, gives the Ratings `itemGenres`.
 */
export class RatingsBuilder {
  private readonly userIndex = new Map<string, number>();
  private readonly itemIndex = new Map<string, number>();
  private readonly userNames: string[] = [];
  private readonly itemNames: string[] = [];
  private readonly itemGenres: string[][] = [];
  private readonly withGenres: boolean;
  private readonly user: number[] = [];
  private readonly item: number[] = [];
  private readonly rating: number[] = [];
  private readonly time: number[] = [];

  constructor(private readonly movies?: MovieInfo) {
    let withGenres = false;
    if (movies) {
      for (const m of movies.values()) {
        withGenres = typeof m !== 'string';
        break;
      }
    }
    this.withGenres = withGenres;
  }

  get count(): number {
    return this.user.length;
  }

  /** Ids must be trimmed and non-empty (the format parser says which line is wrong otherwise). */
  add(userId: string, itemId: string, rating: number, time: number): void {
    let u = this.userIndex.get(userId);
    if (u === undefined) {
      u = this.userNames.length;
      this.userIndex.set(userId, u);
      this.userNames.push(userId);
    }
    let it = this.itemIndex.get(itemId);
    if (it === undefined) {
      it = this.itemNames.length;
      this.itemIndex.set(itemId, it);
      const m = this.movies?.get(itemId);
      const title = typeof m === 'string' ? m : m?.title;
      this.itemNames.push(title || itemId);
      if (this.withGenres) this.itemGenres.push(typeof m === 'object' ? m.genres : []);
    }
    this.user.push(u);
    this.item.push(it);
    this.rating.push(rating);
    this.time.push(time);
  }

  finish(): Ratings {
    const r: Ratings = {
      userNames: this.userNames,
      itemNames: this.itemNames,
      user: Uint32Array.from(this.user),
      item: Uint32Array.from(this.item),
      rating: Float32Array.from(this.rating),
      time: Float64Array.from(this.time),
    };
    if (this.withGenres) r.itemGenres = this.itemGenres;
    return r;
  }
}

/** Genres as movies.csv writes them ("Action|Adventure"): trimmed, "(no genres listed)" and blanks dropped, no duplicates. */
export function splitGenres(field: string): string[] {
  // A set, not a search of the list: a line may list thousands of genres.
  const out = new Set<string>();
  for (const raw of field.split('|')) {
    const g = raw.trim();
    if (g !== '' && g !== '(no genres listed)') out.add(g);
  }
  return [...out];
}
