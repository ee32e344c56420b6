// What scale a dataset's ratings are on, said in words: MovieLens rates 0.5–5, other sets 1–10,
// −10…10 (Jester) or 0/1 (clicks, purchases). The model fits the numbers as they are (squared
// error of inner products), so nothing is rescaled; a scale so large that the loss would be huge
// is warned about.
import type { Ratings } from './types';

export interface RatingScale {
  min: number;
  max: number;
  /** Every rating is 0 or 1 (or all are one of them). */
  binary: boolean;
  /** The scale in words, e.g. "ratings from 0.5 to 5" or "ratings of 0 or 1 (implicit feedback)". */
  text: string;
  /** Why the scale may harm training, or null. */
  warning: string | null;
}

/** Past this magnitude the squared error of a prediction from small weights is in the millions. */
const LARGE = 1000;

export function ratingScale(ratings: Pick<Ratings, 'rating'>): RatingScale {
  let min = Infinity;
  let max = -Infinity;
  let binary = true;
  for (const r of ratings.rating) {
    if (r < min) min = r;
    if (r > max) max = r;
    if (r !== 0 && r !== 1) binary = false;
  }
  const text = binary ? 'ratings of 0 or 1 (implicit feedback)' : min === max ? `every rating ${min}` : `ratings from ${min} to ${max}`;
  const largest = Math.max(Math.abs(min), Math.abs(max));
  const warning =
    largest > LARGE
      ? `ratings reach ${largest.toPrecision(3)}: the model learns them by squared error, so the loss will be huge and training may diverge; rescale them (to 1–5, say)`
      : null;
  return { min, max, binary, text, warning };
}
