// The score as a sum over embedding dimensions: h_user[c]·h_item[c] per dimension c.
import { memo } from 'react';
import { scaleLinear } from 'd3-scale';
import type { ExplanationData } from '../worker/protocol';
import { fmt } from './format';
import { Hint } from './Hint';

const SUM_HELP =
  'The model turns every user and every movie into a list of numbers, its embedding (h). The score multiplies the user’s and the movie’s numbers position by position (dimension c) and adds the products up. Each bar below is one such product: long bars to the right push the score up, bars to the left pull it down.';

const W = 300;
const ROW = 15;

export const DimensionSplit = memo(function DimensionSplit({ e }: { e: ExplanationData }) {
  const terms = e.split;
  const m = Math.max(1e-9, ...terms.map((t) => Math.abs(t.term)));
  const hasNeg = terms.some((t) => t.term < 0);
  const x = scaleLinear().domain(hasNeg ? [-m, m] : [0, m]).range([40, W - 44]);
  const zero = x(0);
  const shown = terms.slice(0, 64);
  const top = [...terms].sort((a, b) => Math.abs(b.term) - Math.abs(a.term))[0];
  return (
    <div className="panel dims" data-testid="explain-dims">
      <h3>Score split over dimensions</h3>
      <p className="sub">
        <Hint text={SUM_HELP}>
          Σ<sub>c</sub> h<sub>user</sub>[c]·h<sub>movie</sub>[c]
        </Hint>{' '}
        = {fmt.score(e.score)}
        {top && ` · dimension ${top.dim} carries ${Math.round((100 * Math.abs(top.term)) / Math.max(1e-9, terms.reduce((s, t) => s + Math.abs(t.term), 0)))}%`}
      </p>
      <svg viewBox={`0 0 ${W} ${shown.length * ROW + 6}`} className="dims-svg" role="img" aria-label="Per-dimension contributions">
        <line x1={zero} x2={zero} y1={0} y2={shown.length * ROW + 4} className="axis" />
        {shown.map((t, k) => {
          const x0 = Math.min(zero, x(t.term));
          const w = Math.max(0.5, Math.abs(x(t.term) - zero));
          return (
            <g key={t.dim} transform={`translate(0,${k * ROW + 3})`}>
              <title>{`dim ${t.dim}: user ${t.user.toFixed(3)} × movie ${t.item.toFixed(3)} = ${t.term.toFixed(4)}`}</title>
              <text x={32} y={ROW / 2} dy="0.1em" textAnchor="end" className="dim-label">{t.dim}</text>
              <rect x={x0} y={2} width={w} height={ROW - 5} rx={2} className={t.term >= 0 ? 'pos' : 'neg'} />
              <text x={W - 2} y={ROW / 2} dy="0.1em" textAnchor="end" className="dim-value">{t.term.toFixed(2)}</text>
            </g>
          );
        })}
      </svg>
    </div>
  );
});
