// Play/pause, step, step N, reset, speed; the epoch counter and the latest numbers.
import { SPEEDS, type Speed } from '../worker/protocol';
import type { EpochMetrics } from '../train/types';
import { lossName } from '../train/settings';
import { fmt, timeLeft } from './format';
import { Hint } from './Hint';
import { FULL_GRAPH_HELP, MINI_BATCH_HELP } from './metricHelp';
import { useActions, useRunShallow } from './StoreContext';

/** The latest epoch whose full graph's MSE was measured (Recall@K's epochs). */
function lastFullMse(history: EpochMetrics[]): number | undefined {
  for (let k = history.length - 1; k >= 0; k--) {
    const v = history[k].fullMse;
    if (v !== null) return v;
  }
  return undefined;
}

/** Epochs whose measured time the estimate of the time left averages. */
const RECENT = 50;

const speedLabel = (s: Speed) => (s === 'max' ? 'Max' : `${s}/s`);

const STATUS_TEXT = {
  idle: 'Paused',
  playing: 'Training',
  stepping: 'Stepping',
  done: 'Finished',
  diverged: 'Diverged',
} as const;

export function Transport() {
  const a = useActions();
  const s = useRunShallow((s) => ({
    ready: s.info !== null,
    status: s.status,
    epoch: s.epoch,
    epochs: s.settings.epochs,
    lossLabel: lossName(s.settings.loss),
    speed: s.speed,
    stepSize: s.stepSize,
    last: s.history[s.history.length - 1],
    fullMse: lastFullMse(s.history),
    history: s.history,
    recall0: s.recall0,
    k: s.info?.k ?? s.settings.k,
  }));
  const running = s.status === 'playing' || s.status === 'stepping';
  const atEnd = s.epoch >= s.epochs;
  const blocked = !s.ready || s.status === 'diverged';
  const progress = Math.min(1, s.epoch / Math.max(1, s.epochs));
  const status = !s.ready ? 'Preparing' : STATUS_TEXT[s.status];
  const left = s.status === 'diverged' ? null : timeLeft(s.epochs - s.epoch, s.history.slice(-RECENT).map((m) => m.ms), s.speed === 'max' ? null : s.speed);
  return (
    <div className="transport card" data-testid="transport">
      <div className="buttons">
        <button className="btn icon" onClick={a.reset} title="Reset: a fresh initialisation from the seed" data-testid="reset" aria-label="Reset">
          <svg viewBox="0 0 24 24"><path d="M4 12a8 8 0 1 0 2.3-5.7M4 4v4.5h4.5" /></svg>
        </button>
        <button
          className={`btn play ${running ? 'on' : ''}`}
          onClick={a.toggle}
          disabled={blocked || (atEnd && !running)}
          title={running ? 'Pause (Space)' : 'Play (Space)'}
          data-testid="play"
          aria-label={running ? 'Pause' : 'Play'}
        >
          {running ? (
            <svg viewBox="0 0 24 24"><path d="M8 5v14M16 5v14" /></svg>
          ) : (
            <svg viewBox="0 0 24 24"><path className="fill" d="M7 4.5v15l12-7.5z" /></svg>
          )}
        </button>
        <button className="btn icon" onClick={() => a.step(1)} disabled={blocked || atEnd} title="Step one epoch (→)" data-testid="step" aria-label="Step one epoch">
          <svg viewBox="0 0 24 24"><path className="fill" d="M6 5v14l9-7z" /><path d="M18 5v14" /></svg>
        </button>
        <div className="step-n">
          <input
            type="number"
            min={1}
            value={s.stepSize}
            onChange={(e) => a.setStepSize(Number(e.target.value))}
            aria-label="Epochs per step"
            data-testid="step-size"
          />
          <button className="btn" onClick={() => a.step(s.stepSize)} disabled={blocked || atEnd} data-testid="step-n">
            Step {fmt.int(s.stepSize)}
          </button>
        </div>
      </div>
      <div className="speed" role="radiogroup" aria-label="Speed">
        <span className="label">Speed</span>
        {SPEEDS.map((v) => (
          <button key={String(v)} role="radio" aria-checked={s.speed === v} className={`seg ${s.speed === v ? 'on' : ''}`} onClick={() => a.setSpeed(v)} data-testid={`speed-${v}`}>
            {speedLabel(v)}
          </button>
        ))}
      </div>
      <div className="counter">
        <div className="epoch" data-testid="epoch" data-epoch={s.epoch}>
          <span className="label">Epoch</span>
          <span className="value">{fmt.int(s.epoch)}</span>
          <span className="of">/ {fmt.int(s.epochs)}</span>
        </div>
        <div className="bar" aria-hidden="true"><div style={{ width: `${progress * 100}%` }} /></div>
        {left && (
          <span className="time-left" data-testid="time-left" title="From the measured ms/epoch of the recent epochs, at the chosen speed">
            {left}
          </span>
        )}
      </div>
      <div className="readout">
        <div><Hint className="label" text={MINI_BATCH_HELP}>{`Mini-batch ${s.lossLabel}`}</Hint><span className="value" data-testid="loss">{fmt.loss(s.last?.loss)}</span></div>
        <div><Hint className="label" text={FULL_GRAPH_HELP}>Full-graph MSE</Hint><span className="value" data-testid="full-mse" data-value={s.fullMse ?? ''}>{fmt.loss(s.fullMse)}</span></div>
        <div><span className="label">Recall@{s.k}</span><span className="value" data-testid="recall">{fmt.recall(s.last?.recall ?? s.recall0)}</span></div>
        <div><span className="label">ms/epoch</span><span className="value">{s.last ? s.last.ms.toFixed(1) : '—'}</span></div>
      </div>
      <div className={`status ${s.status}`} data-testid="status" data-status={s.ready ? s.status : 'preparing'}>
        {status}
      </div>
    </div>
  );
}
