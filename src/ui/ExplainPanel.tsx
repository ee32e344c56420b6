// Why the model scores a movie as it does for a user, at the shown epoch: the score and rank, the
// split over embedding dimensions, the attention paths, the counterfactuals and a sentence, all
// computed from the run (src/explain), never written by hand.
import { AttentionPaths } from './AttentionPaths';
import { Counterfactuals } from './Counterfactuals';
import { DimensionSplit } from './DimensionSplit';
import { Hint } from './Hint';
import { FULL_GRAPH_SCORES_HELP } from './metricHelp';
import { PairPicker } from './PairPicker';
import { ScoreCard } from './ScoreCard';
import { useRunShallow } from './StoreContext';
import { shownEpoch } from '../store/shown';

export function ExplainPanel() {
  const s = useRunShallow((s) => ({ e: s.explanation, error: s.explainError, busy: s.explaining, shown: shownEpoch(s), ready: s.info !== null }));
  const e = s.e;
  const stale = e !== null && e.epoch !== s.shown;
  return (
    <section className="explain card" aria-label="Explanation" data-testid="explain" data-epoch={e?.epoch ?? -1} data-pair={e ? `${e.user.index}:${e.item.index}` : ''}>
      <div className="card-head explain-head">
        <div>
          <h2>Why this score?</h2>
          <p className="sub">
            {e ? (
              <>
                At epoch {e.epoch.toLocaleString('en-US')} ·{' '}
                <Hint text={FULL_GRAPH_SCORES_HELP}>
                  <span data-testid="explain-graph">on the full graph, as the full-graph MSE</span>
                </Hint>
                {stale && <span className="updating"> · updating to {s.shown.toLocaleString('en-US')}…</span>}
              </>
            ) : s.ready ? (
              'Explaining…'
            ) : (
              'Waiting for the run…'
            )}
          </p>
        </div>
        <PairPicker />
      </div>
      {s.error && <div className="notice warn">The explanation failed: {s.error}</div>}
      {e && (
        <>
          <p className="summary" data-testid="explain-summary">{e.sentence}</p>
          <div className="explain-grid">
            <ScoreCard e={e} />
            <DimensionSplit e={e} />
            <AttentionPaths e={e} />
            <Counterfactuals e={e} />
          </div>
        </>
      )}
    </section>
  );
}
