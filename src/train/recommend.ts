// A user's recommendations, with names and scores, from a snapshot read off the GPU.
import type { Ratings } from '../graph/types';
import type { Snapshot } from './types';

export interface Recommendation {
  item: string;
  index: number;
  score: number;
}

export function recommendationsFor(r: Snapshot, ratings: Ratings, user: number): Recommendation[] {
  const out: Recommendation[] = [];
  for (let k = 0; k < r.k; k++) {
    const i = r.topk[user * r.k + k];
    if (i < 0) break;
    let score = 0;
    for (let c = 0; c < r.channels; c++) score += r.user[user * r.channels + c] * r.item[i * r.channels + c];
    out.push({ item: ratings.itemNames[i], index: i, score });
  }
  return out;
}
