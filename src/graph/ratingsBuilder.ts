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

/** Whether a (trimmed) field is a number in decimal notation, as readNumber takes it. */
export function isDecimal(field: string): boolean {
  return DECIMAL.test(field);
}

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
 * titles) and, when its values carry genres, gives the Ratings `itemGenres`; with `movies`, the
 * Ratings keep the item ids too (`itemIds`), since the names are then titles.
 */
export class RatingsBuilder {
  private readonly userIndex = new Map<string, number>();
  private readonly itemIndex = new Map<string, number>();
  private readonly userNames: string[] = [];
  private readonly itemNames: string[] = [];
  private readonly itemGenres: string[][] = [];
  private readonly itemIds: string[] = [];
  private readonly withGenres: boolean;
  // Columns grow by doubling: typed arrays keep a million ratings out of the garbage collector's way.
  private user = new Uint32Array(1024);
  private item = new Uint32Array(1024);
  private rating = new Float32Array(1024);
  private time = new Float64Array(1024);
  private n = 0;

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
    return this.n;
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
      if (this.movies) this.itemIds.push(itemId);
      if (this.withGenres) this.itemGenres.push(typeof m === 'object' ? m.genres : []);
    }
    if (this.n === this.user.length) this.grow();
    this.user[this.n] = u;
    this.item[this.n] = it;
    this.rating[this.n] = rating;
    this.time[this.n] = time;
    this.n++;
  }

  finish(): Ratings {
    const r: Ratings = {
      userNames: this.userNames,
      itemNames: this.itemNames,
      user: this.user.slice(0, this.n),
      item: this.item.slice(0, this.n),
      rating: this.rating.slice(0, this.n),
      time: this.time.slice(0, this.n),
    };
    if (this.withGenres) r.itemGenres = this.itemGenres;
    if (this.movies) r.itemIds = this.itemIds;
    return r;
  }

  private grow(): void {
    const size = 2 * this.user.length;
    const more = <T extends Uint32Array | Float32Array | Float64Array>(a: T, b: T) => {
      b.set(a);
      return b;
    };
    this.user = more(this.user, new Uint32Array(size));
    this.item = more(this.item, new Uint32Array(size));
    this.rating = more(this.rating, new Float32Array(size));
    this.time = more(this.time, new Float64Array(size));
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
