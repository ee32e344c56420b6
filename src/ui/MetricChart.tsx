// One metric per epoch as a line (recharts), the shown epoch marked. Long runs are thinned to a few
// hundred points for drawing; `data-points` says how many epochs the chart holds.
import { memo } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface MetricPoint {
  epoch: number;
  value: number;
  /** A smoothed companion line (optional). */
  smooth?: number;
  /** A second metric of the same epoch (MetricChartProps.legend), or null where it was not measured. */
  second?: number | null;
}

const MAX_DRAWN = 300;

function thin(points: MetricPoint[]): MetricPoint[] {
  if (points.length <= MAX_DRAWN) return points;
  const stride = Math.ceil(points.length / MAX_DRAWN);
  const out: MetricPoint[] = [];
  for (let k = 0; k < points.length; k += stride) out.push(points[k]);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]);
  return out;
}

/** Five round epoch ticks from 0 to the run's length (fixed ticks spare recharts measuring labels). */
function epochTicks(max: number): number[] {
  const m = Math.max(1, max);
  const raw = m / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * p).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = 0; t <= m + 1e-9; t += step) out.push(Math.round(t));
  return out;
}

export interface MetricChartProps {
  testId: string;
  title: string;
  points: MetricPoint[];
  marker: number | null;
  color: string;
  log?: boolean;
  domain?: [number, number];
  format: (x: number) => string;
  maxEpoch: number;
  smoothLabel?: string;
  /** Fixed ticks of a linear y axis. */
  yTicks?: number[];
  /** Names the lines when the points carry a second metric: the main one's and the second's, with its colour. */
  legend?: { main: string; second: string; secondColor: string };
  /** An epoch marked and named on the chart (the one model selection chose). */
  pick?: { epoch: number; label: string };
}

export const MetricChart = memo(function MetricChart({ testId, title, points, marker, color, log, domain, format, maxEpoch, smoothLabel, yTicks, legend, pick }: MetricChartProps) {
  const drawn = thin(points);
  const last = points[points.length - 1];
  const measured = legend ? secondPoints(points) : [];
  const lastSecond = measured[measured.length - 1];
  const axis = log ? logAxis(points.concat(measured)) : null;
  const xTicks = epochTicks(maxEpoch);
  return (
    <figure className="chart" data-testid={testId} data-points={points.length} data-last={last ? last.value : ''} data-selected={pick?.epoch ?? ''}>
      <figcaption>
        <span>{title}</span>
        <span className="chart-value">{last ? format(last.value) : '—'}</span>
      </figcaption>
      {legend && (
        <div className="chart-legend">
          <span><i style={{ background: color }} />{legend.main}</span>
          <span data-testid={`${testId}-second`} data-last={lastSecond ? lastSecond.value : ''}>
            <i style={{ background: legend.secondColor }} />
            {legend.second}: {lastSecond ? format(lastSecond.value) : '—'}
          </span>
        </div>
      )}
      <div className="chart-box">
        {points.length === 0 && <div className="chart-empty">No epochs yet: press ▶ or → to train.</div>}
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={drawn} margin={{ top: 6, right: 20, bottom: 0, left: -6 }}>
            <CartesianGrid stroke="#e8ebf2" vertical={false} />
            <XAxis dataKey="epoch" type="number" domain={[0, Math.max(1, maxEpoch)]} ticks={xTicks} interval={0} tick={{ fontSize: 11, fill: '#64748b' }} tickLine={false} axisLine={{ stroke: '#cbd5e1' }} allowDecimals={false} />
            <YAxis
              type="number"
              scale={log ? 'log' : 'linear'}
              domain={axis?.domain ?? domain ?? [0, 'auto']}
              ticks={axis?.ticks ?? yTicks}
              interval={0}
              allowDataOverflow={log}
              tick={{ fontSize: 11, fill: '#64748b' }}
              tickLine={false}
              axisLine={false}
              width={48}
              tickFormatter={(v: number) => (log ? shortLog(v) : format(v))}
            />
            <Tooltip
              isAnimationActive={false}
              formatter={(v) => format(Number(v))}
              labelFormatter={(e) => `epoch ${e}`}
              contentStyle={{ fontSize: 12, borderRadius: 8, border: '1px solid #e2e8f0', boxShadow: '0 4px 14px rgba(15,23,42,.08)' }}
            />
            {marker !== null && <ReferenceLine x={marker} stroke="#0f172a" strokeDasharray="3 3" strokeOpacity={0.55} />}
            {pick && <ReferenceLine x={pick.epoch} stroke="#059669" strokeWidth={1.5} label={{ value: pick.label, position: 'insideTopLeft', fontSize: 11, fill: '#059669' }} />}
            <Line type="linear" dataKey="value" name={title} stroke={color} strokeWidth={points.length > 60 && smoothLabel ? 1 : 2} strokeOpacity={points.length > 60 && smoothLabel ? 0.35 : 1} dot={points.length <= 30 ? { r: 2.5, fill: color, strokeWidth: 0 } : false} isAnimationActive={false} />
            {smoothLabel && points.length > 60 && <Line type="monotone" dataKey="smooth" name={smoothLabel} stroke={color} strokeWidth={2} dot={false} isAnimationActive={false} />}
            {legend && <Line type="linear" dataKey="second" name={legend.second} stroke={legend.secondColor} strokeWidth={2} dot={points.length <= 30 ? { r: 2.5, fill: legend.secondColor, strokeWidth: 0 } : false} connectNulls isAnimationActive={false} />}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
});

/** The second metric's measured values, as points of their own (for the axis's range). */
function secondPoints(points: MetricPoint[]): MetricPoint[] {
  return points.flatMap((p) => (p.second === null || p.second === undefined ? [] : [{ epoch: p.epoch, value: p.second }]));
}

/** A log axis from the decade below the smallest value to the decade above the largest, ticks at 1, 2 and 5 × 10^k when few decades show. */
function logAxis(points: MetricPoint[]): { domain: [number, number]; ticks: number[] } | null {
  if (points.length === 0) return null;
  let lo = Infinity;
  let hi = 0;
  for (const p of points) {
    if (p.value > 0 && p.value < lo) lo = p.value;
    if (p.value > hi) hi = p.value;
  }
  if (!(lo < Infinity) || hi <= 0) return null;
  const a = Math.floor(Math.log10(lo));
  const b = Math.max(a + 1, Math.ceil(Math.log10(hi)));
  const ticks: number[] = [];
  for (let k = a; k <= b; k++) {
    const d = 10 ** k;
    ticks.push(d);
    if (b - a <= 2 && k < b) ticks.push(2 * d, 5 * d);
  }
  return { domain: [10 ** a, 10 ** b], ticks: ticks.map((t) => Number(t.toPrecision(3))) };
}

function shortLog(v: number): string {
  if (v >= 1) return String(Math.round(v * 100) / 100);
  if (v >= 0.01) return String(Number(v.toPrecision(2)));
  return v.toExponential(0);
}
