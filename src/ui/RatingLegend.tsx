// What the edge colours and widths mean.
import { ratingColor, TEST_EDGE_COLOR } from './format';

export function RatingLegend() {
  return (
    <div className="legend" aria-label="Legend">
      <span className="legend-title">Rating</span>
      {[1, 2, 3, 4, 5].map((r) => (
        <span key={r} className="legend-item">
          <span className="swatch" style={{ background: ratingColor(r) }} />
          {r}★
        </span>
      ))}
      <span className="legend-item">
        <svg width="28" height="10" aria-hidden="true"><line x1="1" y1="5" x2="27" y2="5" stroke={TEST_EDGE_COLOR} strokeWidth="2.5" strokeDasharray="5 3" /></svg>
        held-out test rating
      </span>
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
