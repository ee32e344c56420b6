// Small multiples of one rating's attention over the kept epochs: one sparkline per layer (rows)
// and head (columns), α on a fixed 0–1 scale, so that what learning did to this edge shows at a
// glance and the panels compare.
import { memo, useMemo } from 'react';
import { slotHistory } from '../explain/learning';
import type { RunInfo, SnapshotData } from '../worker/protocol';
import type { AttentionView } from '../store/shown';
import { clip } from './format';
import { slotFor, type DrawnEdge } from './graphModel';

const W = 120;
const H = 34;

export const AlphaHistory = memo(function AlphaHistory({ edge, info, snapshots, view }: { edge: DrawnEdge; info: RunInfo; snapshots: SnapshotData[]; view: AttentionView }) {
  const slot = slotFor(edge, view);
  const history = useMemo(() => (slot < 0 ? null : slotHistory(snapshots, slot, info.heads)), [snapshots, slot, info.heads]);
  const from = view.direction === 'rates' ? info.userNames[edge.user] : info.itemNames[edge.item];
  const to = view.direction === 'rates' ? info.itemNames[edge.item] : info.userNames[edge.user];
  return (
    <div className="alpha-history" data-testid="alpha-history" data-slot={slot} data-epochs={history?.epochs.length ?? 0}>
      <p className="alpha-history-title">
        α of <strong>{clip(from, 24)}</strong> → <strong>{clip(to, 24)}</strong> per layer and head, over {history ? history.epochs.length.toLocaleString('en-US') : 0} kept epochs
        <span className="muted"> (click an edge to pick another)</span>
      </p>
      {!history ? (
        <p className="empty">This rating carries no messages (a held-out rating).</p>
      ) : (
        <div className="alpha-grid" style={{ gridTemplateColumns: `auto repeat(${info.heads}, ${W}px)` }}>
          <span />
          {Array.from({ length: info.heads }, (_, h) => (
            <span key={h} className="alpha-grid-head">head {h + 1}</span>
          ))}
          {history.alpha.map((heads, l) => (
            <Row key={l} layer={l + 1} heads={heads} current={view.layer === l + 1 ? view.head : null} />
          ))}
        </div>
      )}
    </div>
  );
});

function Row({ layer, heads, current }: { layer: number; heads: number[][]; current: number | 'mean' | null }) {
  return (
    <>
      <span className="alpha-grid-head">conv{layer}</span>
      {heads.map((series, h) => {
        const n = series.length;
        const x = (k: number) => (n <= 1 ? W / 2 : (k / (n - 1)) * (W - 2) + 1);
        const y = (a: number) => H - 2 - a * (H - 4);
        const d = series.map((a, k) => `${k === 0 ? 'M' : 'L'}${x(k).toFixed(1)},${y(a).toFixed(1)}`).join('');
        const shown = current === 'mean' || current === h;
        return (
          <svg key={h} className={`spark ${shown ? 'shown' : ''}`} width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`conv${layer} head ${h + 1}: α from ${series[0]?.toFixed(2)} to ${series[n - 1]?.toFixed(2)}`} data-testid="alpha-spark">
            <line x1={0} x2={W} y1={y(0.5)} y2={y(0.5)} className="spark-mid" />
            <path d={d} className="spark-line" />
            <text x={W - 2} y={11} textAnchor="end" className="spark-value">{series[n - 1]?.toFixed(2)}</text>
          </svg>
        );
      })}
    </>
  );
}
