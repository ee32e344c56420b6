// The run's progress, the store's side: the epochs' metrics and the snapshots the engine sends are
// gathered and applied once per animation frame, so a fast run redraws the page at most at the
// display's rate, never per GPU dispatch; and the epochs after a rewind are forgotten.
import type { EpochMetrics } from '../train/types';
import type { FromWorker, RunStatus, SnapshotData, Speed } from '../worker/protocol';
import { isFast, isSoftwareAdapter } from './shown';

/**
 * While playing at full speed on a software adapter, the page takes in progress at most this
 * often: there the page's own drawing runs on the same CPU cores as the "GPU", and each redraw
 * delays the training's next readback. On a hardware GPU it redraws every frame.
 */
const FAST_FLUSH_MS_SOFTWARE = 1000;

export interface ProgressState {
  epoch: number;
  history: EpochMetrics[];
  snapshots: ReadonlyMap<number, SnapshotData>;
  /** Kept epochs, ascending. */
  kept: number[];
  /** The latest snapshot (kept or not). */
  live: SnapshotData | null;
}

/** What the progress needs of the store. */
export interface ProgressContext {
  get(): ProgressState & { runId: number; status: RunStatus; speed: Speed; adapterName: string | null };
  set(patch: Partial<ProgressState>): void;
  /** Schedules a flush (requestAnimationFrame in the page). */
  schedule(flush: () => void): void;
  /** New epochs are on the page: what is explained may follow them. */
  flushed(): void;
}

export function createProgress(ctx: ProgressContext) {
  const { get, set } = ctx;
  let pending: { metrics: EpochMetrics[]; snapshots: SnapshotData[]; live: SnapshotData | null; epoch: number } | null = null;
  let flushScheduled = false;
  let lastFlush = 0;

  /** Applies what came since the last flush. */
  function flush(): void {
    flushScheduled = false;
    lastFlush = Date.now();
    const p = pending;
    pending = null;
    if (!p) return;
    const s = get();
    let { snapshots, kept } = s;
    if (p.snapshots.length > 0) {
      const next = new Map(snapshots);
      const added: number[] = [];
      for (const snap of p.snapshots) {
        if (!next.has(snap.epoch)) added.push(snap.epoch);
        next.set(snap.epoch, snap);
      }
      snapshots = next;
      kept = added.length > 0 ? [...kept, ...added].sort((a, b) => a - b) : kept;
    }
    set({
      history: p.metrics.length > 0 ? s.history.concat(p.metrics) : s.history,
      epoch: Math.max(s.epoch, p.epoch),
      snapshots,
      kept,
      live: p.live ?? s.live,
    });
    ctx.flushed();
  }

  return {
    flush,

    /** A new run: what is still pending belongs to the run before. */
    reset(): void {
      pending = null;
    },

    /** Handles the engine's progress; false for any other message. */
    receive(msg: FromWorker): boolean {
      if (msg.type !== 'progress') return false;
      if (msg.runId !== get().runId) return true;
      pending ??= { metrics: [], snapshots: [], live: null, epoch: 0 };
      pending.metrics.push(...msg.metrics);
      pending.snapshots.push(...msg.snapshots);
      const latest = msg.live ?? msg.snapshots[msg.snapshots.length - 1];
      if (latest && (!pending.live || latest.epoch >= pending.live.epoch)) pending.live = latest;
      pending.epoch = msg.epoch;
      if (!flushScheduled) {
        flushScheduled = true;
        // At full speed the page redraws a few times a second: on a GPU it shares with the
        // training (a software adapter above all) every redraw delays the next readback.
        const st = get();
        const software = isSoftwareAdapter(st.adapterName);
        const wait = isFast(st) && software ? lastFlush + FAST_FLUSH_MS_SOFTWARE - Date.now() : 0;
        if (wait > 0) setTimeout(() => ctx.schedule(flush), wait);
        else ctx.schedule(flush);
      }
      return true;
    },

    /** Forgets the epochs after `epoch`, where the engine rewound the run. */
    rewindTo(epoch: number): void {
      const keep = (e: number) => e <= epoch;
      const st = get();
      const snapshots = new Map([...st.snapshots].filter(([e]) => keep(e)));
      set({
        epoch,
        history: st.history.filter((m) => keep(m.epoch)),
        snapshots,
        kept: st.kept.filter(keep),
        live: st.live && keep(st.live.epoch) ? st.live : snapshots.get(Math.max(...snapshots.keys())) ?? null,
      });
    },
  };
}
