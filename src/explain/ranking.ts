// Where an item stands among a user's candidates, as evaluation ranks them: every item except the
// user's training items, by score, ties to the lower item index (as the top-K kernel keeps them).
import { dot, row } from './scoreSplit';

export interface ScoredItem {
  item: number;
  score: number;
}

/** The user's score for every item (float64 sums, the same as scoreSplit's). */
export function userScores(user: Float32Array, item: Float32Array, channels: number, u: number): Float64Array {
  const h = row(user, u, channels);
  const numItems = item.length / channels;
  const out = new Float64Array(numItems);
  for (let i = 0; i < numItems; i++) out[i] = dot(h, row(item, i, channels));
  return out;
}

const byRank = (a: ScoredItem, b: ScoredItem) => b.score - a.score || a.item - b.item;

/** 1-based rank of `item` among the candidates, or null when it is excluded. */
export function candidateRank(scores: Float64Array, excluded: ReadonlySet<number>, item: number): { rank: number | null; candidates: number } {
  const me = { item, score: scores[item] };
  let candidates = 0;
  let before = 0;
  for (let i = 0; i < scores.length; i++) {
    if (excluded.has(i)) continue;
    candidates++;
    if (i !== item && byRank({ item: i, score: scores[i] }, me) < 0) before++;
  }
  return { rank: excluded.has(item) ? null : before + 1, candidates };
}

/** The best k candidates, best first. */
export function topCandidates(scores: Float64Array, excluded: ReadonlySet<number>, k: number): ScoredItem[] {
  const all: ScoredItem[] = [];
  for (let i = 0; i < scores.length; i++) if (!excluded.has(i)) all.push({ item: i, score: scores[i] });
  return all.sort(byRank).slice(0, k);
}
