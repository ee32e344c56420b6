// Counterfactuals: the score with one nearby rating taken out of the graph (a forward pass on the
// GPU with the same weights, no retraining), sorted by how much it moves.
import { memo } from 'react';
import { scaleLinear } from 'd3-scale';
import type { ExplanationData } from '../worker/protocol';
import { fmt, ratingColor } from './format';

export const Counterfactuals = memo(function Counterfactuals({ e }: { e: ExplanationData }) {
  const { tried, baseline, nearby } = e.counterfactuals;
  const m = Math.max(1e-9, ...tried.map((c) => Math.abs(c.delta)));
  const x = scaleLinear().domain([-m, m]).range([0, 100]);
  return (
    <div className="panel counterfactuals" data-testid="explain-counterfactuals">
      <h3>If a rating were not there</h3>
      <p className="sub">
        Score {fmt.score(baseline)} with every rating; each row takes one out and runs the encoder again ({tried.length} of {nearby} nearby rating{nearby === 1 ? '' : 's'}).
        {e.brief && ' While training runs at full speed only the strongest few are tried; all of them when it stops.'}
        {e.weightsEpoch !== e.epoch && ` Forward passes use the weights of epoch ${e.weightsEpoch}, the nearest kept.`}
      </p>
      {tried.length === 0 ? (
        <p className="empty">No rating near this pair carries messages.</p>
      ) : (
        <table className="cf-table" data-testid="counterfactual-table">
          <thead>
            <tr>
              <th>Rating taken out</th>
              <th className="num">Score</th>
              <th className="num">Δ</th>
              <th className="delta-col" aria-label="Change" />
            </tr>
          </thead>
          <tbody>
            {tried.map((c) => (
              <tr key={c.rating} data-testid="counterfactual-row">
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
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
});
