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

export const TEST_EDGE_COLOR = '#7c3aed';

/** Shortens a long name for a label (the full one is in the tooltip). */
export function clip(name: string, max = 28): string {
  return name.length <= max ? name : `${name.slice(0, max - 1)}…`;
}
