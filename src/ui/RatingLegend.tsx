// What the edge colours, dashes and widths mean. The validation entry shows only in a run that has
// a validation split, so the seed's toy keeps its legend.
import { EDGE_DASH, EDGE_WORDS, edgeColor, ratingColor, type EdgeKind } from './format';

function HeldOut({ kind }: { kind: Exclude<EdgeKind, 'train'> }) {
  return (
    <span className="legend-item" data-testid={`legend-${kind}`}>
      <svg width="28" height="10" aria-hidden="true">
        <line x1="2" y1="5" x2="26" y2="5" stroke={edgeColor(kind, 0)} strokeWidth="2.5" strokeDasharray={EDGE_DASH[kind]} strokeLinecap="round" />
      </svg>
      {EDGE_WORDS[kind]}
    </span>
  );
}

export function RatingLegend({ validation }: { validation: boolean }) {
  return (
    <div className="legend" aria-label="Legend">
      <span className="legend-title">Rating</span>
      {[1, 2, 3, 4, 5].map((r) => (
        <span key={r} className="legend-item">
          <span className="swatch" style={{ background: ratingColor(r) }} />
          {r}★
        </span>
      ))}
      {validation && <HeldOut kind="val" />}
      <HeldOut kind="test" />
      <span className="legend-item">
        <svg width="44" height="12" aria-hidden="true">
          <line x1="1" y1="6" x2="16" y2="6" stroke="#64748b" strokeWidth="1.5" opacity="0.35" />
          <line x1="24" y1="6" x2="43" y2="6" stroke="#64748b" strokeWidth="7" opacity="1" />
        </svg>
        α low → high
      </span>
    </div>
  );
}
