// The bipartite graph with its attention controls, legend and time slider. A graph too large to
// draw whole gets a search box, and the card says which part of it is drawn.
import { useMemo } from 'react';
import { shownSnapshot } from '../store/shown';
import { AttentionControls } from './AttentionControls';
import { graphIndexOf } from './graphIndex';
import { buildGraphModel, describeFocus, isLarge } from './graphModel';
import { GraphView } from './GraphView';
import { NodeSearch } from './NodeSearch';
import { RatingLegend } from './RatingLegend';
import { searchIndexOf } from './searchIndex';
import { useActions, useRun } from './StoreContext';
import { TimeTravel } from './TimeTravel';

export function GraphCard() {
  const a = useActions();
  const info = useRun((s) => s.info);
  const failed = useRun((s) => s.runError !== null);
  const pair = useRun((s) => s.pair);
  const focus = useRun((s) => s.focus);
  const view = useRun((s) => s.view);
  const snapshot = useRun(shownSnapshot);
  const model = useMemo(() => (info ? buildGraphModel(info, graphIndexOf(info), pair, focus, view, snapshot) : null), [info, pair, focus, view, snapshot]);
  const searchIndex = useMemo(() => (info && isLarge(info) ? searchIndexOf(info) : null), [info]);
  return (
    <section className="graph-card card" aria-label="The bipartite graph">
      <div className="card-head">
        <div>
          <h2>Users and movies</h2>
          <p className="sub">Edge width and opacity: attention α. Hover for exact values; click a user or movie to explain it{model?.partial ? ' and draw its neighbourhood' : ''}.</p>
        </div>
        <AttentionControls />
      </div>
      {searchIndex && model?.focus && (
        <div className="graph-focus">
          <NodeSearch index={searchIndex} label="Find" placeholder="User id or movie title" testId="graph-search" onPick={(n) => a.setPair(n.type === 'user' ? { user: n.index } : { item: n.index })} />
          <p className="graph-caption" data-testid="graph-caption">
            {describeFocus(model.focus, info!, view)}{' '}
            <span className="muted">
              {model.users.length + model.items.length} of {(info!.numUsers + info!.numItems).toLocaleString('en-US')} nodes, {model.edges.length} edges drawn.
            </span>
          </p>
        </div>
      )}
      {model && info ? <GraphView model={model} info={info} snapshot={snapshot} /> : <div className="placeholder graph-placeholder">{failed ? 'No run: see the message above, then change the setting or the data.' : 'Preparing the run…'}</div>}
      <div className="graph-foot">
        <RatingLegend />
        <TimeTravel />
      </div>
    </section>
  );
}
