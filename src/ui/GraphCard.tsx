// The bipartite graph with its attention controls, legend and time slider.
import { useMemo } from 'react';
import { shownSnapshot } from '../store/runStore';
import { AttentionControls } from './AttentionControls';
import { buildGraphModel } from './graphModel';
import { GraphView } from './GraphView';
import { RatingLegend } from './RatingLegend';
import { useRun } from './StoreContext';
import { TimeTravel } from './TimeTravel';

export function GraphCard() {
  const info = useRun((s) => s.info);
  const failed = useRun((s) => s.runError !== null);
  const pair = useRun((s) => s.pair);
  const snapshot = useRun(shownSnapshot);
  const partialKey = info && info.numUsers + info.numItems > 40 ? `${pair?.user}:${pair?.item}` : '';
  const model = useMemo(() => (info ? buildGraphModel(info, pair) : null), [info, partialKey]);
  return (
    <section className="graph-card card" aria-label="The bipartite graph">
      <div className="card-head">
        <div>
          <h2>Users and movies</h2>
          <p className="sub">
            Edge width and opacity: attention α. Hover for exact values; click a user or movie to explain it.
            {model?.partial && ` Showing the neighbourhood of the explained pair (${model.users.length + model.items.length} of ${(info!.numUsers + info!.numItems).toLocaleString('en-US')} nodes).`}
          </p>
        </div>
        <AttentionControls />
      </div>
      {model && info ? <GraphView model={model} info={info} snapshot={snapshot} /> : <div className="placeholder graph-placeholder">{failed ? 'No run: see the message above, then change the setting or the data.' : 'Preparing the run…'}</div>}
      <div className="graph-foot">
        <RatingLegend />
        <TimeTravel />
      </div>
    </section>
  );
}
