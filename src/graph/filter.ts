// Implicit feedback from explicit ratings: keep the ratings at or above a threshold. Users and
// items left without a rating go, and the rest are numbered again by first appearance, so the
// result is what parsing a file of the kept rows alone would give (times stay as they were, so a
// file without timestamps keeps its original row numbers as times).
import type { Ratings } from './types';
import { InputError } from '../util/errors';

/**
 * The ratings ≥ `minRating`, in input order, with their timestamps, names, ids, genres and feature files. Throws
 * InputError if the threshold is not a finite number or keeps nothing (naming the threshold and
 * the range of the ratings).
 */
export function filterByRating(ratings: Ratings, minRating: number): Ratings {
  if (typeof minRating !== 'number' || !Number.isFinite(minRating)) {
    throw new InputError(`the minimum rating must be a number, got ${String(minRating)}`);
  }
  const n = ratings.rating.length;
  const keep: number[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < n; k++) {
    const r = ratings.rating[k];
    if (r < lo) lo = r;
    if (r > hi) hi = r;
    if (r >= minRating) keep.push(k);
  }
  if (keep.length === 0) {
    const range = n === 0 ? 'there are no ratings' : lo === hi ? `every rating is ${lo}` : `the ratings range from ${lo} to ${hi}`;
    throw new InputError(`no rating is at or above the minimum rating ${minRating} (${range}); lower it or keep all ratings`);
  }
  const userMap = new Int32Array(ratings.userNames.length).fill(-1);
  const itemMap = new Int32Array(ratings.itemNames.length).fill(-1);
  const userNames: string[] = [];
  const itemNames: string[] = [];
  const itemGenres: string[][] | undefined = ratings.itemGenres ? [] : undefined;
  const itemIds: string[] | undefined = ratings.itemIds ? [] : undefined;
  const m = keep.length;
  const user = new Uint32Array(m);
  const item = new Uint32Array(m);
  const rating = new Float32Array(m);
  const time = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const k = keep[j];
    const u = ratings.user[k];
    const i = ratings.item[k];
    if (userMap[u] < 0) {
      userMap[u] = userNames.length;
      userNames.push(ratings.userNames[u]);
    }
    if (itemMap[i] < 0) {
      itemMap[i] = itemNames.length;
      itemNames.push(ratings.itemNames[i]);
      itemGenres?.push(ratings.itemGenres![i]);
      itemIds?.push(ratings.itemIds![i]);
    }
    user[j] = userMap[u];
    item[j] = itemMap[i];
    rating[j] = ratings.rating[k];
    time[j] = ratings.time[k];
  }
  const out: Ratings = { userNames, itemNames, user, item, rating, time };
  if (itemGenres) out.itemGenres = itemGenres;
  if (itemIds) out.itemIds = itemIds;
  // Keyed by id and fixed by the files, so the renumbering leaves them as they are.
  if (ratings.genreColumns) out.genreColumns = ratings.genreColumns;
  if (ratings.featureFiles) out.featureFiles = ratings.featureFiles;
  return out;
}
