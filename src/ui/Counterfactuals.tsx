// Counterfactuals: the score with one nearby rating taken out of the graph (a forward pass on the
// GPU with the same weights, no retraining), split into the ratings that raise the score (taking
// them out lowers it) and those that lower it, each side by how much it moves.
import { memo } from 'react';
import { scaleLinear } from 'd3-scale';
import type { NamedCounterfactual } from '../explain/explain';
import { side, type Side } from '../explain/sentence';
import type { ExplanationData } from '../worker/protocol';
import { fmt, ratingColor } from './format';

const GROUPS: { side: Side; title: string }[] = [
  { side: 'for', title: 'Raise the score' },
  { side: 'against', title: 'Lower the score' },
  { side: 'neither', title: 'Hardly move it (< 0.01)' },
];

export const Counterfactuals = memo(function Counterfactuals({ e }: { e: ExplanationData }) {
  const { tried, baseline, nearby } = e.counterfactuals;
  const m = Math.max(1e-9, ...tried.map((c) => Math.abs(c.delta)));
  const x = scaleLinear().domain([-m, m]).range([0, 100]);
  return (
    <div className="panel counterfactuals" data-testid="explain-counterfactuals">
      <h3>If a rating were not there</h3>
      <p className="sub">
        Score {fmt.score(baseline)} with every rating; each row takes one out and runs the encoder again ({tried.length} of {nearby} nearby rating{nearby === 1 ? '' : 's'}).
        A rating raises the score when taking it out lowers it (Δ &lt; 0).
        {e.brief && ' While training runs at full speed only the strongest few are tried; all of them when it stops.'}
        {e.weightsEpoch !== e.epoch && ` Forward passes use the weights of epoch ${e.weightsEpoch}, the nearest kept.`}
      </p>
      {tried.length === 0 ? (
        <p className="empty">No rating near this pair carries messages.</p>
      ) : (
        <div className="cf-scroll">
          <table className="cf-table" data-testid="counterfactual-table">
            <thead>
              <tr>
                <th>Rating taken out</th>
                <th className="num">Score</th>
                <th className="num">Δ</th>
                <th className="delta-col" aria-label="Change" />
              </tr>
            </thead>
            {GROUPS.map((g) => {
              const rows = tried.filter((c) => side(c) === g.side);
              return rows.length === 0 ? null : (
                <tbody key={g.side} data-testid="counterfactual-group" data-side={g.side}>
                  <tr className="cf-group">
                    <th colSpan={4}>
                      {g.title} <span className="muted">({rows.length})</span>
                    </th>
                  </tr>
                  {rows.map((c) => (
                    <Row key={c.rating} c={c} x={x} />
                  ))}
                </tbody>
              );
            })}
          </table>
        </div>
      )}
    </div>
  );
});

function Row({ c, x }: { c: NamedCounterfactual; x: (d: number) => number }) {
  return (
    <tr data-testid="counterfactual-row" data-side={side(c)}>
      <td>
        <span className="stars" style={{ background: ratingColor(c.value) }}>{fmt.stars(c.value)}★</span>
        {c.userName} <span className="muted">→</span> {c.itemName}
        {c.distance === 1 && <span className="muted small"> · 2 hops</span>}
      </td>
      <td className="num">{fmt.score(c.score)}</td>
      <td className={`num ${c.delta < 0 ? 'down' : 'up'}`}>{fmt.delta(c.delta)}</td>
      <td className="delta-col">
        <span className="delta-bar">
          <span className="zero" />
          <span className={c.delta < 0 ? 'neg' : 'pos'} style={c.delta < 0 ? { left: `${x(c.delta)}%`, width: `${50 - x(c.delta)}%` } : { left: '50%', width: `${x(c.delta) - 50}%` }} />
        </span>
      </td>
    </tr>
  );
}
