// Back to any kept epoch: the graph, the attention and the explanation follow the slider.
import { useActions, useRunShallow } from './StoreContext';
import { shownEpoch } from '../store/shown';

export function TimeTravel() {
  const a = useActions();
  const s = useRunShallow((s) => ({ kept: s.kept, viewEpoch: s.viewEpoch, shown: shownEpoch(s), epoch: s.epoch, every: s.info?.keepEvery ?? 1 }));
  const n = s.kept.length;
  const index = s.viewEpoch === null ? n - 1 : Math.max(0, s.kept.indexOf(s.viewEpoch));
  const live = s.viewEpoch === null;
  return (
    <div className="time-travel" data-testid="time-travel">
      <label className="tt-label" htmlFor="time-slider">
        <span className="label">Time travel</span>
        <span className="value" data-testid="shown-epoch">epoch {s.shown.toLocaleString('en-US')}</span>
        {live ? <span className="live-chip">live</span> : <button className="btn small" onClick={() => a.setViewEpoch(null)} data-testid="go-live">Back to live</button>}
      </label>
      <input
        id="time-slider"
        type="range"
        min={0}
        max={Math.max(0, n - 1)}
        step={1}
        value={Math.max(0, index)}
        disabled={n < 2}
        onChange={(e) => {
          const k = Number(e.target.value);
          a.setViewEpoch(k >= n - 1 ? null : s.kept[k]);
        }}
        data-testid="time-slider"
        aria-valuetext={`epoch ${s.shown}`}
      />
      <span className="muted small">{n.toLocaleString('en-US')} kept{s.every > 1 ? ` (every ${s.every.toLocaleString('en-US')}th epoch)` : ' (every epoch)'}</span>
    </div>
  );
}
