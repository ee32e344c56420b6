// For the toy: where the held-out movie stands for its user over the kept epochs (Tim and The
// Avengers): its score's margin over the user's best other candidate, raw and smoothed, and its
// rank. Recall@1 flips between 0 and 1 as the margin crosses 0; the margin shows the way there.
import { memo, useMemo } from 'react';
import { standing } from '../explain/learning';
import type { RunInfo, SnapshotData } from '../worker/protocol';
import { fmt, ordinal } from './format';
import { ratingKind } from './graphModel';
import { MetricChart, type MetricPoint } from './MetricChart';

/** Two decimals and a sign: fits the chart's axis. */
const fmtMargin = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;

/** Weight of the newest epoch in the smoothed line (an exponential moving average). */
const SMOOTHING = 0.08;

/** The first test rating's user and movie, and the user's seen movies (training and validation); null without one. */
function heldOutPair(info: RunInfo): { user: number; item: number; excluded: Set<number> } | null {
  const { user, item } = info.ratings;
  const kinds = Array.from(user, (_, k) => ratingKind(info.ratings, k));
  const r = kinds.indexOf('test');
  if (r < 0) return null;
  const excluded = new Set<number>();
  for (let k = 0; k < user.length; k++) if (user[k] === user[r] && kinds[k] !== 'test') excluded.add(item[k]);
  return excluded.has(item[r]) ? null : { user: user[r], item: item[r], excluded };
}

export const HeldOutStanding = memo(function HeldOutStanding({ info, snapshots, marker, maxEpoch }: { info: RunInfo; snapshots: SnapshotData[]; marker: number | null; maxEpoch: number }) {
  const pair = useMemo(() => heldOutPair(info), [info]);
  const rows = useMemo(() => (pair ? standing(snapshots, pair.user, pair.item, pair.excluded) : []), [snapshots, pair]);
  const points = useMemo<MetricPoint[]>(() => {
    let ema: number | null = null;
    return rows.map((s) => {
      ema = ema === null ? s.margin : (1 - SMOOTHING) * ema + SMOOTHING * s.margin;
      return { epoch: s.epoch, value: s.margin, smooth: ema };
    });
  }, [rows]);
  if (!pair || rows.length === 0) return null;
  const who = info.userNames[pair.user];
  const what = info.itemNames[pair.item];
  const now = rows[rows.length - 1];
  return (
    <>
      <MetricChart testId="margin-chart" title={`${what}’s margin over ${who}’s next candidate`} points={points} marker={marker} color="#0f8b8d" format={fmtMargin} maxEpoch={maxEpoch} smoothLabel="smoothed" />
      <p className="standing" data-testid="held-out-standing" data-rank={now.rank} data-margin={now.margin}>
        At epoch {fmt.int(now.epoch)} {who} ranks {what} <strong>{ordinal(now.rank)}</strong>, {now.margin >= 0 ? 'ahead of' : 'behind'} the best other candidate by {Math.abs(now.margin).toFixed(3)}: Recall@1 is 1 exactly when the margin is above 0.
      </p>
    </>
  );
});
