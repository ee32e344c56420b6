// Which attention the graph draws: the layer, one head or their mean, and the direction. A layer or
// head picked here stays: the graph then stops following the layer and head whose α moved most.
import { useActions, useRunShallow } from './StoreContext';

export function AttentionControls() {
  const a = useActions();
  const { view, layers, heads } = useRunShallow((s) => ({ view: s.view, layers: s.info?.layers ?? s.settings.layers, heads: s.info?.heads ?? s.settings.heads }));
  return (
    <div className="attention-controls" data-testid="attention-controls">
      <label>
        <span className="label">Layer</span>
        <select value={view.layer} onChange={(e) => a.setView({ layer: Number(e.target.value) }, true)} data-testid="view-layer">
          {Array.from({ length: layers }, (_, l) => (
            <option key={l} value={l + 1}>conv{l + 1}</option>
          ))}
        </select>
      </label>
      <label>
        <span className="label">Head</span>
        <select value={String(view.head)} onChange={(e) => a.setView({ head: e.target.value === 'mean' ? 'mean' : Number(e.target.value) }, true)} data-testid="view-head">
          <option value="mean">mean of {heads}</option>
          {Array.from({ length: heads }, (_, h) => (
            <option key={h} value={h}>head {h + 1}</option>
          ))}
        </select>
      </label>
      <div className="seg-group" role="radiogroup" aria-label="Direction">
        <button role="radio" aria-checked={view.direction === 'rates'} className={`seg ${view.direction === 'rates' ? 'on' : ''}`} onClick={() => a.setView({ direction: 'rates' })} title="α of the messages users send to movies (rates)">
          users → movies
        </button>
        <button role="radio" aria-checked={view.direction === 'rev_rates'} className={`seg ${view.direction === 'rev_rates' ? 'on' : ''}`} onClick={() => a.setView({ direction: 'rev_rates' })} title="α of the messages movies send to users (rev_rates)">
          movies → users
        </button>
      </div>
    </div>
  );
}
