// The engine side of the page: owns the GPU, the compiled kernels and the run's Trainer, trains in
// chunks (one GPU readback each), keeps snapshots for time travel and answers explanations.
// Every GPU job runs through one queue, so an explanation never interleaves with a chunk.
import { createGpu, NoWebGPUError, type Gpu } from '../gpu/device';
import { createKernels, type Kernels } from '../gpu/kernels';
import { parseMovies, parseRatingsCsv } from '../graph/csv';
import { looksLikeU100kData, parseU100kData, parseU100kItems } from '../graph/movielens100k';
import { TOY_CSV } from '../graph/toy';
import type { Ratings } from '../graph/types';
import { DivergedError, Trainer, type EpochMetrics, type Snapshot } from '../train/trainer';
import { explainPair } from './explainer';
import { keeps, keepStride } from './keep';
import type { DatasetSource, FromWorker, RunInfo, SnapshotData, Speed, ToWorker } from './protocol';

/** Epochs per train() call at full speed at most: one chunk of the engine, one readback. */
const CALL_EPOCHS = 64;
/**
 * GPU time one train() call aims at. A call is one long stretch of GPU work; on a software
 * adapter (or any GPU the page shares) the page's own drawing waits behind it, so this bounds
 * the page's frame gaps and the pause latency, at the price of one readback per call.
 */
const CALL_TARGET_MS = 300;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function loadRatings(source: DatasetSource): { ratings: Ratings; name: string } {
  if (source.kind === 'toy') return { ratings: parseRatingsCsv(source.csv ?? TOY_CSV, 'toy.csv'), name: 'the seed’s toy data' };
  const moviesName = source.moviesName ?? 'movies.csv';
  if (source.name === 'u.data' || looksLikeU100kData(source.ratings)) {
    const items = source.movies ? parseU100kItems(source.movies, moviesName) : undefined;
    return { ratings: parseU100kData(source.ratings, source.name, items), name: source.name };
  }
  const movies = source.movies ? parseMovies(source.movies, moviesName) : undefined;
  return { ratings: parseRatingsCsv(source.ratings, source.name, movies), name: source.name };
}

export class EngineHost {
  private gpu: Gpu | null = null;
  private kernels: Kernels | null = null;
  private trainer: Trainer | null = null;
  private runId = -1;
  private stride = 1;
  private readonly snapshots = new Map<number, Snapshot>();
  /** Weights at some kept epochs (where a train() call ended), for counterfactuals in the past. */
  private readonly weights = new Map<number, Float32Array>();
  /** The last weight readback still in flight. */
  private weightsPending: Promise<void> = Promise.resolve();
  /** The last epoch whose metrics the page has. */
  private posted = 0;
  private jobs: Promise<unknown> = Promise.resolve();
  /** Train until this epoch, or stand still (null). */
  private target: number | null = null;
  private mode: 'playing' | 'stepping' = 'playing';
  private speed: Speed = 'max';
  private looping = false;

  constructor(private readonly post: (message: FromWorker) => void) {}

  handle(msg: ToWorker): void {
    switch (msg.type) {
      case 'reset':
        this.target = null;
        this.runId = msg.runId;
        void this.enqueue(() => this.reset(msg.runId, msg.settings, msg.dataset));
        return;
      case 'play':
        if (msg.runId !== this.runId) return;
        this.speed = msg.speed;
        this.mode = 'playing';
        this.target = Number.POSITIVE_INFINITY;
        void this.loop();
        return;
      case 'step': {
        if (msg.runId !== this.runId) return;
        const from = this.target !== null && Number.isFinite(this.target) ? this.target : this.trainer?.epoch ?? 0;
        this.mode = 'stepping';
        this.target = from + Math.max(1, Math.floor(msg.epochs));
        void this.loop();
        return;
      }
      case 'speed':
        this.speed = msg.speed;
        return;
      case 'pause':
        this.target = null;
        return;
      case 'explain':
        void this.enqueue(() => this.explain(msg));
        return;
    }
  }

  /** Runs GPU jobs one after another. */
  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const next = this.jobs.then(job, job);
    this.jobs = next.catch(() => undefined);
    return next;
  }

  private async reset(runId: number, settings: RunInfo['settings'], dataset: DatasetSource): Promise<void> {
    if (runId !== this.runId) return;
    this.trainer?.destroy();
    this.trainer = null;
    this.snapshots.clear();
    this.weights.clear();
    this.posted = 0;
    try {
      if (!this.gpu) {
        this.gpu = await createGpu();
        this.kernels = await createKernels(this.gpu.device);
        const lostRun = () => this.runId;
        void this.gpu.device.lost.then((info) => {
          if (info.reason !== 'destroyed') this.post({ type: 'error', runId: lostRun(), message: `The GPU device was lost (${info.message || info.reason}). Reload the page to start again.`, fatal: true });
        });
      }
    } catch (e) {
      if (e instanceof NoWebGPUError) this.post({ type: 'noWebGPU', message: e.message });
      else this.post({ type: 'error', runId, message: `WebGPU could not start: ${(e as Error).message}`, fatal: true });
      return;
    }
    try {
      const { ratings, name } = loadRatings(dataset);
      const trainer = Trainer.create(this.gpu, this.kernels!, ratings, settings);
      this.trainer = trainer;
      const recall = await trainer.evaluate();
      const first = await trainer.snapshot();
      this.snapshots.set(0, first);
      this.weights.set(0, await trainer.readParams());
      const info = this.describe(trainer, runId, name);
      this.stride = info.keepEvery;
      this.post({ type: 'ready', info, metrics: [], snapshot: toData(first), recall });
    } catch (e) {
      this.trainer?.destroy();
      this.trainer = null;
      this.post({ type: 'error', runId, message: (e as Error).message, fatal: false });
    }
  }

  private describe(trainer: Trainer, runId: number, datasetName: string): RunInfo {
    const { data, shape, settings, evaluator } = trainer;
    const g = evaluator.graph;
    const isTrain = new Uint8Array(data.ratings.user.length);
    for (const r of data.split.train) isTrain[r] = 1;
    const k = evaluator.k;
    const notes: string[] = [];
    if (settings.k > data.numItems) notes.push(`K is ${settings.k} but the catalogue has ${data.numItems} movies; the run ranks with K = ${k}.`);
    if (data.test.user.length === 0) notes.push(`With SPLIT ${settings.split} no rating is left for testing, so Recall@${k} has nothing to find.`);
    const stride = keepStride(
      { numUsers: data.numUsers, numItems: data.numItems, channels: shape.hidden, k, layers: shape.layers, edges: g.edgeSrc.length, heads: shape.heads },
      settings.epochs,
    );
    return {
      runId,
      settings,
      adapterName: this.gpu!.adapterName,
      datasetName,
      userNames: data.ratings.userNames,
      itemNames: data.ratings.itemNames,
      numUsers: data.numUsers,
      numItems: data.numItems,
      ratings: { user: data.ratings.user, item: data.ratings.item, rating: data.ratings.rating, train: isTrain },
      graph: { edgeSrc: g.edgeSrc, edgeDst: g.edgeDst },
      layers: shape.layers,
      heads: shape.heads,
      channels: shape.hidden,
      k,
      stepsPerEpoch: trainer.stepsPerEpoch,
      paramCount: trainer.model.size,
      keepEvery: stride,
      notes,
    };
  }

  /** Trains while there is a target ahead; one train() call per round, paced at slow speeds. */
  private async loop(): Promise<void> {
    if (this.looping) return;
    this.looping = true;
    const runId = this.runId;
    this.post({ type: 'status', runId, status: this.mode });
    let stopped: 'idle' | 'done' | 'diverged' = 'idle';
    let message: string | undefined;
    try {
      for (;;) {
        const trainer = this.trainer;
        if (!trainer || runId !== this.runId || this.target === null) break;
        const end = Math.min(this.target, trainer.settings.epochs);
        if (trainer.epoch >= end) break;
        const paced = this.mode === 'playing' && this.speed !== 'max';
        const perEpoch = trainer.history.length > 0 ? trainer.history[trainer.history.length - 1].ms : 0;
        const sized = perEpoch > 0 ? Math.max(1, Math.min(CALL_EPOCHS, Math.round(CALL_TARGET_MS / perEpoch))) : 8;
        const epochs = paced ? 1 : Math.min(end - trainer.epoch, sized);
        const started = performance.now();
        const ok = await this.enqueue(() => this.trainCall(runId, epochs));
        if (!ok) break;
        if (paced && this.speed !== 'max') await sleep(1000 / this.speed - (performance.now() - started));
      }
    } catch (e) {
      if (e instanceof DivergedError) {
        stopped = 'diverged';
        message = `Training diverged at epoch ${e.epoch}: the loss is no longer a finite number (try a smaller LR). Paused at epoch ${e.epoch - 1}, the last good one.`;
        await this.enqueue(() => this.afterDivergence(runId));
      } else {
        this.post({ type: 'error', runId, message: (e as Error).message, fatal: false });
      }
    } finally {
      this.looping = false;
    }
    if (runId !== this.runId || !this.trainer) return;
    if (runId !== this.runId || !this.trainer) return;
    if (stopped !== 'diverged' && this.trainer.epoch >= this.trainer.settings.epochs) stopped = 'done';
    // A step that ended the round leaves nothing to wait for.
    if (this.mode === 'stepping' && this.target !== null && this.trainer.epoch >= this.target) this.target = null;
    if (stopped !== 'idle') this.target = null;
    this.post({ type: 'stopped', runId, epoch: this.trainer.epoch, status: stopped, message });
    // A step or play that arrived while stopping starts a new round.
    if (this.target !== null && stopped === 'idle') void this.loop();
  }

  /** One train() call; false when the run changed under it. */
  private async trainCall(runId: number, epochs: number): Promise<boolean> {
    const trainer = this.trainer;
    if (!trainer || runId !== this.runId) return false;
    const end = trainer.epoch + epochs;
    const kept = keeps(this.stride, trainer.settings.epochs);
    const keep = (e: number) => kept(e) || e === end;
    await trainer.train(epochs, (metrics, snapshots) => this.publish(runId, metrics, snapshots, kept), { keep });
    this.keepWeights(runId);
    return runId === this.runId;
  }

  /**
   * Keeps the current weights when the current epoch is a kept one, for counterfactuals in the past.
   * Not awaited: the copy is queued before the next chunk's work, so it holds this epoch's weights,
   * and its readback completes alongside that chunk instead of adding a wait of its own.
   */
  private keepWeights(runId: number): void {
    const trainer = this.trainer;
    if (!trainer || runId !== this.runId || this.weights.has(trainer.epoch)) return;
    const epoch = trainer.epoch;
    if (!keeps(this.stride, trainer.settings.epochs)(epoch)) return;
    this.weightsPending = trainer.readParams().then(
      (w) => {
        if (runId === this.runId) this.weights.set(epoch, w);
      },
      () => undefined,
    );
  }

  private publish(runId: number, metrics: EpochMetrics[], snapshots: Snapshot[], kept: (e: number) => boolean): void {
    const keptOnes = snapshots.filter((s) => kept(s.epoch));
    for (const s of keptOnes) this.snapshots.set(s.epoch, s);
    const last = snapshots[snapshots.length - 1];
    const live = last && !kept(last.epoch) ? toData(last) : undefined;
    if (metrics.length > 0) this.posted = metrics[metrics.length - 1].epoch;
    this.post({
      type: 'progress',
      runId,
      metrics,
      snapshots: keptOnes.map(toData),
      live,
      epoch: this.trainer?.epoch ?? 0,
    });
  }

  /** After a divergence the trainer is back at the last good epoch: send what the page lacks. */
  private async afterDivergence(runId: number): Promise<void> {
    const trainer = this.trainer;
    if (!trainer || runId !== this.runId) return;
    for (const e of [...this.snapshots.keys()]) if (e > trainer.epoch) this.snapshots.delete(e);
    for (const e of [...this.weights.keys()]) if (e > trainer.epoch) this.weights.delete(e);
    const missing = trainer.history.filter((m) => m.epoch > this.posted);
    await trainer.evaluate();
    const snap = await trainer.snapshot();
    this.snapshots.set(snap.epoch, snap);
    this.weights.set(snap.epoch, await trainer.readParams());
    this.publish(runId, missing, [snap], () => true);
  }

  private async explain(msg: Extract<ToWorker, { type: 'explain' }>): Promise<void> {
    const trainer = this.trainer;
    const reply = (explanation: FromWorker & { type: 'explanation' }) => this.post(explanation);
    if (!trainer || msg.runId !== this.runId) {
      reply({ type: 'explanation', requestId: msg.requestId, runId: msg.runId, explanation: null, error: 'the run has changed' });
      return;
    }
    const snapshot = this.snapshots.get(msg.epoch) ?? this.snapshots.get(nearestAtOrBefore(this.snapshots, msg.epoch) ?? -1);
    if (!snapshot) {
      reply({ type: 'explanation', requestId: msg.requestId, runId: msg.runId, explanation: null, error: `no snapshot of epoch ${msg.epoch}` });
      return;
    }
    try {
      await this.weightsPending;
      // Counterfactuals need the weights of the explained epoch: load them for the forward passes.
      // The model holds the current epoch's weights; an earlier epoch's come from those kept.
      const current = trainer.epoch;
      const at = snapshot.epoch === current || this.weights.has(snapshot.epoch) ? snapshot.epoch : nearestAtOrBefore(this.weights, snapshot.epoch);
      const swap = at !== null && at !== current;
      const saved = swap ? await trainer.readParams() : null;
      if (swap) trainer.model.writeParams(this.weights.get(at)!);
      try {
        const explanation = await explainPair(trainer, snapshot, msg.user, msg.item, msg.head, swap ? at! : current, msg.brief);
        reply({ type: 'explanation', requestId: msg.requestId, runId: msg.runId, explanation });
      } finally {
        if (saved) trainer.model.writeParams(saved);
      }
    } catch (e) {
      reply({ type: 'explanation', requestId: msg.requestId, runId: msg.runId, explanation: null, error: (e as Error).message });
    }
  }
}

function nearestAtOrBefore(map: Map<number, unknown>, epoch: number): number | null {
  let best: number | null = null;
  for (const e of map.keys()) if (e <= epoch && (best === null || e > best)) best = e;
  return best;
}

function toData(s: Snapshot): SnapshotData {
  return { epoch: s.epoch, k: s.k, channels: s.channels, user: s.user, item: s.item, topk: s.topk, attention: s.attention };
}
