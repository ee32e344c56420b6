// The engine side of the page: owns the GPU, the compiled kernels and the run's Trainer, trains in
// chunks (one GPU readback each), keeps epochs (epochArchive.ts) and answers the page (requests.ts).
// Every GPU job runs through one queue, so an explanation never interleaves with a chunk.
import { createGpu, NoWebGPUError, type Gpu } from '../gpu/device';
import { createKernels, type Kernels } from '../gpu/kernels';
import { runFingerprint } from '../train/fingerprint';
import { Trainer } from '../train/trainer';
import { DivergedError } from '../train/types';
import type { Checkpoint, EpochMetrics, Snapshot } from '../train/types';
import { loadRatings, recogniseFiles } from './datasetLoader';
import { EpochArchive } from './epochArchive';
import { Searcher } from './searcher';
import { keeps } from './keep';
import { loadProgress } from './loadProgress';
import type { DatasetSource, FromWorker, RunInfo, Speed, ToWorker } from './protocol';
import { answer, type Request } from './requests';
import { describeRun, firstLook, type FirstLook } from './runInfo';
import { DeviceLosses, LOSS_LIMIT, lostWithin, rebuildRun, trainerLike } from './recovery';
import { weightsForRun } from './weightsImport';

/** Epochs per train() call at full speed at most: one chunk of the engine, one readback. */
const CALL_EPOCHS = 64;
/**
 * GPU time one train() call aims at. A call is one long stretch of GPU work; on a software
 * adapter (or any GPU the page shares) the page's own drawing waits behind it, so this bounds
 * the page's frame gaps and the pause latency, at the price of one readback per call.
 */
const CALL_TARGET_MS = 300;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class EngineHost {
  private gpu: Gpu | null = null;
  private kernels: Kernels | null = null;
  private trainer: Trainer | null = null;
  private runId = -1;
  /** The last run the page asked for (a reset or a load); a load overtaken by a later one is dropped. */
  private requested = -1;
  private stride = 1;
  /** The run's kept snapshots and weights. */
  private readonly archive = new EpochArchive();
  /** KNN-MIPS against the exact search, on demand (the Search card). */
  private readonly searcher = new Searcher();
  /** The current run's data, as the page names it. */
  private datasetName = '';
  /** The last epoch whose metrics the page has. */
  private posted = 0;
  private jobs: Promise<unknown> = Promise.resolve();
  /** Train until this epoch, or stand still (null). */
  private target: number | null = null;
  private mode: 'playing' | 'stepping' = 'playing';
  private speed: Speed = 'max';
  private looping = false;

  /** `openDevice`: how a GPU device is had, the first time and after one is lost; `losses`: when to stop trying. */
  constructor(
    private readonly post: (message: FromWorker) => void,
    private readonly openDevice: () => Promise<Gpu> = createGpu,
    private readonly losses = new DeviceLosses(),
  ) {}

  handle(msg: ToWorker): void {
    switch (msg.type) {
      case 'reset':
        this.target = null;
        this.runId = msg.runId;
        this.requested = msg.runId;
        void this.enqueue(() => this.reset(msg.runId, msg.settings, msg.dataset, msg.resume, msg.snapshots));
        return;
      case 'load':
        this.requested = msg.runId;
        void this.enqueue(() => this.load(msg));
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
      case 'checkpoint':
      case 'export':
      case 'search':
        void this.enqueue(() => this.answer(msg));
        return;
      case 'importWeights':
        void this.enqueue(() => this.importWeights(msg));
        return;
    }
  }

  /** Answers a question about the run, if it is still the current one (see requests.ts). */
  private async answer(msg: Request): Promise<void> {
    const trainer = this.trainer;
    const current = trainer && msg.runId === this.runId ? { trainer, archive: this.archive, searcher: this.searcher, datasetName: this.datasetName } : null;
    this.post(await answer(msg, current));
  }

  /** Runs GPU jobs one after another. */
  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const next = this.jobs.then(job, job);
    this.jobs = next.catch(() => undefined);
    return next;
  }

  /** A run the page has already let go of the old one for (new settings, the toy, data loaded before). */
  private async reset(runId: number, settings: RunInfo['settings'], dataset: DatasetSource, resume?: Checkpoint, past: Snapshot[] = []): Promise<void> {
    if (runId !== this.runId) return;
    // Free the old run's GPU memory before the new one takes its own.
    this.dropRun();
    if (!(await this.openGpu(runId))) return;
    let trainer: Trainer | null = null;
    try {
      const { ratings, name } = loadRatings(dataset);
      trainer = Trainer.create(this.gpu!, this.kernels!, ratings, settings);
      if (resume) resumeFrom(trainer, resume);
      const look = await firstLook(trainer);
      if (runId !== this.runId) {
        trainer.destroy();
        return;
      }
      this.install(runId, trainer, name, look);
      // A restored run's earlier kept epochs: time travel and explanations go back to them.
      for (const s of past) if (s.epoch < trainer.epoch) this.archive.snapshots.set(s.epoch, s);
    } catch (e) {
      trainer?.destroy();
      if (runId === this.runId) this.post({ type: 'error', runId, message: (e as Error).message, fatal: false });
    }
  }

  /**
   * A run from the user's files: parsed, built and evaluated beside the current run, which it
   * replaces only once ready. Whatever fails on the way (the files, the GPU's limits, the
   * settings) leaves the current run as it was and is reported under the load's runId.
   */
  private async load(msg: Extract<ToWorker, { type: 'load' }>): Promise<void> {
    const { runId } = msg;
    const superseded = () => runId !== this.requested;
    if (superseded() || !(await this.openGpu(runId))) return;
    const progress = loadProgress(this.post, runId);
    // Messages from the parsers name the file; later ones (too large, nothing left) get the files' names here.
    let where = '';
    let trainer: Trainer | null = null;
    try {
      const found = recogniseFiles(msg.files, msg.mapping);
      if ('ask' in found) {
        this.post({ type: 'needsMapping', runId, request: found.ask });
        return;
      }
      progress('parsing', 0, 0);
      const { ratings, name } = loadRatings(found.source, (fraction, rows) => progress('parsing', fraction, rows));
      where = `${name}: `;
      if (superseded()) return;
      progress('building', 0, ratings.user.length);
      trainer = Trainer.create(this.gpu!, this.kernels!, ratings, msg.settings);
      progress('evaluating', 0, ratings.user.length);
      const look = await firstLook(trainer);
      if (superseded()) trainer.destroy();
      else this.install(runId, trainer, name, look, found.source);
    } catch (e) {
      trainer?.destroy();
      if (!superseded()) this.post({ type: 'error', runId, message: `${where}${(e as Error).message}`, fatal: false });
    }
  }

  /** Opens the GPU and compiles the kernels the first time; false (and the page told why) when there is none. */
  private async openGpu(runId: number): Promise<boolean> {
    if (this.gpu) return true;
    try {
      const gpu = await this.openDevice();
      this.gpu = gpu;
      this.kernels = await createKernels(gpu.device);
      void gpu.device.lost.then((info) => this.deviceLost(gpu, info));
      return true;
    } catch (e) {
      this.gpu = null;
      if (e instanceof NoWebGPUError) this.post({ type: 'noWebGPU', message: e.message });
      else this.post({ type: 'error', runId, message: `WebGPU could not start: ${(e as Error).message}`, fatal: true });
      return false;
    }
  }

  /** Ends the current run: its trainer, snapshots and kept weights. */
  private dropRun(): void {
    this.trainer?.destroy();
    this.trainer = null;
    this.searcher.drop();
    this.archive.clear();
    this.posted = 0;
  }

  /** Makes a built and evaluated trainer the run, in place of the current one, and tells the page. */
  private install(runId: number, trainer: Trainer, name: string, look: FirstLook, dataset?: DatasetSource): void {
    this.dropRun();
    this.trainer = trainer;
    this.runId = runId;
    this.target = null;
    this.datasetName = name;
    // A resumed run starts at its checkpoint's epoch, with its history.
    this.archive.snapshots.set(trainer.epoch, look.snapshot);
    this.archive.weights.set(trainer.epoch, look.weights);
    this.posted = trainer.epoch;
    const info = describeRun(trainer, runId, name, this.gpu!.adapterName);
    this.stride = info.keepEvery;
    this.keepWeights(runId);
    this.post({ type: 'ready', info, metrics: [...trainer.history], snapshot: look.snapshot, recall: look.recall, dataset });
  }

  /** Trains while there is a target ahead; one train() call per round, paced at slow speeds. */
  private async loop(): Promise<void> {
    if (this.looping) return;
    this.looping = true;
    const runId = this.runId;
    const device = this.gpu?.device;
    this.post({ type: 'status', runId, status: this.mode });
    let stopped: 'idle' | 'done' | 'diverged' = 'idle';
    let message: string | undefined;
    try {
      for (;;) {
        const trainer = this.trainer;
        if (!trainer || runId !== this.runId || this.target === null) break;
        const end = Math.min(this.target, trainer.settings.epochs);
        // An early stop (settings.patience) ends the run before its epochs.
        if (trainer.epoch >= end || trainer.selection?.stopped != null) break;
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
      } else if (!(device && (await lostWithin(device)))) {
        // A lost device's failed chunk is no error of the run: deviceLost rebuilds it.
        this.post({ type: 'error', runId, message: (e as Error).message, fatal: false });
      }
    } finally {
      this.looping = false;
    }
    // A play or step of a newer run (a load ended this one) that came while this round wound down starts its own.
    if (runId !== this.runId) {
      if (this.target !== null) void this.loop();
      return;
    }
    if (!this.trainer) return;
    const early = this.trainer.selection?.stopped ?? null;
    if (stopped !== 'diverged' && (this.trainer.epoch >= this.trainer.settings.epochs || early !== null)) stopped = 'done';
    if (early !== null && stopped === 'done') message = `Stopped early at epoch ${early}: ${this.trainer.settings.patience} epochs without a better validation Recall@K.`;
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

  /** Keeps a checkpoint of the current epoch when it is a kept one (see EpochArchive.keepCheckpoint). */
  private keepWeights(runId: number): void {
    const trainer = this.trainer;
    if (!trainer || runId !== this.runId) return;
    this.archive.keepCheckpoint(trainer, keeps(this.stride, trainer.settings.epochs)(trainer.epoch), () => runId === this.runId);
  }

  /** The GPU device is gone: unless that happens too often, the run goes on from its last kept epoch on a new one. */
  private deviceLost(gpu: Gpu, info: GPUDeviceLostInfo): void {
    if (info.reason === 'destroyed' || gpu !== this.gpu) return;
    const why = info.message || info.reason;
    this.gpu = null;
    this.kernels = null;
    this.target = null;
    if (!this.losses.record()) {
      this.post({ type: 'error', runId: this.runId, message: `The GPU device was lost ${LOSS_LIMIT} times within a minute (last: ${why}). Reload the page to start again.`, fatal: true });
      return;
    }
    void this.enqueue(() => this.recover(why));
  }

  /** Rebuilds the run on a new device at its last kept epoch, and tells the page. */
  private async recover(why: string): Promise<void> {
    const lost = this.trainer;
    const runId = this.runId;
    await this.archive.pending;
    const kept = this.archive.lastKept;
    // Without a run there is nothing to restore: the next one opens a new device.
    if (!lost || !kept || !(await this.openGpu(runId))) return;
    try {
      const trainer = rebuildRun(this.gpu!, this.kernels!, lost, kept);
      lost.destroy();
      this.trainer = trainer;
      this.archive.forgetAfter(kept.epoch);
      this.posted = kept.epoch;
      const snapshot = await trainer.snapshot();
      this.archive.snapshots.set(snapshot.epoch, snapshot);
      this.archive.latest = snapshot;
      const message = `The GPU device was lost (${why}); restored epoch ${kept.epoch} on a new device. Press play to go on.`;
      this.post({ type: 'recovered', runId, epoch: kept.epoch, snapshot: snapshot, message });
    } catch (e) {
      this.post({ type: 'error', runId, message: `The GPU device was lost (${why}) and the run could not be rebuilt on a new one: ${(e as Error).message}. Reload the page to start again.`, fatal: true });
    }
  }

  /**
   * A run from a weights file, built beside the current one (same data and settings) and put in
   * its place once ready; a file that does not fit leaves the current run as it was.
   */
  private async importWeights(msg: Extract<ToWorker, { type: 'importWeights' }>): Promise<void> {
    const current = this.trainer;
    if (!current || msg.fromRunId !== this.runId) {
      this.post({ type: 'error', runId: msg.runId, message: 'the run changed before the weights were read', fatal: false });
      return;
    }
    let trainer: Trainer | null = null;
    try {
      const weights = weightsForRun(msg.text, msg.fileName, current.shape, runFingerprint(current.data, current.settings));
      trainer = trainerLike(this.gpu!, this.kernels!, current, weights);
      const look = await firstLook(trainer);
      this.install(msg.runId, trainer, this.datasetName, look);
    } catch (e) {
      trainer?.destroy();
      this.post({ type: 'error', runId: msg.runId, message: (e as Error).message, fatal: false });
    }
  }

  private publish(runId: number, metrics: EpochMetrics[], snapshots: Snapshot[], kept: (e: number) => boolean): void {
    const keptOnes = snapshots.filter((s) => kept(s.epoch));
    for (const s of keptOnes) this.archive.snapshots.set(s.epoch, s);
    const last = snapshots[snapshots.length - 1];
    if (last) this.archive.latest = last;
    const live = last && !kept(last.epoch) ? last : undefined;
    if (metrics.length > 0) this.posted = metrics[metrics.length - 1].epoch;
    this.post({
      type: 'progress',
      runId,
      metrics,
      snapshots: keptOnes,
      live,
      epoch: this.trainer?.epoch ?? 0,
    });
  }

  /** After a divergence the trainer is back at the last good epoch: send what the page lacks. */
  private async afterDivergence(runId: number): Promise<void> {
    const trainer = this.trainer;
    if (!trainer || runId !== this.runId) return;
    this.archive.forgetAfter(trainer.epoch);
    const missing = trainer.history.filter((m) => m.epoch > this.posted);
    await trainer.evaluate();
    const snap = await trainer.snapshot();
    this.archive.snapshots.set(snap.epoch, snap);
    this.archive.weights.set(snap.epoch, await trainer.readParams());
    this.publish(runId, missing, [snap], () => true);
  }
}

/** Puts a saved run's checkpoint in a new trainer of its data and settings. */
function resumeFrom(trainer: Trainer, checkpoint: Checkpoint): void {
  try {
    trainer.restore(checkpoint);
  } catch (e) {
    throw new Error(`its checkpoint does not fit this data and these settings (${(e as Error).message})`);
  }
}
