// The bipartite graph with its attention controls, legend and time slider. A graph too large to
// draw whole gets a search box, and the card says which part of it is drawn.
import { useEffect, useMemo, useState } from 'react';
import { followMostChanged, mostChanged } from '../explain/learning';
import { shownSnapshot } from '../store/shown';
import { AlphaHistory } from './AlphaHistory';
import { AttentionControls } from './AttentionControls';
import { graphIndexOf } from './graphIndex';
import { alphaOf, buildGraphModel, describeFocus, isLarge, slotFor, type DrawnEdge } from './graphModel';
import { GraphView } from './GraphView';
import { NodeSearch } from './NodeSearch';
import { RatingLegend } from './RatingLegend';
import { searchIndexOf } from './searchIndex';
import { useActions, useRun, useRunShallow } from './StoreContext';
import { TimeTravel } from './TimeTravel';

export function GraphCard() {
  const a = useActions();
  const info = useRun((s) => s.info);
  const failed = useRun((s) => s.runError !== null);
  const pair = useRun((s) => s.pair);
  const focus = useRun((s) => s.focus);
  const view = useRun((s) => s.view);
  const viewPicked = useRun((s) => s.viewPicked);
  const snapshot = useRun(shownSnapshot);
  const { kept, snapshots } = useRunShallow((s) => ({ kept: s.kept, snapshots: s.snapshots }));
  // The first kept snapshot: epoch 0 of a fresh run, the checkpoint of a restored one.
  const baseline = snapshots.get(kept[0]) ?? null;
  const [change, setChange] = useState(false);
  const [picked, setPicked] = useState<DrawnEdge | null>(null);
  const model = useMemo(() => (info ? buildGraphModel(info, graphIndexOf(info), pair, focus, view, snapshot) : null), [info, pair, focus, view, snapshot]);
  const searchIndex = useMemo(() => (info && isLarge(info) ? searchIndexOf(info) : null), [info]);
  const keptSnapshots = useMemo(() => kept.flatMap((e) => snapshots.get(e) ?? []), [kept, snapshots]);
  // The edge whose α history shows: the one clicked, else the drawn rating whose α moved most in this view.
  const shownEdge = useMemo(() => {
    if (!model || !info) return null;
    if (picked && model.edges.some((e) => e.rating === picked.rating)) return picked;
    const moved = (e: DrawnEdge) => Math.abs((alphaOf(snapshot, info.heads, slotFor(e, view), view.layer, view.head) ?? 0) - (alphaOf(baseline, info.heads, slotFor(e, view), view.layer, view.head) ?? 0));
    return model.edges.filter((e) => e.kind === 'train').sort((p, q) => moved(q) - moved(p))[0] ?? null;
  }, [model, info, picked, snapshot, baseline, view]);
  // Until the user picks a layer or head, the graph shows where learning shows most: the layer and
  // head whose α moved furthest since the first kept epoch (epoch 0 of a fresh run).
  useEffect(() => {
    if (viewPicked || !info || !baseline || !snapshot) return;
    const next = followMostChanged(baseline, snapshot, info.heads, view);
    if (next) a.setView({ layer: next.layer, head: next.head });
  }, [a, viewPicked, info, baseline, snapshot, view]);
  const showChange = (on: boolean) => {
    setChange(on);
    // Asked for the change: to the layer and head that moved most, followed from now on.
    const most = on && info && baseline && snapshot ? mostChanged(baseline, snapshot, info.heads) : null;
    if (most) a.setView({ layer: most.layer, head: most.head }, false);
  };
  return (
    <section className="graph-card card" aria-label="The bipartite graph">
      <div className="card-head">
        <div>
          <h2>Users and movies</h2>
          <p className="sub">Edge width and opacity: attention α. Hover for exact values; click a user or movie to explain it{model?.partial ? ' and draw its neighbourhood' : ''}.</p>
        </div>
        <div className="graph-controls">
          <AttentionControls />
          <div className="seg-group" role="radiogroup" aria-label="Edge colour">
            <button role="radio" aria-checked={!change} className={`seg ${!change ? 'on' : ''}`} onClick={() => showChange(false)} data-testid="colour-rating">
              rating
            </button>
            <button role="radio" aria-checked={change} className={`seg ${change ? 'on' : ''}`} onClick={() => showChange(true)} data-testid="colour-change" title="Colour each edge by how far its α moved since the first kept epoch; shows the layer and head that moved most">
              α change since epoch {baseline?.epoch ?? 0}
            </button>
          </div>
        </div>
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
      {model && info ? <GraphView model={model} info={info} snapshot={snapshot} baseline={change ? baseline : null} onPickEdge={setPicked} /> : <div className="placeholder graph-placeholder">{failed ? 'No run: see the message above, then change the setting or the data.' : 'Preparing the run…'}</div>}
      <div className="graph-foot">
        <RatingLegend validation={(info?.settings.val ?? 0) > 0} />
        <TimeTravel />
      </div>
      {shownEdge && info && keptSnapshots.length > 0 && <AlphaHistory edge={shownEdge} info={info} snapshots={keptSnapshots} view={view} />}
    </section>
  );
}
