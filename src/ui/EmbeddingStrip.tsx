// A node's embedding as a row of coloured cells, one per dimension.
import { scaleDiverging, scaleSequential } from 'd3-scale';
import { interpolateHcl } from 'd3-interpolate';
import { interpolateRdBu } from 'd3-scale-chromatic';
import type { SnapshotData } from '../worker/protocol';
import { embeddingOf, type DrawnNode } from './graphModel';

export type Colour = (v: number) => string;

const CELL = 8;
const HEIGHT = 9;

/** One colour scale for every drawn node's embedding, so strips compare across nodes. */
export function embeddingScale(snapshot: SnapshotData | null, nodes: DrawnNode[]): Colour {
  let lo = 0;
  let hi = 0;
  for (const n of nodes) {
    const e = embeddingOf(snapshot, n);
    if (!e) continue;
    for (const v of e) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo >= 0) return scaleSequential(interpolateHcl('#f1f5f9', '#312e81')).domain([0, hi || 1]);
  const m = Math.max(-lo, hi) || 1;
  return scaleDiverging((t: number) => interpolateRdBu(1 - t)).domain([-m, 0, m]);
}

export function EmbeddingStrip({ values, colour, x, y, align, cell = CELL, height = HEIGHT }: { values: ArrayLike<number>; colour: Colour; x: number; y: number; align: 'start' | 'end'; cell?: number; height?: number }) {
  const n = values.length;
  const shown = Math.min(n, 32);
  const w = shown <= 16 ? cell : Math.max(3, Math.floor((cell * 16) / shown));
  const x0 = align === 'end' ? x - shown * w : x;
  return (
    <g className="strip" aria-hidden="true">
      {Array.from({ length: shown }, (_, c) => (
        <rect key={c} x={x0 + c * w} y={y} width={w} height={height} fill={colour(values[c])} />
      ))}
      <rect className="strip-frame" x={x0} y={y} width={shown * w} height={height} />
    </g>
  );
}
