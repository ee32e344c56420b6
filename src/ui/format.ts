// Numbers and colours as the page shows them.
import { scaleLinear } from 'd3-scale';
import { interpolateHcl } from 'd3-interpolate';

export const fmt = {
  score: (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—'),
  alpha: (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—'),
  loss: (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3)),
  recall: (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(2)),
  delta: (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`,
  int: (n: number) => n.toLocaleString('en-US'),
  stars: (r: number) => (Math.abs(r) >= 1000 ? r.toExponential(0) : String(Math.round(r * 10) / 10)),
};

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n.toLocaleString('en-US')}${suffix}`;
}

/** Ratings 1 (red) … 3 (amber) … 5 (teal), interpolated in HCL. */
export const ratingColor = scaleLinear<string>()
  .domain([1, 3, 5])
  .range(['#d1495b', '#e0a030', '#0f8b8d'])
  .interpolate(interpolateHcl)
  .clamp(true);

/** What a rating is in the run: trained on, held out to choose the epoch (validation), or held out to test. */
export type EdgeKind = 'train' | 'val' | 'test';

export const TEST_EDGE_COLOR = '#7c3aed';
export const VAL_EDGE_COLOR = '#2563eb';

/** A rating edge's colour: a training one's stars, a held-out one's role (the graph, its tooltip and legend). */
export function edgeColor(kind: EdgeKind, stars: number): string {
  return kind === 'train' ? ratingColor(stars) : kind === 'val' ? VAL_EDGE_COLOR : TEST_EDGE_COLOR;
}

/** A rating edge's dashes: training solid, validation dotted (round caps), test dashed. */
export const EDGE_DASH: Record<EdgeKind, string | undefined> = { train: undefined, val: '1 5', test: '7 5' };

/** A rating edge's role in words. */
export const EDGE_WORDS: Record<EdgeKind, string> = {
  train: 'training rating',
  val: 'held-out validation rating (chooses the epoch)',
  test: 'held-out test rating',
};

/** Shortens a long name for a label (the full one is in the tooltip). */
export function clip(name: string, max = 28): string {
  return name.length <= max ? name : `${name.slice(0, max - 1)}…`;
}

/** Words a badge skips unless nothing else is left: articles and joining words. */
const SMALL_WORDS = new Set(['the', 'a', 'an', 'of', 'and', 'in', 'on', 'to', 'le', 'la', 'les', 'el', 'der', 'die', 'das']);

/**
 * A node's badge: the id itself for a bare id ("15", "137"), else the initials of the first two
 * words that matter ("(500) Days of Summer (2009)" → "5D", "Toy Story (1995)" → "TS",
 * "Avengers, The (2012)" → "A"), so that nodes sharing a first character still differ.
 */
export function badge(name: string): string {
  const trimmed = name.trim();
  if (/^\d+$/.test(trimmed)) return trimmed.length <= 4 ? trimmed : `${trimmed.slice(0, 3)}…`;
  const title = trimmed
    .replace(/\s*\(\d{4}\)\s*$/, '') // a trailing year
    .replace(/,\s*(the|a|an|les?|la|el|die|der|das)$/i, ''); // "Avengers, The"
  const words = title.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
  if (words.length === 0) return trimmed.charAt(0) || '?';
  const main = words.filter((w) => !SMALL_WORDS.has(w.toLowerCase()));
  const chosen = (main.length > 0 ? main : words).slice(0, 2);
  return chosen.map((w) => w.charAt(0).toUpperCase()).join('');
}

/**
 * "~N s left" for `remaining` epochs: each takes the mean measured ms/epoch of the recent
 * epochs, or the speed limit's interval where that is longer (a speed of N epochs a second). Null
 * with nothing measured or nothing left.
 */
export function timeLeft(remaining: number, recentMs: number[], epochsPerSecond: number | null): string | null {
  if (remaining <= 0 || recentMs.length === 0) return null;
  const measured = recentMs.reduce((s, x) => s + x, 0) / recentMs.length;
  const perEpoch = epochsPerSecond === null ? measured : Math.max(measured, 1000 / epochsPerSecond);
  const seconds = (remaining * perEpoch) / 1000;
  if (seconds < 1) return '<1 s left';
  if (seconds < 120) return `~${Math.round(seconds)} s left`;
  if (seconds < 7200) return `~${Math.round(seconds / 60)} min left`;
  return `~${Math.round(seconds / 3600)} h left`;
}

/** A change of α in [−1, 1] (as a fraction of the largest shown): fell purple … unchanged grey … rose green. */
export const changeColor = scaleLinear<string>()
  .domain([-1, 0, 1])
  .range(['#7b3294', '#d4d4d8', '#008837'])
  .interpolate(interpolateHcl)
  .clamp(true);
