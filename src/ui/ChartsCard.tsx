// Training MSE (the mini-batches' and the full graph's) and Recall@K per epoch, live, with the
// shown epoch marked; with a validation split, the validation Recall@K beside the test one and the
// epoch it chose.
import { useMemo, useRef } from 'react';
import { isFast, isSoftwareAdapter, shownEpoch } from '../store/shown';
import { lossName } from '../train/settings';
import { fmt } from './format';
import { HeldOutStanding } from './HeldOutStanding';
import { MetricChart, type MetricPoint } from './MetricChart';
import { useRun, useRunShallow } from './StoreContext';
import { selectedMetrics } from '../train/types';

/**
 * While training runs at full speed the charts take in new epochs at most this often: a recharts
 * redraw costs tens of milliseconds of main thread, and on a software adapter that is CPU the
 * training needs.
 */
const FAST_REDRAW_MS = 250;
const FAST_REDRAW_MS_SOFTWARE = 2000;

/**
 * The value as of the last redraw that took it in: at full speed at most one per FAST_REDRAW_MS,
 * decided while rendering so that it lands in a frame the page draws anyway (no extra paint).
 */
function useCadence<T>(value: T, fast: boolean, every: number): T {
  const held = useRef({ value, at: 0 });
  const now = Date.now();
  if (!fast || now - held.current.at >= every) held.current = { value, at: now };
  return held.current.value;
}

const RECALL_TICKS = [0, 0.25, 0.5, 0.75, 1];
const RECALL_DOMAIN: [number, number] = [0, 1];
const fmtRecall = (x: number) => x.toFixed(2);
/** The validation Recall@K beside the test one (settings.val). */
const VALIDATION_LEGEND = { main: 'test', second: 'validation', secondColor: '#059669' };

/** The loss axis is logarithmic; a zero loss draws at this floor. */
const LOSS_FLOOR = 1e-4;

const LOSS_LEGEND = { main: 'mini-batch (sampled subgraphs)', second: 'full graph', secondColor: '#0f766e' };

export function ChartsCard() {
  const fast = useRun(isFast);
  const every = useRun((s) => (isSoftwareAdapter(s.adapterName) ? FAST_REDRAW_MS_SOFTWARE : FAST_REDRAW_MS));
  const history = useCadence(useRun((s) => s.history), fast, every);
  const recall0 = useRun((s) => s.recall0);
  const k = useRun((s) => s.info?.k ?? s.settings.k);
  const epochs = useRun((s) => s.settings.epochs);
  const evalEvery = useRun((s) => s.settings.evalEvery);
  const lossLabel = useRun((s) => lossName(s.settings.loss));
  // The full graph's line is the evaluator's MSE on the ratings, whatever the training objective.
  const lossLegend = lossLabel === lossName('mse') ? LOSS_LEGEND : { ...LOSS_LEGEND, second: 'full graph (MSE on ratings)' };
  const shown = useCadence(useRun(shownEpoch), fast, every);
  const live = useRun((s) => s.viewEpoch === null);
  const toy = useRunShallow((s) => ({ on: s.dataset.kind === 'toy', info: s.info, kept: s.kept, snapshots: s.snapshots }));
  const keptSnapshots = useCadence(
    useMemo(() => (toy.on ? toy.kept.flatMap((e) => toy.snapshots.get(e) ?? []) : []), [toy.on, toy.kept, toy.snapshots]),
    fast,
    every,
  );

  const loss = useMemo<MetricPoint[]>(() => {
    let ema: number | null = null;
    return history.map((m) => {
      const v = Math.max(LOSS_FLOOR, m.loss);
      ema = ema === null ? v : 0.92 * ema + 0.08 * v;
      return { epoch: m.epoch, value: v, smooth: ema, second: m.fullMse === null ? null : Math.max(LOSS_FLOOR, m.fullMse) };
    });
  }, [history]);
  const recall = useMemo<MetricPoint[]>(() => {
    const head = recall0 === null ? [] : [{ epoch: 0, value: recall0 }];
    // Epochs between evaluations (settings.evalEvery) have no Recall@K: the line joins those that do.
    const evaluated = history.flatMap((m) => (m.recall === null ? [] : [{ epoch: m.epoch, value: m.recall, ...(m.valRecall == null ? {} : { second: m.valRecall }) }]));
    return head.concat(evaluated);
  }, [history, recall0]);
  const selected = useMemo(() => selectedMetrics(history), [history]);
  const pick = selected && { epoch: selected.epoch, label: `chosen: epoch ${selected.epoch}` };

  return (
    <section className="charts card" aria-label="Training curves">
      <div className="card-head">
        <div>
          <h2>Learning curves</h2>
          <p className="sub">Per epoch{evalEvery > 1 ? `; Recall@K every ${evalEvery}` : ''}. {live ? 'The dashed line is the current epoch.' : `The dashed line marks epoch ${shown}, shown in the graph.`}</p>
        </div>
      </div>
      <MetricChart testId="loss-chart" title={`Training ${lossLabel} (log scale)`} points={loss} marker={shown} color="#e11d48" log format={fmt.loss} maxEpoch={epochs} smoothLabel="smoothed" legend={lossLegend} />
      <MetricChart testId="recall-chart" title={`Recall@${k} on the held-out ratings`} points={recall} marker={shown} color="#4f46e5" domain={RECALL_DOMAIN} yTicks={RECALL_TICKS} format={fmtRecall} maxEpoch={epochs} legend={selected ? VALIDATION_LEGEND : undefined} pick={pick ?? undefined} />
      {selected && (
        <p className="sub" data-testid="selected-epoch">
          Chosen on validation: epoch {selected.epoch}, validation Recall@{k} {fmtRecall(selected.valRecall!)}, test Recall@{k} {selected.recall === null ? '—' : fmtRecall(selected.recall)} (the test never chooses).
        </p>
      )}
      {toy.on && toy.info && keptSnapshots.length > 0 && <HeldOutStanding info={toy.info} snapshots={keptSnapshots} marker={shown} maxEpoch={epochs} />}
    </section>
  );
}
